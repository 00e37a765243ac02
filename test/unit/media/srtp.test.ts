import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { aesCmXor, counterIv } from '../../../src-main/media/srtp/aes-cm.js';
import { deriveSessionKey, LABEL } from '../../../src-main/media/srtp/key-derivation.js';
import { ReplayWindow } from '../../../src-main/media/srtp/replay-window.js';
import { guessRoc } from '../../../src-main/media/srtp/rollover.js';
import { SrtpSession } from '../../../src-main/media/srtp/srtp-session.js';
import { SUPPORTED_SUITES, type SrtpMasterKey, type SrtpSuiteName } from '../../../src-main/media/srtp/srtp-suites.js';
import { deriveSessionKeys } from '../../../src-main/media/srtp/key-derivation.js';
import { SRTP_SUITES } from '../../../src-main/media/srtp/srtp-suites.js';
import { protectRtcpPacket, rtpHeaderLength } from '../../../src-main/media/srtp/srtp-transform.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** RFC 3711 B.3's master key, also libsrtp's srtp_validate() key. */
const RFC_MASTER: SrtpMasterKey = { key: hex('E1F97A0D3E018BE0D64FA32C06DE4139'), salt: hex('0EC675AD498AFEEBB6960B3AABE6') };

function rtp(seq: number, opts: { ssrc?: number; ts?: number; payload?: Buffer; pt?: number; csrcs?: number; extension?: Buffer } = {}): Buffer {
  const cc = opts.csrcs ?? 0;
  const ext = opts.extension;
  const h = Buffer.alloc(12 + cc * 4 + (ext ? 4 + ext.length : 0));
  h[0] = 0x80 | (ext ? 0x10 : 0) | cc;
  h[1] = opts.pt ?? 0;
  h.writeUInt16BE(seq & 0xffff, 2);
  h.writeUInt32BE((opts.ts ?? seq * 160) >>> 0, 4);
  h.writeUInt32BE(opts.ssrc ?? 0x11223344, 8);
  for (let i = 0; i < cc; i++) h.writeUInt32BE(0xc0000000 + i, 12 + i * 4);
  if (ext) {
    h.writeUInt16BE(0xbede, 12 + cc * 4);
    h.writeUInt16BE(ext.length / 4, 14 + cc * 4);
    ext.copy(h, 16 + cc * 4);
  }
  return Buffer.concat([h, opts.payload ?? Buffer.alloc(160, seq & 0xff)]);
}

/** A receiver report with one block (RFC 3550 §6.4.2), 32 bytes. */
function rtcpRr(ssrc = 0x11223344): Buffer {
  const b = Buffer.alloc(32);
  b[0] = 0x81;
  b[1] = 201;
  b.writeUInt16BE(7, 2);
  b.writeUInt32BE(ssrc, 4);
  b.writeUInt32BE(0xdeadbeef, 8);
  b.fill(0x5a, 12);
  return b;
}

function pair(suite: SrtpSuiteName, window?: number): { a: SrtpSession; b: SrtpSession } {
  const ka = { key: Buffer.alloc(16, 1), salt: Buffer.alloc(14, 2) };
  const kb = { key: Buffer.alloc(16, 3), salt: Buffer.alloc(14, 4) };
  const extra = window === undefined ? {} : { replayWindow: window };
  return { a: new SrtpSession({ suite, local: ka, remote: kb, ...extra }), b: new SrtpSession({ suite, local: kb, remote: ka, ...extra }) };
}

function unprotected(s: SrtpSession, p: Buffer): Buffer {
  const r = s.unprotectRtp(p);
  assert.ok(r.ok, `unprotect failed: ${r.ok ? '' : r.reason}`);
  return r.packet;
}

describe('SRTP: RFC 3711 Appendix B test vectors', () => {
  test('B.2 AES-CM keystream: the first, second, third and last three blocks of 2^16', () => {
    const sessionKey = hex('2B7E151628AED2A6ABF7158809CF4F3C');
    const iv = counterIv(hex('F0F1F2F3F4F5F6F7F8F9FAFBFCFD'), 0, 0, 0);
    assert.equal(iv.toString('hex').toUpperCase(), 'F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000');
    const zeros = Buffer.alloc(0xff02 * 16);
    const ks = Buffer.alloc(zeros.length);
    aesCmXor(sessionKey, iv, zeros, ks, 0);
    const block = (n: number): string => ks.subarray(n * 16, n * 16 + 16).toString('hex').toUpperCase();
    assert.equal(block(0x0000), 'E03EAD0935C95E80E166B16DD92B4EB4');
    assert.equal(block(0x0001), 'D23513162B02D0F72A43A2FE4A5F97AB');
    assert.equal(block(0x0002), '41E95B3BB0A2E8DD477901E4FCA894C0');
    assert.equal(block(0xfeff), 'EC8CDF7398607CB0F2D21675EA9EA1E4');
    assert.equal(block(0xff00), '362B7C3C6773516318A077D7FC5073AE');
    assert.equal(block(0xff01), '6A2CC3787889374FBEB4C81B17BA6C44');
  });

  test('B.3 key derivation: cipher key, cipher salt and the 94-byte auth keystream', () => {
    assert.equal(deriveSessionKey(RFC_MASTER, LABEL.srtpEncryption, 16).toString('hex').toUpperCase(), 'C61E7A93744F39EE10734AFE3FF7A087');
    assert.equal(deriveSessionKey(RFC_MASTER, LABEL.srtpSalt, 14).toString('hex').toUpperCase(), '30CBBC08863D8C85D49DB34A9AE1');
    const auth = deriveSessionKey(RFC_MASTER, LABEL.srtpAuthentication, 94).toString('hex').toUpperCase();
    assert.equal(
      auth,
      'CEBE321F6FF7716B6FD4AB49AF256A156D38BAA48F0A0ACF3C34E2359E6CDBCE' +
        'E049646C43D9327AD175578EF72270986371C10C9A369AC2F94A8C5FBCDDDC25' +
        '6D6E919A48B610EF17C2041E474035766B68642C59BBFC2F34DB60DBDFB2',
    );
    // The session auth key is the first 160 bits of it.
    assert.equal(deriveSessionKeys(RFC_MASTER, SRTP_SUITES.AES_CM_128_HMAC_SHA1_80, 'rtp').authentication.toString('hex').toUpperCase(), 'CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4');
  });
});

describe('SRTP: libsrtp reference packets (srtp_driver.c srtp_validate, same master key)', () => {
  // libsrtp's test/srtp_driver.c checks itself against these packets: an independent implementation's output.
  const plain = hex('800f1234decafbadcafebabe' + 'ab'.repeat(16));
  const cipher = hex('800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402');
  test('AES_CM_128_HMAC_SHA1_80 and _32: protect gives libsrtp bytes, unprotect reads them', () => {
    for (const [suite, tag] of [['AES_CM_128_HMAC_SHA1_80', 'b78d6acc99ea179b8dbb'], ['AES_CM_128_HMAC_SHA1_32', 'b78d6acc']] as const) {
      const tx = new SrtpSession({ suite, local: RFC_MASTER, remote: RFC_MASTER });
      const rx = new SrtpSession({ suite, local: RFC_MASTER, remote: RFC_MASTER });
      const expected = Buffer.concat([cipher, hex(tag)]);
      assert.equal(tx.protectRtp(plain)!.toString('hex'), expected.toString('hex'), suite);
      assert.deepEqual(unprotected(rx, expected), plain);
    }
  });

  test('SRTCP: libsrtp sends its first packet with index 1 and the E flag; same bytes, and we read them', () => {
    const rtcp = hex('81c8000bcafebabe' + 'ab'.repeat(16));
    const srtcp = hex('81c8000bcafebabe7128035be487b9bdbef89041f977a5a880000001993e08cd54d6c1230798');
    const keys = deriveSessionKeys(RFC_MASTER, SRTP_SUITES.AES_CM_128_HMAC_SHA1_80, 'rtcp');
    assert.equal(protectRtcpPacket(keys, 10, rtcp, 1).toString('hex'), srtcp.toString('hex'));
    for (const suite of SUPPORTED_SUITES) {
      // SRTCP carries the 80-bit tag under both suites.
      const rx = new SrtpSession({ suite, local: RFC_MASTER, remote: RFC_MASTER });
      const r = rx.unprotectRtcp(srtcp);
      assert.ok(r.ok, suite);
      assert.deepEqual(r.packet, rtcp);
    }
  });
});

describe('SRTP sessions', () => {
  for (const suite of SUPPORTED_SUITES) {
    test(`${suite}: RTP and RTCP round trips, both ways, with CSRCs and a header extension`, () => {
      const { a, b } = pair(suite);
      const tag = suite.endsWith('_80') ? 10 : 4;
      for (const p of [rtp(1), rtp(2, { csrcs: 2 }), rtp(3, { extension: Buffer.alloc(8, 7) }), rtp(4, { payload: Buffer.alloc(0) })]) {
        const s = a.protectRtp(p)!;
        assert.equal(s.length, p.length + tag);
        const headerLength = rtpHeaderLength(p)!;
        assert.deepEqual(s.subarray(0, headerLength), p.subarray(0, headerLength), 'header in clear');
        if (p.length > headerLength) assert.notDeepEqual(s.subarray(headerLength, p.length), p.subarray(headerLength), 'payload encrypted');
        assert.deepEqual(unprotected(b, s), p);
      }
      const back = rtp(9, { ssrc: 0x55667788 });
      assert.deepEqual(unprotected(a, b.protectRtp(back)!), back);
      const rr = rtcpRr();
      const srtcp = a.protectRtcp(rr)!;
      assert.equal(srtcp.length, rr.length + 4 + 10);
      assert.equal(srtcp.readUInt32BE(rr.length), 0x80000000, 'E flag set, first index 0');
      assert.notDeepEqual(srtcp.subarray(8, rr.length), rr.subarray(8));
      const r = b.unprotectRtcp(srtcp);
      assert.ok(r.ok);
      assert.deepEqual(r.packet, rr);
      assert.equal(a.protectRtcp(rr)!.readUInt32BE(rr.length), 0x80000001, 'the index counts up');
    });

    test(`${suite}: a tampered packet is rejected and does not disturb the stream`, () => {
      const { a, b } = pair(suite);
      const p = a.protectRtp(rtp(100))!;
      for (const at of [1, 3, 8, 20, p.length - 1]) {
        const bad = Buffer.from(p);
        bad[at]! ^= 0x01;
        assert.deepEqual(b.unprotectRtp(bad), { ok: false, reason: 'auth-failed' }, `byte ${at}`);
      }
      assert.deepEqual(b.unprotectRtp(p.subarray(0, p.length - 1)), { ok: false, reason: 'auth-failed' }, 'truncated tag');
      assert.ok(b.unprotectRtp(p).ok, 'the genuine packet still passes');
      const c = a.protectRtcp(rtcpRr())!;
      const badRtcp = Buffer.from(c);
      badRtcp[12]! ^= 0x80;
      assert.deepEqual(b.unprotectRtcp(badRtcp), { ok: false, reason: 'auth-failed' });
      assert.ok(b.unprotectRtcp(c).ok);
      assert.equal(b.drops['auth-failed'], 7);
    });

    test(`${suite}: a replayed packet is rejected, RTP and RTCP`, () => {
      const { a, b } = pair(suite);
      const p1 = a.protectRtp(rtp(7))!;
      const p2 = a.protectRtp(rtp(8))!;
      assert.ok(b.unprotectRtp(p1).ok);
      assert.ok(b.unprotectRtp(p2).ok);
      assert.deepEqual(b.unprotectRtp(p1), { ok: false, reason: 'replayed' });
      assert.deepEqual(b.unprotectRtp(p2), { ok: false, reason: 'replayed' });
      const c = a.protectRtcp(rtcpRr())!;
      assert.ok(b.unprotectRtcp(c).ok);
      assert.deepEqual(b.unprotectRtcp(c), { ok: false, reason: 'replayed' });
    });
  }

  test('the wrong key fails authentication; hostile datagrams get a reason, never an exception', () => {
    const { a } = pair('AES_CM_128_HMAC_SHA1_80');
    const stranger = new SrtpSession({ suite: 'AES_CM_128_HMAC_SHA1_80', local: RFC_MASTER, remote: RFC_MASTER });
    assert.deepEqual(stranger.unprotectRtp(a.protectRtp(rtp(1))!), { ok: false, reason: 'auth-failed' });
    const junk: Buffer[] = [Buffer.alloc(0), Buffer.from([0x80]), Buffer.alloc(12, 0x80), Buffer.alloc(21, 0x80), Buffer.alloc(40, 0x00), Buffer.from('INVITE sip:x SIP/2.0')];
    // A header that claims more CSRCs or extension words than the packet holds.
    const lying = rtp(1, { csrcs: 0 });
    lying[0] = 0x9f;
    junk.push(lying);
    for (const j of junk) {
      assert.equal(stranger.unprotectRtp(j).ok, false);
      assert.equal(stranger.unprotectRtcp(j).ok, false);
      assert.equal(stranger.protectRtp(j.length >= 12 && j[0]! >> 6 === 2 ? Buffer.alloc(0) : j), undefined);
    }
  });

  test('ROC across the 65535 → 0 wrap on both sides, with packets reordered around it', () => {
    const { a, b } = pair('AES_CM_128_HMAC_SHA1_80');
    const seqs = [65530, 65531, 65532, 65533, 65534, 65535, 0, 1, 2, 3];
    const sent = seqs.map((q) => ({ q, p: a.protectRtp(rtp(q))! }));
    // Delivered out of order across the wrap: 65534 after 0 and 1, 65535 after 2.
    const order = [65530, 65531, 65532, 65533, 0, 1, 65534, 2, 65535, 3];
    for (const q of order) {
      const s = sent.find((x) => x.q === q)!;
      assert.deepEqual(unprotected(b, s.p), rtp(q), `seq ${q}`);
    }
    // The second lap: ROC 1 on both sides, a packet from lap 0 with the same number is a replay/old one.
    assert.deepEqual(unprotected(b, a.protectRtp(rtp(4))!), rtp(4));
    assert.equal(b.unprotectRtp(sent.find((x) => x.q === 1)!.p).ok, false, 'lap-0 packet 1 again');
    // Keep going for another full lap and a bit: the ROC reaches 2.
    for (let q = 5; q < 65536 + 10; q++) assert.ok(b.unprotectRtp(a.protectRtp(rtp(q))!).ok, `lap ${q}`);
  });

  test('a sender starting near the wrap: ROC increments at 0 on the receiver as on the sender', () => {
    const { a, b } = pair('AES_CM_128_HMAC_SHA1_32');
    for (const q of [65535, 0, 1]) assert.deepEqual(unprotected(b, a.protectRtp(rtp(q))!), rtp(q));
    assert.equal(guessRoc({ roc: 0, highestSeq: 65535 }, 0), 1);
    assert.equal(guessRoc({ roc: 1, highestSeq: 2 }, 65534), 0);
    assert.equal(guessRoc({ roc: 0, highestSeq: 2 }, 65534), -1);
  });

  test('packets far out of the window are refused as too old; a jump forward is accepted', () => {
    const { a, b } = pair('AES_CM_128_HMAC_SHA1_80', 64);
    const early = [1000, 1001, 1002].map((q) => a.protectRtp(rtp(q))!);
    assert.ok(b.unprotectRtp(early[0]!).ok);
    for (let q = 1003; q < 1100; q++) assert.ok(b.unprotectRtp(a.protectRtp(rtp(q))!).ok);
    assert.deepEqual(b.unprotectRtp(early[1]!), { ok: false, reason: 'too-old' });
    assert.deepEqual(b.unprotectRtp(early[2]!), { ok: false, reason: 'too-old' });
    // 20 000 packets lost: still inside ±2^15 of s_l, so the ROC guess holds and the packet plays.
    assert.ok(b.unprotectRtp(a.protectRtp(rtp(21_100))!).ok);
    assert.ok(b.unprotectRtp(a.protectRtp(rtp(21_099))!).ok, 'one just behind the new highest is still in the window');
  });

  test('a key lifetime stops protection and reception once used up', () => {
    const ka = { key: Buffer.alloc(16, 1), salt: Buffer.alloc(14, 2) };
    const a = new SrtpSession({ suite: 'AES_CM_128_HMAC_SHA1_80', local: ka, remote: ka, localLifetime: 3 });
    const b = new SrtpSession({ suite: 'AES_CM_128_HMAC_SHA1_80', local: ka, remote: ka, remoteLifetime: 2 });
    const p = [1, 2, 3].map((q) => a.protectRtp(rtp(q)));
    assert.ok(p.every((x) => x !== undefined));
    assert.equal(a.protectRtp(rtp(4)), undefined);
    assert.equal(a.protectRtcp(rtcpRr()), undefined);
    assert.ok(b.unprotectRtp(p[0]!).ok);
    assert.ok(b.unprotectRtp(p[1]!).ok);
    assert.deepEqual(b.unprotectRtp(p[2]!), { ok: false, reason: 'key-exhausted' });
  });

  test('replay window: 64 is the least; each index once; the window slides', () => {
    assert.throws(() => new ReplayWindow(32), RangeError);
    const w = new ReplayWindow(64);
    assert.equal(w.check(5), 'new');
    w.mark(5);
    assert.equal(w.check(5), 'replayed');
    w.mark(70);
    assert.equal(w.check(5), 'too-old');
    assert.equal(w.check(6), 'too-old', '64 behind the highest');
    assert.equal(w.check(7), 'new', '63 behind');
    w.mark(1_000_000);
    assert.equal(w.check(999_999), 'new', 'a slot reused after a big jump is clean');
    assert.equal(w.check(1_000_000), 'replayed');
  });
});

describe('SRTP properties (fast-check)', () => {
  const suiteArb = fc.constantFrom(...SUPPORTED_SUITES);
  const keyArb = fc.record({ key: fc.uint8Array({ minLength: 16, maxLength: 16 }), salt: fc.uint8Array({ minLength: 14, maxLength: 14 }) }).map((k) => ({ key: Buffer.from(k.key), salt: Buffer.from(k.salt) }));
  const rtpArb = fc.record({
    seq: fc.integer({ min: 0, max: 65535 }),
    ssrc: fc.integer({ min: 0, max: 0xffffffff }),
    ts: fc.integer({ min: 0, max: 0xffffffff }),
    pt: fc.integer({ min: 0, max: 127 }),
    csrcs: fc.integer({ min: 0, max: 3 }),
    payload: fc.uint8Array({ minLength: 0, maxLength: 300 }),
  }).map((r) => rtp(r.seq, { ssrc: r.ssrc, ts: r.ts, pt: r.pt, csrcs: r.csrcs, payload: Buffer.from(r.payload) }));

  test('protect → unprotect is the identity for RTP and RTCP', () => {
    fc.assert(
      fc.property(suiteArb, keyArb, rtpArb, fc.uint8Array({ minLength: 0, maxLength: 200 }), (suite, key, p, body) => {
        const tx = new SrtpSession({ suite, local: key, remote: key });
        const rx = new SrtpSession({ suite, local: key, remote: key });
        const r = rx.unprotectRtp(tx.protectRtp(p)!);
        assert.ok(r.ok);
        assert.deepEqual(r.packet, p);
        const rtcp = Buffer.concat([rtcpRr(p.readUInt32BE(8)), Buffer.from(body)]);
        const c = rx.unprotectRtcp(tx.protectRtcp(rtcp)!);
        assert.ok(c.ok);
        assert.deepEqual(c.packet, rtcp);
      }),
      { numRuns: 300 },
    );
  });

  test('any single bit flipped in a protected packet is rejected', () => {
    fc.assert(
      fc.property(suiteArb, keyArb, rtpArb, fc.nat(), fc.boolean(), (suite, key, p, bitSeed, isRtcp) => {
        const tx = new SrtpSession({ suite, local: key, remote: key });
        const rx = new SrtpSession({ suite, local: key, remote: key });
        const s = isRtcp ? tx.protectRtcp(rtcpRr(p.readUInt32BE(8)))! : tx.protectRtp(p)!;
        const bit = bitSeed % (s.length * 8);
        const bad = Buffer.from(s);
        bad[bit >> 3]! ^= 1 << (bit & 7);
        const r = isRtcp ? rx.unprotectRtcp(bad) : rx.unprotectRtp(bad);
        assert.equal(r.ok, false, `bit ${bit} of ${s.length * 8}`);
      }),
      { numRuns: 500 },
    );
  });
});
