import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { acceptAnswer, answerCrypto, chooseCrypto, formatCryptoAttribute, generateCrypto, offerCryptos, parseCryptoAttribute } from '../../../src-main/media/srtp/sdes.js';
import { SrtpSession } from '../../../src-main/media/srtp/srtp-session.js';

/** RFC 4568 §5's example key (key || salt, 30 bytes). */
const KEY = 'WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz';

function reason(line: string): string {
  const r = parseCryptoAttribute(line);
  assert.equal(r.ok, false, line);
  return r.ok ? '' : r.reason;
}

describe('SDES a=crypto (RFC 4568)', () => {
  test('parses the RFC examples: with and without a=crypto:, lifetimes 2^20 and decimal, WSH', () => {
    for (const line of [`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|2^20`, `crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|2^20`, `1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|1048576`]) {
      const r = parseCryptoAttribute(line);
      assert.ok(r.ok, line);
      assert.equal(r.crypto.tag, 1);
      assert.equal(r.crypto.suite, 'AES_CM_128_HMAC_SHA1_80');
      assert.equal(r.crypto.lifetime, 2 ** 20);
      assert.equal(r.crypto.master.key.length, 16);
      assert.equal(r.crypto.master.salt.length, 14);
      assert.deepEqual(Buffer.concat([r.crypto.master.key, r.crypto.master.salt]), Buffer.from(KEY, 'base64'));
    }
    const w = parseCryptoAttribute(`2 AES_CM_128_HMAC_SHA1_32 inline:${KEY} WSH=32`);
    assert.ok(w.ok);
    assert.equal(w.crypto.suite, 'AES_CM_128_HMAC_SHA1_32');
    assert.equal(w.crypto.windowHint, 64, 'never below 64');
    assert.equal(w.crypto.lifetime, undefined);
  });

  test('refuses bad base64, wrong key lengths, MKIs, several keys, KDR and other session parameters, bad lifetimes', () => {
    assert.match(reason(`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY.slice(0, -1)}!`), /not base64/);
    assert.match(reason(`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY.slice(0, -4)}`), /27 bytes, AES_CM_128_HMAC_SHA1_80 needs 30/);
    assert.match(reason(`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}AAAA`), /33 bytes/);
    assert.match(reason(`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|2^20|1:4`), /MKI/);
    assert.match(reason(`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|1:4`), /MKI/);
    assert.match(reason(`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|2^20|1:4;inline:${KEY}|2^20|2:4`), /several master keys/);
    assert.match(reason(`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY} KDR=23`), /KDR=23/);
    assert.match(reason(`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY} UNENCRYPTED_SRTP`), /UNENCRYPTED_SRTP/);
    assert.match(reason(`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY} FEC_ORDER=FEC_SRTP`), /FEC_ORDER/);
    assert.match(reason(`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|2^0x`), /lifetime/);
    assert.match(reason(`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|2^49`), /lifetime/);
    assert.match(reason(`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|0`), /lifetime/);
    assert.match(reason(`1 AES_CM_128_HMAC_SHA1_80 key:${KEY}`), /key method/);
    assert.match(reason(`1234567890 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`), /bad tag/);
    assert.match(reason(`x AES_CM_128_HMAC_SHA1_80 inline:${KEY}`), /bad tag/);
    assert.match(reason('1 AES_CM_128_HMAC_SHA1_80'), /missing/);
    assert.match(reason(`1 AES_256_CM_HMAC_SHA1_80 inline:${KEY}`), /unsupported crypto suite/);
    assert.match(reason(`1 ROT13 inline:${KEY}`), /unknown crypto suite/);
    assert.match(reason(''), /bad tag/);
  });

  test('an offer: unknown and unusable lines are skipped, the first supported one is chosen', () => {
    const c = chooseCrypto([`1 AEAD_AES_256_GCM inline:${KEY}${KEY}`, `2 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|2^20|1:4`, `3 AES_CM_128_HMAC_SHA1_32 inline:${KEY}`, `4 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`]);
    assert.equal(c.remote?.tag, 3);
    assert.deepEqual(c.skipped.map((s) => s.reason), ['unsupported crypto suite AEAD_AES_256_GCM', 'an MKI (not supported: we use one key per direction)']);
    const none = chooseCrypto([`1 F8_128_HMAC_SHA1_80 inline:${KEY}`]);
    assert.equal(none.remote, undefined);
    assert.equal(none.skipped.length, 1);
  });

  test('generated keys are fresh, 30 bytes, and format to a line that parses back', () => {
    const a = generateCrypto(1);
    const b = generateCrypto(1);
    assert.notDeepEqual(a.master.key, b.master.key);
    const line = formatCryptoAttribute(a);
    assert.match(line, /^1 AES_CM_128_HMAC_SHA1_80 inline:[A-Za-z0-9+/]{40}$/);
    const r = parseCryptoAttribute(`a=crypto:${line}`);
    assert.ok(r.ok);
    assert.deepEqual(r.crypto.master, a.master);
    assert.deepEqual(offerCryptos().map((c) => `${c.tag} ${c.suite}`), ['1 AES_CM_128_HMAC_SHA1_80', '2 AES_CM_128_HMAC_SHA1_32']);
  });

  test('offer → answer → SRTP: both ends key their sessions from the exchanged lines and talk', () => {
    const ours = offerCryptos();
    const answer = answerCrypto(ours.map(formatCryptoAttribute));
    assert.ok(answer.remote);
    assert.equal(answer.local.tag, 1);
    const accepted = acceptAnswer(ours, [answer.attribute]);
    assert.ok(accepted.ok);
    const offerer = new SrtpSession({ suite: accepted.local.suite, local: accepted.local.master, remote: accepted.remote.master });
    const answerer = new SrtpSession({ suite: answer.local.suite, local: answer.local.master, remote: answer.remote.master });
    const p = Buffer.concat([Buffer.from([0x80, 0, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4]), Buffer.alloc(160, 0x55)]);
    const r = answerer.unprotectRtp(offerer.protectRtp(p)!);
    assert.ok(r.ok);
    assert.deepEqual(r.packet, p);
  });

  test('an answer with a tag we did not offer, a changed suite, or two lines is refused', () => {
    const ours = offerCryptos();
    const bad = (lines: string[]): string => {
      const r = acceptAnswer(ours, lines);
      return r.ok ? '' : r.reason;
    };
    assert.match(bad([`7 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`]), /tag 7 is not one we offered/);
    assert.match(bad([`1 AES_CM_128_HMAC_SHA1_32 inline:${KEY}`]), /changed tag 1's suite/);
    assert.match(bad([`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`, `2 AES_CM_128_HMAC_SHA1_32 inline:${KEY}`]), /2 crypto lines/);
    assert.match(bad([]), /0 crypto lines/);
  });
});
