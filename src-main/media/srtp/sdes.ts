import { randomBytes } from 'node:crypto';
import { SRTP_SUITES, SUPPORTED_SUITES, isSupportedSuite, type SrtpMasterKey, type SrtpSuiteName } from './srtp-suites.js';

/**
 * SDP Security Descriptions for SRTP (RFC 4568): the `a=crypto` attribute that carries a
 * master key in the SDP, parsed, chosen and generated as pure functions. Only keys sent over
 * a protected signalling path (TLS) are secret; that is the caller's business.
 *
 *   a=crypto:<tag> <crypto-suite> inline:<base64(key || salt)>[|<lifetime>][|<MKI>:<length>] [<session-param> ...]
 */
export interface SdesCrypto {
  /** 1 to 9 digits; the answer echoes the tag of the offer line it accepts (RFC 4568 §5.1.2). */
  tag: number;
  suite: SrtpSuiteName;
  master: SrtpMasterKey;
  /** Packets the key may protect (`|2^31` or `|1000000`), when the line says. */
  lifetime?: number;
  /** Replay window hint (WSH session parameter), packets. */
  windowHint?: number;
}

export type SdesParseResult = { ok: true; crypto: SdesCrypto } | { ok: false; reason: string };

const TAG = /^[0-9]{1,9}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** RFC 4568 §6.1: an SRTP key may protect at most 2^48 SRTP packets (and 2^31 SRTCP). */
const MAX_LIFETIME = 2 ** 48;
/** Suites of RFC 4568 and later that we know by name but do not implement: skipped, not "malformed". */
const KNOWN_SUITES = new Set(['F8_128_HMAC_SHA1_80', 'AES_192_CM_HMAC_SHA1_80', 'AES_192_CM_HMAC_SHA1_32', 'AES_256_CM_HMAC_SHA1_80', 'AES_256_CM_HMAC_SHA1_32', 'AEAD_AES_128_GCM', 'AEAD_AES_256_GCM']);

/**
 * One `a=crypto` value: with or without the leading `a=` / `crypto:`. Refuses what we
 * cannot honour rather than half-applying it: MKIs, several keys, a key derivation rate (KDR),
 * unencrypted or unauthenticated SRTP, FEC parameters, unknown session parameters
 * (RFC 4568 §6.3: an unknown one makes the line unusable).
 */
export function parseCryptoAttribute(line: string): SdesParseResult {
  const value = line.trim().replace(/^a=/, '').replace(/^crypto:/, '');
  const fields = value.split(/[ \t]+/);
  const [tagText, suiteName, keyParams, ...sessionParams] = fields;
  if (!tagText || !TAG.test(tagText)) return fail(`bad tag "${tagText ?? ''}"`);
  if (!suiteName || !keyParams) return fail('missing suite or key parameters');
  if (!isSupportedSuite(suiteName)) return fail(`${KNOWN_SUITES.has(suiteName) ? 'unsupported' : 'unknown'} crypto suite ${suiteName}`);
  if (keyParams.includes(';')) return fail('several master keys (they need MKIs, which we do not support)');
  if (!keyParams.startsWith('inline:')) return fail(`key method "${keyParams.split(':')[0]}" (only "inline" exists)`);
  const [keySalt = '', ...extras] = keyParams.slice('inline:'.length).split('|');
  const suite = SRTP_SUITES[suiteName];
  const expected = suite.keyLength + suite.saltLength;
  if (!BASE64.test(keySalt)) return fail('the key is not base64');
  const raw = Buffer.from(keySalt, 'base64');
  if (raw.length !== expected || raw.toString('base64').replace(/=+$/, '') !== keySalt.replace(/=+$/, '')) {
    return fail(`the key is ${raw.length} bytes, ${suiteName} needs ${expected}`);
  }
  const crypto: SdesCrypto = { tag: Number(tagText), suite: suiteName, master: { key: raw.subarray(0, suite.keyLength), salt: raw.subarray(suite.keyLength) } };
  if (extras.length > 2) return fail('too many "|" fields after the key');
  for (const extra of extras) {
    if (extra.includes(':')) return fail('an MKI (not supported: we use one key per direction)');
    const lifetime = parseLifetime(extra);
    if (lifetime === undefined) return fail(`bad key lifetime "${extra}"`);
    if (crypto.lifetime !== undefined) return fail('two key lifetimes');
    crypto.lifetime = lifetime;
  }
  for (const p of sessionParams) {
    if (p === '') continue;
    const wsh = /^WSH=([0-9]{1,9})$/.exec(p);
    if (wsh) {
      // RFC 4568 §6.3.7: a hint; we never go below 64 (RFC 3711 §3.3.2).
      crypto.windowHint = Math.max(64, Math.min(32768, Number(wsh[1])));
      continue;
    }
    // KDR=n asks for a key derivation rate of 2^n (RFC 4568 §6.3.1): never 0, the only rate we derive with.
    return fail(`session parameter ${p} is not supported`);
  }
  return { ok: true, crypto };
}

/** `2^N` or a decimal count; undefined when neither, zero, or above 2^48. */
function parseLifetime(s: string): number | undefined {
  const pow = /^2\^([0-9]{1,2})$/.exec(s);
  const n = pow ? 2 ** Number(pow[1]) : /^[0-9]{1,15}$/.test(s) ? Number(s) : undefined;
  return n !== undefined && n >= 1 && n <= MAX_LIFETIME ? n : undefined;
}

function fail(reason: string): SdesParseResult {
  return { ok: false, reason };
}

/** What follows `a=crypto:` in our SDP for this key. */
export function formatCryptoAttribute(c: SdesCrypto): string {
  const key = Buffer.concat([c.master.key, c.master.salt]).toString('base64');
  return `${c.tag} ${c.suite} inline:${key}`;
}

/** A fresh master key and salt for `suite` (crypto.randomBytes), to offer or answer with. */
export function generateCrypto(tag: number, suite: SrtpSuiteName = SUPPORTED_SUITES[0]!): SdesCrypto {
  const s = SRTP_SUITES[suite];
  const raw = randomBytes(s.keyLength + s.saltLength);
  return { tag, suite, master: { key: raw.subarray(0, s.keyLength), salt: raw.subarray(s.keyLength) } };
}

/** Our offer: one line per supported suite, each with its own fresh key, tags 1, 2, ... */
export function offerCryptos(suites: readonly SrtpSuiteName[] = SUPPORTED_SUITES): SdesCrypto[] {
  return suites.map((suite, i) => generateCrypto(i + 1, suite));
}

export interface SdesChoice {
  /** The first usable line of the far end's, in its order of preference. */
  remote: SdesCrypto;
  /** Lines passed over, with why (for a log line or a 488's Warning). */
  skipped: { line: string; reason: string }[];
}

/**
 * The far end's offer: the first line we can use (RFC 4568 §7.1.2: the offerer lists in
 * order of preference), or undefined with every reason when none is usable.
 */
export function chooseCrypto(lines: readonly string[]): SdesChoice | { remote: undefined; skipped: { line: string; reason: string }[] } {
  const skipped: { line: string; reason: string }[] = [];
  for (const line of lines) {
    const r = parseCryptoAttribute(line);
    if (r.ok) return { remote: r.crypto, skipped };
    skipped.push({ line, reason: r.reason });
  }
  return { remote: undefined, skipped };
}

/** Answering an offer: the line we accept, and our own key for it (same tag and suite, RFC 4568 §7.1.2). */
export function answerCrypto(offerLines: readonly string[]): { remote: SdesCrypto; local: SdesCrypto; attribute: string; skipped: SdesChoice['skipped'] } | { remote: undefined; skipped: SdesChoice['skipped'] } {
  const choice = chooseCrypto(offerLines);
  if (!choice.remote) return choice;
  const local = generateCrypto(choice.remote.tag, choice.remote.suite);
  return { remote: choice.remote, local, attribute: formatCryptoAttribute(local), skipped: choice.skipped };
}

/**
 * The far end's answer to our offer: exactly one usable line whose tag and suite match one
 * of ours (RFC 4568 §7.1.3). Returns our line it accepted and its key, or why not.
 */
export function acceptAnswer(offered: readonly SdesCrypto[], answerLines: readonly string[]): { ok: true; local: SdesCrypto; remote: SdesCrypto } | { ok: false; reason: string } {
  if (answerLines.length !== 1) return { ok: false, reason: `the answer has ${answerLines.length} crypto lines, not 1` };
  const r = parseCryptoAttribute(answerLines[0]!);
  if (!r.ok) return { ok: false, reason: r.reason };
  const local = offered.find((o) => o.tag === r.crypto.tag);
  if (!local) return { ok: false, reason: `the answer's tag ${r.crypto.tag} is not one we offered` };
  if (local.suite !== r.crypto.suite) return { ok: false, reason: `the answer changed tag ${local.tag}'s suite to ${r.crypto.suite}` };
  return { ok: true, local, remote: r.crypto };
}
