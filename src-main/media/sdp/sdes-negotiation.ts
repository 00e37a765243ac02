/**
 * SRTP in offer/answer with SDES keys (RFC 4568): which profile and `a=crypto` lines we offer,
 * whether an offered stream's security suits the line's policy, our key in an answer, and the
 * keys an answer to our offer settles on. Keys are kept across re-INVITEs while the far end
 * keeps its own; any change on its side gets a fresh key of ours (never one key with a reset
 * rollover counter, RFC 3711 §9.1).
 *
 * What we offer (docs/control-protocol.md, "SRTP"):
 *  - off:       RTP/AVP, no a=crypto;
 *  - optional:  RTP/AVP with a=crypto ("best-effort SDES", as baresip's `srtp` and Asterisk's
 *               media_encryption_optimistic do): a far end without SRTP ignores the attribute;
 *               a far end that insists on RTP/SAVP answers 488 and the call layer tries once
 *               more with RTP/SAVP (`offerSavp`);
 *  - mandatory: RTP/SAVP with a=crypto.
 */
import type { MediaEncryption } from '../../contract/vocabulary.js';
import { acceptAnswer, chooseCrypto, formatCryptoAttribute, generateCrypto, offerCryptos, parseCryptoAttribute, type SdesCrypto } from '../srtp/sdes.js';
import type { SrtpSuiteName } from '../srtp/srtp-suites.js';
import type { MediaDescription } from './session-description.js';

/** The transport profiles we speak: plain, or SDES-keyed SRTP (on RTP/AVP as best effort). */
export type RtpProfile = 'RTP/AVP' | 'RTP/SAVP';

export interface NegotiatedSrtp {
  suite: SrtpSuiteName;
  /** Our key (in our SDP): protects what we send. */
  local: SdesCrypto;
  /** The far end's key (in its SDP): unprotects what we receive. */
  remote: SdesCrypto;
  /** The m= line's profile, kept by our re-offers: RTP/SAVP, or RTP/AVP with a=crypto. */
  profile: RtpProfile;
}

/** Why an offered stream cannot be taken, for the 488's Warning and the `call.rejected` event. */
export type SecurityProblem = 'unsupported-transport' | 'srtp-refused' | 'srtp-required' | 'no-usable-crypto';

export type OfferedSecurity = { ok: true; remote?: SdesCrypto } | { ok: false; problem: SecurityProblem; code: 302 | 306; text: string };

/** The values of a media section's `a=crypto` lines, in its order. */
export function cryptoLinesOf(media: MediaDescription): string[] {
  return media.attributes.filter((a) => a.name.toLowerCase() === 'crypto' && a.value !== undefined).map((a) => a.value!);
}

export function cryptoAttribute(c: SdesCrypto): { name: string; value: string } {
  return { name: 'crypto', value: formatCryptoAttribute(c) };
}

/**
 * Our offer's profile and keys. A re-offer keeps what the call has: the key in use (same tag,
 * suite and key, so the far end keeps its SRTP context) or plain RTP; a first offer follows
 * the policy, with a fresh key per supported suite.
 */
export function srtpOffer(encryption: MediaEncryption, offerSavp: boolean, current: NegotiatedSrtp | undefined, renegotiating: boolean): { protocol: RtpProfile; cryptos: SdesCrypto[] } {
  if (current) return { protocol: current.profile, cryptos: [current.local] };
  if (encryption === 'off' || (renegotiating && encryption === 'optional')) return { protocol: 'RTP/AVP', cryptos: [] };
  return { protocol: encryption === 'mandatory' || offerSavp ? 'RTP/SAVP' : 'RTP/AVP', cryptos: offerCryptos() };
}

/**
 * Answering: whether an offered audio stream's profile and keys suit the policy, and the far
 * end's key when we will do SRTP. RTP/SAVP needs a usable a=crypto line and a policy other
 * than off; RTP/AVP with a=crypto is SRTP unless the policy is off (then the lines are
 * ignored); plain RTP/AVP is refused only by `mandatory`.
 */
export function offeredSecurity(media: MediaDescription, encryption: MediaEncryption, label: string): OfferedSecurity {
  const protocol = media.protocol.toUpperCase();
  if (protocol !== 'RTP/AVP' && protocol !== 'RTP/SAVP') {
    return { ok: false, problem: 'unsupported-transport', code: 302, text: `${label} uses transport "${media.protocol}", only RTP/AVP and RTP/SAVP are supported` };
  }
  const savp = protocol === 'RTP/SAVP';
  const lines = cryptoLinesOf(media);
  if (encryption === 'off') {
    if (savp) return { ok: false, problem: 'srtp-refused', code: 302, text: `${label} asks for SRTP (RTP/SAVP); encryption is off for this line` };
    return { ok: true };
  }
  if (lines.length === 0) {
    if (savp) return { ok: false, problem: 'no-usable-crypto', code: 306, text: `${label} is RTP/SAVP without a=crypto (only SDES keys are supported, not DTLS-SRTP)` };
    if (encryption === 'mandatory') return { ok: false, problem: 'srtp-required', code: 302, text: `${label} offers plain RTP; this line requires SRTP (encryption mandatory)` };
    return { ok: true };
  }
  const choice = chooseCrypto(lines);
  if (choice.remote) return { ok: true, remote: choice.remote };
  if (!savp && encryption === 'optional') return { ok: true };
  const why = choice.skipped.map((s) => s.reason).join('; ');
  return { ok: false, problem: 'no-usable-crypto', code: 306, text: `${label}: no usable a=crypto line (${why}); we support AES_CM_128_HMAC_SHA1_80 and _32` };
}

/**
 * Our side of the keys when we answer with SRTP: while the far end keeps its suite and key
 * (a re-INVITE), we keep ours too (same SRTP context); otherwise a fresh key, with the tag
 * of the offer line we accept (RFC 4568 §7.1.2).
 */
export function answerSrtp(remote: SdesCrypto, profile: RtpProfile, current: NegotiatedSrtp | undefined): NegotiatedSrtp {
  const keep = current !== undefined && sameKey(current.remote, remote);
  const local = keep ? { ...current.local, tag: remote.tag } : generateCrypto(remote.tag, remote.suite);
  return { suite: remote.suite, local, remote, profile };
}

/**
 * The keys an answer settles on for our offer: none when we offered none (baresip's `srtp`
 * adds a=crypto to its answer even then, and sends plain RTP), or when a best-effort offer
 * (RTP/AVP) got a plain answer; exactly one line matching one of ours otherwise
 * (RFC 4568 §7.1.3). An RTP/SAVP offer answered without a key fails.
 */
export function answeredSrtp(offered: MediaDescription, answered: MediaDescription): { ok: true; srtp?: NegotiatedSrtp } | { ok: false; error: string } {
  const ours: SdesCrypto[] = [];
  for (const line of cryptoLinesOf(offered)) {
    const r = parseCryptoAttribute(line);
    if (r.ok) ours.push(r.crypto);
  }
  if (ours.length === 0) return { ok: true };
  const savp = offered.protocol.toUpperCase() === 'RTP/SAVP';
  const theirs = cryptoLinesOf(answered);
  if (theirs.length === 0) {
    if (savp) return { ok: false, error: 'the answer to our RTP/SAVP offer has no a=crypto line' };
    return { ok: true };
  }
  const accepted = acceptAnswer(ours, theirs);
  if (!accepted.ok) return { ok: false, error: `the answer's a=crypto cannot be used: ${accepted.reason}` };
  return { ok: true, srtp: { suite: accepted.local.suite, local: accepted.local, remote: accepted.remote, profile: savp ? 'RTP/SAVP' : 'RTP/AVP' } };
}

/** Same suite and same key and salt (tags aside): the same SRTP context. */
export function sameKey(a: SdesCrypto, b: SdesCrypto): boolean {
  return a.suite === b.suite && a.master.key.equals(b.master.key) && a.master.salt.equals(b.master.salt);
}

/** Both undefined, or the same keys both ways. */
export function sameSrtp(a: NegotiatedSrtp | undefined, b: NegotiatedSrtp | undefined): boolean {
  if (!a || !b) return a === b;
  return sameKey(a.local, b.local) && sameKey(a.remote, b.remote);
}
