import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SrtpSession } from '../../src-main/media/srtp/srtp-session.js';
import { SUPPORTED_SUITES, type SrtpSuiteName } from '../../src-main/media/srtp/srtp-suites.js';
import { findBinary } from '../support/peer-binaries.js';
import { peersDir } from '../support/paths.js';

/**
 * Interop with libsrtp 2 (Debian's libsrtp2, the library baresip, Asterisk and FreeSWITCH
 * use): a small C peer (test/peers/libsrtp/srtp-peer.c) compiled here protects and
 * unprotects packets; LineDesk's SrtpSession does the other side, across the sequence wrap.
 */
const HEADER = '/usr/include/srtp2/srtp.h';

function skipReason(): string | undefined {
  const missing = [findBinary('cc') ? undefined : 'cc (apt-get install gcc)', existsSync(HEADER) ? undefined : `${HEADER} (apt-get install libsrtp2-dev)`].filter((m) => m !== undefined);
  if (missing.length === 0) return undefined;
  const message = `the libsrtp interop test needs ${missing.join(' and ')}`;
  if (process.env.LINEDESK_REQUIRE_PEERS === '1') throw new Error(`${message} (LINEDESK_REQUIRE_PEERS=1)`);
  return message;
}

function rtp(seq: number, ssrc: number): Buffer {
  const h = Buffer.alloc(12);
  h[0] = 0x80;
  h[1] = 0;
  h.writeUInt16BE(seq & 0xffff, 2);
  h.writeUInt32BE((seq * 160) >>> 0, 4);
  h.writeUInt32BE(ssrc, 8);
  return Buffer.concat([h, randomBytes(160)]);
}

function rtcp(ssrc: number): Buffer {
  const b = Buffer.alloc(32);
  b[0] = 0x81;
  b[1] = 201;
  b.writeUInt16BE(7, 2);
  b.writeUInt32BE(ssrc, 4);
  randomBytes(24).copy(b, 8);
  return b;
}

const skip = skipReason();

describe('SRTP interop with libsrtp 2', { skip }, () => {
  let dir = '';
  let peer = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'linedesk-libsrtp-'));
    peer = join(dir, 'srtp-peer');
    execFileSync('cc', ['-O2', '-o', peer, peersDir('libsrtp', 'srtp-peer.c'), '-lsrtp2']);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs the libsrtp peer over `packets`; one result per packet: bytes, or the libsrtp error. */
  function libsrtp(suite: SrtpSuiteName, key: Buffer, op: 'protect' | 'unprotect', kind: 'rtp' | 'rtcp', packets: Buffer[]): (Buffer | string)[] {
    const r = spawnSync(peer, [suite.endsWith('_32') ? '32' : '80', key.toString('hex'), op, kind], { input: packets.map((p) => p.toString('hex')).join('\n') + '\n', maxBuffer: 64 << 20 });
    assert.equal(r.status, 0, String(r.stderr));
    const lines = String(r.stdout).trim().split('\n');
    assert.equal(lines.length, packets.length);
    return lines.map((l) => (l.startsWith('ERR') ? l : Buffer.from(l, 'hex')));
  }

  for (const suite of SUPPORTED_SUITES) {
    test(`${suite}: libsrtp reads what we protect, across the 65535 → 0 wrap, and refuses it tampered`, () => {
      const master = randomBytes(30);
      const ours = new SrtpSession({ suite, local: { key: master.subarray(0, 16), salt: master.subarray(16) }, remote: { key: master.subarray(0, 16), salt: master.subarray(16) } });
      const plain = Array.from({ length: 1200 }, (_, i) => rtp(65_000 + i, 0x1234abcd));
      const out = libsrtp(suite, master, 'unprotect', 'rtp', plain.map((p) => ours.protectRtp(p)!));
      out.forEach((o, i) => assert.deepEqual(o, plain[i], `packet ${i} (seq ${(65_000 + i) & 0xffff})`));
      const tampered = ours.protectRtp(rtp(1200 + 65_000, 0x1234abcd))!;
      tampered[20]! ^= 1;
      assert.match(String(libsrtp(suite, master, 'unprotect', 'rtp', [tampered])[0]), /^ERR 7$/, 'srtp_err_status_auth_fail');
      const reports = Array.from({ length: 20 }, () => rtcp(0x1234abcd));
      const back = libsrtp(suite, master, 'unprotect', 'rtcp', reports.map((p) => ours.protectRtcp(p)!));
      back.forEach((o, i) => assert.deepEqual(o, reports[i], `RTCP ${i}`));
    });

    test(`${suite}: we read what libsrtp protects, across the wrap, with a packet replayed`, () => {
      const master = randomBytes(30);
      const ours = new SrtpSession({ suite, local: { key: master.subarray(0, 16), salt: master.subarray(16) }, remote: { key: master.subarray(0, 16), salt: master.subarray(16) } });
      const plain = Array.from({ length: 1200 }, (_, i) => rtp(65_000 + i, 0x0badcafe));
      const protectedByLibsrtp = libsrtp(suite, master, 'protect', 'rtp', plain) as Buffer[];
      assert.equal(protectedByLibsrtp[0]!.length, plain[0]!.length + (suite.endsWith('_80') ? 10 : 4));
      protectedByLibsrtp.forEach((p, i) => {
        const r = ours.unprotectRtp(p);
        assert.ok(r.ok, `packet ${i}: ${r.ok ? '' : r.reason}`);
        assert.deepEqual(r.packet, plain[i]);
      });
      assert.deepEqual(ours.unprotectRtp(protectedByLibsrtp[1100]!), { ok: false, reason: 'replayed' });
      const reports = Array.from({ length: 20 }, () => rtcp(0x0badcafe));
      const srtcp = libsrtp(suite, master, 'protect', 'rtcp', reports) as Buffer[];
      srtcp.forEach((p, i) => {
        const r = ours.unprotectRtcp(p);
        assert.ok(r.ok, `RTCP ${i}`);
        assert.deepEqual(r.packet, reports[i]);
      });
    });
  }
});
