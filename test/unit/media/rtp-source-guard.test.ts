import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { describe, test } from 'node:test';
import { systemClock } from '../../../src-main/common/clock.js';
import { createLogger, silentLogger } from '../../../src-main/common/logger.js';
import { bindRtpPortPair, type RtpPortPair } from '../../../src-main/media/rtp/rtp-port-pair.js';
import type { IncomingRtp } from '../../../src-main/media/rtp/incoming-rtp.js';
import { RtpSession, type RtpSessionOptions } from '../../../src-main/media/rtp/rtp-session.js';
import { canonicalIp, RtpSourceGuard } from '../../../src-main/media/rtp/rtp-source-guard.js';
import { SrtpSession } from '../../../src-main/media/srtp/srtp-session.js';
import { freeUdpPortBlock } from '../../support/ports.js';

const range = { min: 46000, max: 46999 };
const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A UDP socket on a loopback address (any 127.x.y.z is a source address on Linux) that records what it gets. */
async function peer(address: string): Promise<{ s: Socket; port: number; got: Buffer[]; send(b: Buffer, port: number, to?: string): Promise<void> }> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, address, r));
  const got: Buffer[] = [];
  s.on('message', (m) => got.push(m));
  return {
    s,
    port: s.address().port,
    got,
    send: (b, port, to = '127.0.0.1') => new Promise((r, j) => s.send(b, port, to, (e) => (e ? j(e) : r()))),
  };
}

function rtp(seq: number, ssrc: number, fill = 0xd5): Buffer {
  const h = Buffer.alloc(12 + 160, fill);
  h[0] = 0x80;
  h[1] = 8;
  h.writeUInt16BE(seq & 0xffff, 2);
  h.writeUInt32BE(seq * 160, 4);
  h.writeUInt32BE(ssrc, 8);
  return h;
}

/** An RTCP RR from `ssrc` reporting 50 % loss on `about`'s stream. */
function rr(ssrc: number, about: number): Buffer {
  const b = Buffer.alloc(32);
  b[0] = 0x81;
  b[1] = 201;
  b.writeUInt16BE(7, 2);
  b.writeUInt32BE(ssrc, 4);
  b.writeUInt32BE(about, 8);
  b[12] = 128; // fraction lost
  return b;
}

async function session(extra: Partial<RtpSessionOptions> = {}): Promise<{ s: RtpSession; port: number; heard: IncomingRtp[] }> {
  const pair = await bindRtpPortPair('127.0.0.1', range);
  const s = new RtpSession(pair, { clock: systemClock, log: silentLogger, clockRate: 8000, symmetric: true, rtcpIntervalMs: 60_000, ...extra });
  const heard: IncomingRtp[] = [];
  s.events.on('rtp', (p) => heard.push(p));
  return { s, port: pair.port, heard };
}

const target = (address: string, port: number, rtcpPort = port + 1) => ({ address, rtpPort: port, rtcpAddress: address, rtcpPort, rtcpMux: false });

describe('RTP only from the far end, over loopback (issue 12 item 4)', () => {
  test('spraying during silence is neither played nor answered; the legit caller resuming is still heard', async () => {
    const lines: string[] = [];
    const caller = await peer('127.0.0.2');
    const stranger = await peer('127.0.0.3');
    const { s, port, heard } = await session({ log: createLogger('debug', (l) => lines.push(l)), signallingPeerIp: '127.0.0.2' });
    try {
      s.setTarget(target('127.0.0.2', caller.port));
      for (let i = 0; i < 10; i++) await caller.send(rtp(100 + i, 0xcafe), port);
      await wait(50);
      assert.equal(heard.length, 10);
      // The caller goes quiet for longer than the old 1 s latch hold-off; a stranger sprays, even with the caller's SSRC.
      await wait(1200);
      for (let i = 0; i < 30; i++) await stranger.send(rtp(5000 + i, 0xbad), port);
      for (let i = 0; i < 30; i++) await stranger.send(rtp(110 + i, 0xcafe, 0x00), port);
      await wait(50);
      for (let i = 0; i < 5; i++) s.send(8, 1000 + i * 160, Buffer.alloc(160, 0xd5));
      await wait(50);
      assert.equal(heard.length, 10, 'nothing of the stranger was played');
      assert.equal(stranger.got.length, 0, 'nothing was sent to the stranger');
      assert.equal(caller.got.length, 5, 'our audio still goes to the caller');
      assert.equal(s.target?.address, '127.0.0.2');
      assert.equal(s.quality().foreignDropped, 60);
      assert.equal(lines.filter((l) => /dropping RTP from 127\.0\.0\.3:\d+: not the far end \(127\.0\.0\.2:\d+\)/.test(l)).length, 1, 'one log line, not 60');
      for (let i = 0; i < 5; i++) await caller.send(rtp(140 + i, 0xcafe), port);
      await wait(50);
      assert.equal(heard.length, 15, 'the caller resuming is heard');
      assert.ok(heard.every((p) => p.ssrc === 0xcafe && p.payload[0] === 0xd5));
    } finally {
      s.close();
      caller.s.close();
      stranger.s.close();
    }
  });

  test('NAT: latches once onto the signalling peer\'s IP at another port after 3 packets; never again', async () => {
    const far = await peer('127.0.0.3');
    const sameIpOtherPort = await peer('127.0.0.3');
    const stranger = await peer('127.0.0.4');
    const { s, port, heard } = await session({ signallingPeerIp: '127.0.0.3' });
    try {
      // The PBX put its private address in SDP; its packets come from the signalling IP through NAT.
      s.setTarget(target('127.0.0.2', 9));
      // A stranger first: not an allowed IP, never latched whatever it sends.
      for (let i = 0; i < 5; i++) await stranger.send(rtp(i, 0x77), port);
      await far.send(rtp(1, 0xfa), port);
      await far.send(rtp(2, 0xfa), port);
      await wait(30);
      assert.equal(heard.length, 0, 'not yet: 2 packets');
      assert.equal(s.target?.address, '127.0.0.2');
      await far.send(rtp(3, 0xfa), port);
      await wait(30);
      assert.deepEqual(heard.map((p) => p.seq), [3]);
      assert.equal(s.target?.address, '127.0.0.3');
      assert.equal(s.target?.rtpPort, far.port);
      s.send(8, 0, Buffer.alloc(160));
      await wait(30);
      assert.equal(far.got.length, 1, 'we send to the latched source');
      // Silence, then another port on the same IP: no second latch.
      await wait(1100);
      for (let i = 0; i < 10; i++) await sameIpOtherPort.send(rtp(100 + i, 0xfa), port);
      await wait(30);
      assert.equal(heard.length, 1);
      assert.equal(s.target?.rtpPort, far.port);
      assert.equal(stranger.got.length + sameIpOtherPort.got.length, 0);
      // A re-INVITE with a new target starts over: the new SDP source is accepted at once.
      s.setTarget(target('127.0.0.3', sameIpOtherPort.port));
      await sameIpOtherPort.send(rtp(200, 0xfb), port);
      await wait(30);
      assert.equal(heard.length, 2);
    } finally {
      s.close();
      for (const p of [far, sameIpOtherPort, stranger]) p.s.close();
    }
  });

  test('without symmetric RTP nothing latches: only the SDP ip:port is heard', async () => {
    const far = await peer('127.0.0.2');
    const { s, port, heard } = await session({ symmetric: false, signallingPeerIp: '127.0.0.2' });
    try {
      s.setTarget(target('127.0.0.2', 9));
      for (let i = 0; i < 5; i++) await far.send(rtp(i, 1), port);
      await wait(30);
      assert.equal(heard.length, 0);
      assert.equal(s.target?.rtpPort, 9);
    } finally {
      s.close();
      far.s.close();
    }
  });

  test('a new SSRC from the legit address is accepted after 3 packets in a row', async () => {
    const caller = await peer('127.0.0.2');
    const { s, port, heard } = await session();
    try {
      s.setTarget(target('127.0.0.2', caller.port));
      for (let i = 0; i < 3; i++) await caller.send(rtp(10 + i, 0x1111), port);
      // The PBX switches streams (music on hold, a transfer): a new SSRC and sequence.
      for (let i = 0; i < 5; i++) await caller.send(rtp(900 + i, 0x2222), port);
      await wait(30);
      assert.deepEqual(heard.map((p) => `${p.ssrc.toString(16)}:${p.seq}`), ['1111:10', '1111:11', '1111:12', '2222:902', '2222:903', '2222:904']);
    } finally {
      s.close();
      caller.s.close();
    }
  });

  test('RTCP follows the same rule on its own port: a stranger\'s reports are ignored, the far end\'s count', async () => {
    const caller = await peer('127.0.0.2');
    const callerRtcp = await peer('127.0.0.2');
    const stranger = await peer('127.0.0.3');
    const { s, port } = await session();
    try {
      s.setTarget(target('127.0.0.2', caller.port, callerRtcp.port));
      await caller.send(rtp(1, 0x1111), port);
      await stranger.send(rr(0x1111, s.ssrc), port + 1);
      await stranger.send(rr(0x1111, s.ssrc), port);
      await wait(30);
      assert.equal(s.quality().remoteLossPct, undefined, 'the stranger\'s loss report was dropped');
      await callerRtcp.send(rr(0x1111, s.ssrc), port + 1);
      await wait(30);
      assert.equal(s.quality().remoteLossPct, 50);
      assert.equal(s.quality().foreignDropped, 2);
    } finally {
      s.close();
      for (const p of [caller, callerRtcp, stranger]) p.s.close();
    }
  });

  test('RTCP latches once, with symmetric RTP, to an allowed IP whose report comes from the accepted SSRC', async () => {
    const caller = await peer('127.0.0.2');
    const natRtcp = await peer('127.0.0.2');
    const { s, port } = await session();
    try {
      s.setTarget(target('127.0.0.2', caller.port, 9));
      await natRtcp.send(rr(0x1111, s.ssrc), port + 1);
      await wait(30);
      await caller.send(rtp(1, 0x1111), port);
      await wait(30);
      assert.equal(s.quality().remoteLossPct, undefined, 'before any RTP, no SSRC to match');
      await natRtcp.send(rr(0x2222, s.ssrc), port + 1);
      await wait(30);
      assert.equal(s.quality().remoteLossPct, undefined, 'a report from another SSRC does not latch');
      await natRtcp.send(rr(0x1111, s.ssrc), port + 1);
      await wait(30);
      assert.equal(s.quality().remoteLossPct, 50);
      assert.equal(s.target?.rtcpPort, natRtcp.port);
    } finally {
      s.close();
      caller.s.close();
      natRtcp.s.close();
    }
  });

  test('SRTP: keyed sessions talk; plain or forged packets from the right address are dropped and counted', async () => {
    const ka = { key: Buffer.alloc(16, 1), salt: Buffer.alloc(14, 2) };
    const kb = { key: Buffer.alloc(16, 3), salt: Buffer.alloc(14, 4) };
    const a = await session({ rtcpIntervalMs: 100 });
    const b = await session({ rtcpIntervalMs: 100 });
    try {
      a.s.setTarget(target('127.0.0.1', b.port));
      b.s.setTarget(target('127.0.0.1', a.port));
      a.s.setSrtp(new SrtpSession({ suite: 'AES_CM_128_HMAC_SHA1_32', local: ka, remote: kb }));
      b.s.setSrtp(new SrtpSession({ suite: 'AES_CM_128_HMAC_SHA1_32', local: kb, remote: ka }));
      for (let i = 0; i < 20; i++) {
        a.s.send(8, i * 160, Buffer.alloc(160, 0x2a), i === 0);
        b.s.send(8, i * 160, Buffer.alloc(160, 0x2b));
        await wait(10);
      }
      await wait(400);
      assert.equal(b.heard.length, 20);
      assert.ok(b.heard.every((p) => p.payload.length === 160 && p.payload.every((x) => x === 0x2a)));
      assert.equal(a.heard.length, 20);
      assert.ok(a.s.quality().rttMs !== undefined, 'SRTCP reports went both ways');
      // Plain RTP sent to an SRTP session, from the far end's own socket pair: refused.
      b.s.setSrtp(undefined);
      b.s.send(8, 99 * 160, Buffer.alloc(160));
      await wait(50);
      assert.equal(a.heard.length, 20);
      assert.ok(a.s.quality().srtpDropped >= 1, 'the plain RTP (and any plain RTCP report) counted');
    } finally {
      a.s.close();
      b.s.close();
    }
  });
});

describe('RtpSourceGuard', () => {
  test('drops everything before SDP; a latch candidate is not broken by strangers\' packets', () => {
    const g = new RtpSourceGuard({ symmetric: true, signallingPeerIp: '10.0.0.1' });
    assert.equal(g.checkRtp({ address: '10.0.0.1', port: 4000 }, 1), 'drop');
    g.expect({ address: '192.168.1.5', rtpPort: 4000, rtcpAddress: '192.168.1.5', rtcpPort: 4001, rtcpMux: true });
    const nat = { address: '10.0.0.1', port: 61000 };
    assert.equal(g.checkRtp(nat, 7), 'drop');
    assert.equal(g.checkRtp({ address: '6.6.6.6', port: 61000 }, 7), 'drop');
    assert.equal(g.checkRtp(nat, 7), 'drop');
    assert.equal(g.checkRtp({ address: '6.6.6.6', port: 1 }, 7), 'drop');
    assert.equal(g.checkRtp(nat, 7), 'latched');
    assert.deepEqual(g.rtcpSource, nat, 'rtcp-mux: RTCP follows the RTP latch');
    assert.equal(g.checkRtcp(nat, true, 7), 'accept');
    assert.equal(g.checkRtcp({ address: '10.0.0.1', port: 1 }, true, 7), 'drop');
  });

  test('the same target again keeps the latch; a changed one starts over', () => {
    const g = new RtpSourceGuard({ symmetric: true });
    const t = { address: '192.0.2.1', rtpPort: 4000, rtcpAddress: '192.0.2.1', rtcpPort: 4001, rtcpMux: false };
    assert.equal(g.expect(t), true);
    for (let i = 0; i < 3; i++) g.checkRtp({ address: '192.0.2.1', port: 5000 }, 9);
    assert.equal(g.rtpSource?.port, 5000);
    assert.equal(g.expect({ ...t }), false);
    assert.equal(g.rtpSource?.port, 5000);
    assert.equal(g.expect({ ...t, rtpPort: 4002 }), true);
    assert.equal(g.rtpSource?.port, 4002);
  });

  test('addresses compare in one spelling: IPv4-mapped and long-form IPv6', () => {
    assert.equal(canonicalIp('::FFFF:192.0.2.1'), '192.0.2.1');
    assert.equal(canonicalIp('2001:DB8:0:0:0:0:0:1'), '2001:db8::1');
    const g = new RtpSourceGuard({ symmetric: false });
    g.expect({ address: '2001:0db8::0001', rtpPort: 4000, rtcpAddress: '2001:db8::1', rtcpPort: 4001, rtcpMux: false });
    assert.equal(g.checkRtp({ address: '2001:db8::1', port: 4000 }, 1), 'accept');
  });
});

describe('RTP port pairs', () => {
  test('random even ports in the range, RTCP on the next; not handed out in order', async () => {
    const pairs: RtpPortPair[] = [];
    try {
      for (let i = 0; i < 12; i++) pairs.push(await bindRtpPortPair('127.0.0.1', { min: 45000, max: 45999 }));
      for (const p of pairs) {
        assert.equal(p.port % 2, 0);
        assert.ok(p.port >= 45000 && p.port + 1 <= 45999);
        assert.equal(p.rtcp.address().port, p.port + 1);
      }
      const steps = new Set(pairs.slice(1).map((p, i) => p.port - pairs[i]!.port));
      assert.ok(steps.size > 1 || ![...steps].includes(2), `ports ${pairs.map((p) => p.port).join(', ')}`);
    } finally {
      for (const p of pairs) p.close();
    }
  });

  test('a pair in use is passed over; a full range and a bad host fail with a clear error', async () => {
    // 4 pairs in a block nobody else on the machine holds right now.
    const first = await freeUdpPortBlock(8);
    const small = { min: first, max: first + 7 };
    const held: RtpPortPair[] = [];
    try {
      for (let i = 0; i < 3; i++) held.push(await bindRtpPortPair('127.0.0.1', small));
      const last = await bindRtpPortPair('127.0.0.1', small);
      held.push(last);
      assert.deepEqual(held.map((p) => p.port).sort(), [first, first + 2, first + 4, first + 6]);
      await assert.rejects(bindRtpPortPair('127.0.0.1', small), new RegExp(`no free RTP port pair in ${first}-${first + 7} after 4 attempts`));
      // Only the RTCP port of a pair taken by someone else: that pair is skipped too.
      held.pop()!.close();
      const squatter = createSocket('udp4');
      await new Promise<void>((r) => squatter.bind(last.port + 1, '127.0.0.1', r));
      await assert.rejects(bindRtpPortPair('127.0.0.1', small), /no free RTP port pair/);
      squatter.close();
      await assert.rejects(bindRtpPortPair('192.0.2.123', small), /cannot bind RTP on 192\.0\.2\.123/);
    } finally {
      for (const p of held) p.close();
    }
  });
});
