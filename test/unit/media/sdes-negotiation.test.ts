import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '../../../src-main/common/logger.js';
import type { MediaEncryption } from '../../../src-main/contract/vocabulary.js';
import {
  answerOffer,
  applyAnswer,
  createOffer,
  offerProblem,
  type AnswerOutcome,
  type ApplyAnswerOutcome,
  type LocalMediaConfig,
  type Negotiated,
} from '../../../src-main/media/sdp/negotiate.js';
import { CallSrtp } from '../../../src-main/media/srtp/call-srtp.js';
import { generateCrypto, parseCryptoAttribute } from '../../../src-main/media/srtp/sdes.js';
import { SrtpSession } from '../../../src-main/media/srtp/srtp-session.js';
import { crlf } from '../../support/sdp-fixtures.js';

const base: LocalMediaConfig = { address: '192.0.2.50', rtpPort: 40000, codecs: ['PCMU', 'PCMA'] };
const policy = (encryption: MediaEncryption, more: Partial<LocalMediaConfig> = {}): LocalMediaConfig => ({ ...base, encryption, ...more });

function answered(outcome: AnswerOutcome): Extract<AnswerOutcome, { ok: true }> {
  if (!outcome.ok) assert.fail(`expected an answer, got ${outcome.status}: ${outcome.error}`);
  return outcome;
}

function refused(outcome: AnswerOutcome): Extract<AnswerOutcome, { ok: false }> {
  if (outcome.ok) assert.fail(`expected a 488, got an answer:\n${outcome.answer}`);
  return outcome;
}

function applied(outcome: ApplyAnswerOutcome): Extract<ApplyAnswerOutcome, { ok: true }> {
  if (!outcome.ok) assert.fail(`expected the answer to apply, got: ${outcome.error}`);
  return outcome;
}

const cryptoLines = (sdp: string): string[] => sdp.split('\r\n').filter((l) => l.startsWith('a=crypto:'));
const mLine = (sdp: string): string => sdp.split('\r\n').find((l) => l.startsWith('m='))!;
const key30 = (byte: number): string => Buffer.alloc(30, byte).toString('base64');

/** An offer with the given profile and a=crypto lines (SDES, RFC 4568). */
function offer(profile: 'RTP/AVP' | 'RTP/SAVP', crypto: string[], version = 1): string {
  return crlf(`
    v=0
    o=- 42 ${version} IN IP4 192.0.2.10
    s=-
    c=IN IP4 192.0.2.10
    t=0 0
    m=audio 17458 ${profile} 0 101
    a=rtpmap:0 PCMU/8000
    a=rtpmap:101 telephone-event/8000
    a=fmtp:101 0-16
    ${crypto.map((c) => `a=crypto:${c}`).join('\n')}
    a=sendrecv
  `);
}

// Linphone 5.1 with media_encryption=srtp (captured from linphonec): RTP/SAVP, four suites, two we do not speak.
const linphoneOffer = crlf(`
  v=0
  o=linphone 1473 847 IN IP4 127.0.0.1
  s=Talk
  c=IN IP4 127.0.0.1
  t=0 0
  a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics
  m=audio 37104 RTP/SAVP 96 97 98 0 8 18 99 100 101
  a=rtpmap:96 opus/48000/2
  a=fmtp:96 useinbandfec=1
  a=rtpmap:97 speex/16000
  a=fmtp:97 vbr=on
  a=rtpmap:98 speex/8000
  a=fmtp:98 vbr=on
  a=fmtp:18 annexb=yes
  a=rtpmap:99 telephone-event/48000
  a=rtpmap:100 telephone-event/16000
  a=rtpmap:101 telephone-event/8000
  a=crypto:3 AES_256_CM_HMAC_SHA1_80 inline:rMgi2sDRyg2qbjq3sHCB4p/dzSDOq0RKbzD4j/tRjZm6vXTeoPiKYquSrJ6FUw==
  a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:QewJjmKtoe/SEjDMgaC1y+DitPNmC8YpLdqj7jiL
  a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:NwQ8Ubn2XKw0rKl1PMqmZFabqA/9790xL/TPMaeU
  a=rtcp-fb:* trr-int 5000
`);

describe('SDES offers (createOffer)', () => {
  it('off: RTP/AVP without a=crypto', () => {
    const o = createOffer(policy('off'));
    assert.match(mLine(o.sdp), / RTP\/AVP /);
    assert.deepEqual(cryptoLines(o.sdp), []);
  });

  it('optional: RTP/AVP with a fresh key per suite (best-effort SDES); the retry after a 488 offers RTP/SAVP', () => {
    const o = createOffer(policy('optional'));
    assert.match(mLine(o.sdp), / RTP\/AVP /);
    const lines = cryptoLines(o.sdp);
    assert.deepEqual(lines.map((l) => l.split(' ').slice(0, 2).join(' ')), ['a=crypto:1 AES_CM_128_HMAC_SHA1_80', 'a=crypto:2 AES_CM_128_HMAC_SHA1_32']);
    const keys = lines.map((l) => l.split('inline:')[1]);
    assert.notEqual(keys[0], keys[1], 'one key per line');
    assert.notDeepEqual(cryptoLines(createOffer(policy('optional')).sdp), lines, 'fresh keys for every new offer');
    assert.match(mLine(createOffer(policy('optional', { offerSavp: true })).sdp), / RTP\/SAVP /);
  });

  it('mandatory: RTP/SAVP with a=crypto', () => {
    const o = createOffer(policy('mandatory'));
    assert.match(mLine(o.sdp), / RTP\/SAVP /);
    assert.equal(cryptoLines(o.sdp).length, 2);
  });
});

describe('answering SDES offers (answerOffer)', () => {
  const k1 = `1 AES_CM_128_HMAC_SHA1_80 inline:${key30(1)}`;
  const k2 = `2 AES_CM_128_HMAC_SHA1_32 inline:${key30(2)}`;
  const aes256 = `3 AES_256_CM_HMAC_SHA1_80 inline:${Buffer.alloc(46, 3).toString('base64')}`;

  it('off: refuses RTP/SAVP with 488, Warning 302, reason srtp-refused; takes RTP/AVP with a=crypto as plain RTP', () => {
    const r = refused(answerOffer(offer('RTP/SAVP', [k1]), policy('off')));
    assert.equal(r.status, 488);
    assert.equal(r.problem, 'srtp-refused');
    assert.equal(r.warning?.code, 302);
    assert.match(r.warning?.text ?? '', /encryption is off/);
    const a = answered(answerOffer(offer('RTP/AVP', [k1]), policy('off')));
    assert.deepEqual(cryptoLines(a.answer), []);
    assert.equal(a.negotiated.srtp, undefined);
  });

  for (const encryption of ['optional', 'mandatory'] as const) {
    it(`${encryption}: answers RTP/SAVP and RTP/AVP with a=crypto with its own key on the first usable line`, () => {
      for (const profile of ['RTP/SAVP', 'RTP/AVP'] as const) {
        const a = answered(answerOffer(offer(profile, [aes256, k2, k1]), policy(encryption)));
        assert.match(mLine(a.answer), new RegExp(` ${profile.replace('/', '\\/')} `), 'the answer keeps the offer\'s profile');
        const lines = cryptoLines(a.answer);
        assert.equal(lines.length, 1);
        assert.match(lines[0]!, /^a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:/, 'the offerer\'s preference among the suites we speak, its tag echoed');
        const ours = parseCryptoAttribute(lines[0]!);
        assert.ok(ours.ok);
        assert.ok(!ours.crypto.master.key.equals(Buffer.alloc(16, 2)), 'our own key, not theirs');
        assert.equal(a.negotiated.srtp?.suite, 'AES_CM_128_HMAC_SHA1_32');
        assert.deepEqual(a.negotiated.srtp?.remote.master.key, Buffer.alloc(16, 2));
        assert.equal(a.negotiated.srtp?.profile, profile);
      }
    });
  }

  it('optional: plain RTP/AVP, or RTP/AVP whose keys are all unusable, is answered plain', () => {
    assert.equal(answered(answerOffer(offer('RTP/AVP', []), policy('optional'))).negotiated.srtp, undefined);
    const a = answered(answerOffer(offer('RTP/AVP', [aes256]), policy('optional')));
    assert.equal(a.negotiated.srtp, undefined);
    assert.deepEqual(cryptoLines(a.answer), []);
  });

  it('mandatory: refuses plain RTP (302, srtp-required) and unusable keys (306, no-usable-crypto)', () => {
    const plain = refused(answerOffer(offer('RTP/AVP', []), policy('mandatory')));
    assert.deepEqual([plain.status, plain.problem, plain.warning?.code], [488, 'srtp-required', 302]);
    const bad = refused(answerOffer(offer('RTP/AVP', [aes256]), policy('mandatory')));
    assert.deepEqual([bad.problem, bad.warning?.code], ['no-usable-crypto', 306]);
    assert.match(bad.error, /unsupported crypto suite AES_256_CM_HMAC_SHA1_80/);
  });

  it('refuses RTP/SAVP without a=crypto (DTLS-SRTP is not supported) and other profiles', () => {
    const r = refused(answerOffer(offer('RTP/SAVP', []), policy('optional')));
    assert.deepEqual([r.problem, r.warning?.code], ['no-usable-crypto', 306]);
    const f = refused(answerOffer(offer('RTP/SAVP', [k1]).replace('RTP/SAVP', 'RTP/SAVPF'), policy('optional')));
    assert.equal(f.problem, 'unsupported-transport');
  });

  it("answers Linphone's offer (RTP/SAVP, AES-256 first) with AES_CM_128_HMAC_SHA1_32 on PCMU", () => {
    const a = answered(answerOffer(linphoneOffer, policy('optional')));
    assert.match(mLine(a.answer), /^m=audio 40000 RTP\/SAVP 0 101$/);
    assert.match(cryptoLines(a.answer)[0]!, /^a=crypto:2 AES_CM_128_HMAC_SHA1_32 /);
  });

  it('offerProblem says what answerOffer would refuse, without building an answer', () => {
    assert.equal(offerProblem(offer('RTP/SAVP', [k1]), policy('optional')), undefined);
    assert.equal(offerProblem(offer('RTP/SAVP', [k1]), policy('off'))?.problem, 'srtp-refused');
    assert.equal(offerProblem(offer('RTP/AVP', []), policy('mandatory'))?.problem, 'srtp-required');
    assert.equal(offerProblem(offer('RTP/AVP', []).replace('0 101', '18 101'), policy('off'))?.problem, 'no-common-codec');
    assert.equal(offerProblem('garbage', policy('off'))?.status, 400);
  });
});

describe('SDES across re-INVITEs', () => {
  const k1 = `1 AES_CM_128_HMAC_SHA1_80 inline:${key30(1)}`;

  it('keeps our key while the far end keeps its own; a new key of theirs gets a new key of ours', () => {
    const first = answered(answerOffer(offer('RTP/SAVP', [k1]), policy('optional')));
    const ctx = { origin: first.origin, current: first.negotiated };
    const hold = answered(answerOffer(offer('RTP/SAVP', [k1], 2).replace('a=sendrecv', 'a=sendonly'), policy('optional'), ctx));
    assert.deepEqual(cryptoLines(hold.answer), cryptoLines(first.answer), 'same key, same tag');
    assert.equal(hold.changes.srtp, false);
    // The far end re-keys (and renumbers its tag).
    const rekey = answered(answerOffer(offer('RTP/SAVP', [`7 AES_CM_128_HMAC_SHA1_80 inline:${key30(9)}`], 3), policy('optional'), { origin: hold.origin, current: hold.negotiated }));
    assert.equal(rekey.changes.srtp, true);
    assert.match(cryptoLines(rekey.answer)[0]!, /^a=crypto:7 /);
    assert.notDeepEqual(rekey.negotiated.srtp?.local.master.key, first.negotiated.srtp?.local.master.key, 'a fresh key of ours');
    // Dropping SRTP (optional policy): plain from now on.
    const plain = answered(answerOffer(offer('RTP/AVP', [], 4), policy('optional'), { origin: rekey.origin, current: rekey.negotiated }));
    assert.equal(plain.negotiated.srtp, undefined);
    assert.equal(plain.changes.srtp, true);
  });

  it('our re-offer carries the key in use, with its profile; a call that went plain is re-offered plain', () => {
    const ours = createOffer(policy('optional'));
    const answer = offer('RTP/AVP', [`1 AES_CM_128_HMAC_SHA1_80 inline:${key30(5)}`]);
    const n = applied(applyAnswer(ours.sdp, answer)).negotiated;
    assert.equal(n.srtp?.suite, 'AES_CM_128_HMAC_SHA1_80');
    const reoffer = createOffer(policy('optional', { hold: true }), ours.origin, n);
    assert.match(mLine(reoffer.sdp), / RTP\/AVP /);
    assert.deepEqual(cryptoLines(reoffer.sdp), [cryptoLines(ours.sdp)[0]], 'only the line in use, same key');
    const again = applied(applyAnswer(reoffer.sdp, answer.replace('a=sendrecv', 'a=recvonly'), n));
    assert.equal(again.changes.srtp, false, 'the same keys both ways: the SRTP context stays');
    const theirNewKey = applied(applyAnswer(reoffer.sdp, offer('RTP/AVP', [`1 AES_CM_128_HMAC_SHA1_80 inline:${key30(6)}`]).replace('a=sendrecv', 'a=recvonly'), n));
    assert.equal(theirNewKey.changes.srtp, true);
    assert.deepEqual(theirNewKey.negotiated.srtp?.local.master.key, n.srtp?.local.master.key, 'ours stays: it is in the offer they answered');
    const plainCall: Negotiated = { ...n };
    delete plainCall.srtp;
    assert.deepEqual(cryptoLines(createOffer(policy('optional'), ours.origin, plainCall).sdp), []);
  });
});

describe('applying answers to SDES offers (applyAnswer)', () => {
  it('a plain answer to a best-effort offer is plain RTP; an RTP/SAVP offer answered without a key fails', () => {
    const best = createOffer(policy('optional'));
    assert.equal(applied(applyAnswer(best.sdp, offer('RTP/AVP', []))).negotiated.srtp, undefined);
    const savp = createOffer(policy('mandatory'));
    assert.equal(applyAnswer(savp.sdp, offer('RTP/SAVP', [])).ok, false);
  });

  it('ignores a=crypto in the answer to an offer without keys (baresip `srtp` adds one, then sends plain RTP)', () => {
    const plain = createOffer(policy('off'));
    assert.equal(applied(applyAnswer(plain.sdp, offer('RTP/AVP', [`1 AES_CM_128_HMAC_SHA1_80 inline:${key30(1)}`]))).negotiated.srtp, undefined);
  });

  it('refuses an answer whose tag or suite is not one we offered', () => {
    const o = createOffer(policy('mandatory'));
    const wrongTag = applyAnswer(o.sdp, offer('RTP/SAVP', [`5 AES_CM_128_HMAC_SHA1_80 inline:${key30(1)}`]));
    assert.ok(!wrongTag.ok && /tag 5/.test(wrongTag.error));
    const wrongSuite = applyAnswer(o.sdp, offer('RTP/SAVP', [`1 AES_CM_128_HMAC_SHA1_32 inline:${key30(1)}`]));
    assert.ok(!wrongSuite.ok && /suite/.test(wrongSuite.error));
  });
});

describe('CallSrtp', () => {
  const rtp = (seq: number): Buffer => {
    const p = Buffer.alloc(12 + 160, 0xd5);
    p[0] = 0x80;
    p.writeUInt16BE(seq, 2);
    p.writeUInt32BE(seq * 160, 4);
    p.writeUInt32BE(0x1234, 8);
    return p;
  };

  it('one context while our key stays; the far end re-keys in place; a key of ours is never reused in a new context', () => {
    const set: (SrtpSession | undefined)[] = [];
    const c = new CallSrtp({ setSrtp: (s) => set.push(s) }, silentLogger);
    const local = generateCrypto(1);
    const remoteA = generateCrypto(1);
    const remoteB = generateCrypto(1);
    c.update({ suite: local.suite, local, remote: remoteA, profile: 'RTP/SAVP' });
    const session = c.session!;
    assert.equal(c.suite, 'AES_CM_128_HMAC_SHA1_80');
    c.update({ suite: local.suite, local: { ...local, tag: 4 }, remote: remoteA, profile: 'RTP/SAVP' });
    assert.equal(set.length, 1, 'hold/resume with the same keys keeps the SRTP context');
    // The far end re-keys: packets under its new key authenticate, the old key's do not.
    c.update({ suite: local.suite, local, remote: remoteB, profile: 'RTP/SAVP' });
    assert.equal(c.session, session);
    const farB = new SrtpSession({ suite: local.suite, local: remoteB.master, remote: local.master });
    const farA = new SrtpSession({ suite: local.suite, local: remoteA.master, remote: local.master });
    assert.ok(session.unprotectRtp(farB.protectRtp(rtp(1))!).ok);
    assert.equal(session.unprotectRtp(farA.protectRtp(rtp(2))!).ok, false);
    // SRTP off, then on again: a fresh key of ours is fine, the old one is refused.
    c.update(undefined);
    assert.equal(c.suite, undefined);
    assert.equal(set.at(-1), undefined);
    assert.throws(() => c.update({ suite: local.suite, local, remote: remoteA, profile: 'RTP/SAVP' }), /second SRTP context/);
    const fresh = generateCrypto(1);
    c.update({ suite: fresh.suite, local: fresh, remote: remoteA, profile: 'RTP/SAVP' });
    assert.notEqual(c.session, session);
  });
});
