import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { systemClock } from '../../../src-main/common/clock.js';
import { createLogger, silentLogger } from '../../../src-main/common/logger.js';
import { estimateMos } from '../../../src-main/media/rtp/mos-estimate.js';
import { middle32ToMs, ntpFromMs, ntpMiddle32 } from '../../../src-main/media/rtp/ntp-time.js';
import { ReceiveStatistics } from '../../../src-main/media/rtp/receive-statistics.js';
import { bindRtpPortPair } from '../../../src-main/media/rtp/rtp-port-pair.js';
import type { IncomingRtp } from '../../../src-main/media/rtp/incoming-rtp.js';
import { RtpSession } from '../../../src-main/media/rtp/rtp-session.js';

const range = { min: 47000, max: 47999 };
const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
async function until(what: string, ok: () => boolean, ms = 3000): Promise<void> {
  for (const end = Date.now() + ms; !ok(); await wait(10)) if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
}

describe('ReceiveStatistics', () => {
  test('extended sequence numbers across the 16-bit wrap, loss and fraction lost', () => {
    const s = new ReceiveStatistics(8000);
    let ts = 0;
    const seqs = [65530, 65531, 65532, 65534, 65535, 0, 1, 3, 4];
    for (const q of seqs) s.packet(1, q, (ts += 160), ts / 8);
    assert.equal(s.extendedHighestSeq, 65536 + 4);
    assert.equal(s.expected, 11);
    assert.equal(s.received, 9);
    assert.equal(s.cumulativeLost, 2);
    assert.equal(s.takeFractionLost(), Math.floor((2 * 256) / 11));
    assert.equal(s.takeFractionLost(), 0, 'the interval starts again');
  });

  test('jitter follows RFC 3550 A.8: zero for a perfect stream, about the spread for a jittery one', () => {
    const steady = new ReceiveStatistics(8000);
    for (let i = 0; i < 200; i++) steady.packet(1, i, i * 160, i * 20);
    assert.equal(steady.jitterMs, 0);
    const jittery = new ReceiveStatistics(8000);
    for (let i = 0; i < 2000; i++) jittery.packet(1, i, i * 160, i * 20 + (i % 2 === 0 ? 0 : 10));
    assert.ok(jittery.jitterMs > 8 && jittery.jitterMs < 11, `jitter ${jittery.jitterMs}`);
  });

  test('a new SSRC restarts the statistics', () => {
    const s = new ReceiveStatistics(8000);
    s.packet(1, 100, 0, 0);
    s.packet(1, 101, 160, 20);
    s.packet(2, 5000, 0, 40);
    assert.equal(s.expected, 1);
    assert.equal(s.ssrc, 2);
  });

  for (const jumpTo of [20_000, 40_000]) {
    test(`a sender that restarts its sequence at ${jumpTo} under the same SSRC is resynchronised after two packets (RFC 3550 A.1)`, () => {
      const s = new ReceiveStatistics(8000);
      let t = 0;
      for (let q = 100; q < 200; q++) s.packet(7, q, (t += 160), t / 8);
      for (let q = jumpTo; q < jumpTo + 100; q++) s.packet(7, q, (t += 160), t / 8);
      // The first packet of the new sequence is set aside, the second confirms the jump.
      assert.equal(s.expected, 99);
      assert.equal(s.received, 99);
      assert.equal(s.cumulativeLost, 0);
      s.takeFractionLost();
      for (let q = jumpTo + 100; q < jumpTo + 200; q += 2) s.packet(7, q, (t += 320), t / 8);
      // Every other packet of the next 99 numbers: 49 lost of 99 expected.
      assert.equal(s.takeFractionLost(), Math.floor((49 * 256) / 99), 'loss is measured on the new sequence');
      assert.equal(s.jitterMs, 0, 'no jitter spike from the jump');
    });
  }

  test('one stray packet far off the sequence is ignored; the stream goes on', () => {
    const s = new ReceiveStatistics(8000);
    let t = 0;
    for (let q = 100; q < 150; q++) s.packet(7, q, (t += 160), t / 8);
    s.packet(7, 30_000, t, t / 8);
    for (let q = 150; q < 200; q++) s.packet(7, q, (t += 160), t / 8);
    assert.equal(s.expected, 100);
    assert.equal(s.received, 100);
    assert.equal(s.cumulativeLost, 0);
  });

  test('a gap below MAX_DROPOUT is loss, a late packet is counted without moving the highest number', () => {
    const s = new ReceiveStatistics(8000);
    s.packet(7, 10, 0, 0);
    s.packet(7, 2010, 320_000, 40_000);
    assert.equal(s.expected, 2001);
    s.packet(7, 1990, 316_800, 40_010);
    assert.equal(s.extendedHighestSeq, 2010);
    assert.equal(s.received, 3);
  });
});

describe('NTP and MOS', () => {
  test('middle-32 NTP arithmetic round-trips milliseconds', () => {
    const a = ntpMiddle32(ntpFromMs(1_700_000_000_250));
    const b = ntpMiddle32(ntpFromMs(1_700_000_000_400));
    assert.ok(Math.abs(middle32ToMs((b - a) >>> 0) - 150) < 0.1);
  });

  test('the E-model estimate falls with loss and with delay', () => {
    assert.equal(estimateMos('PCMU', 0, 40), 4.39); // R = 93.2 − 0.024·40 = 92.24
    assert.ok(estimateMos('PCMU', 5, 40) < 3.9);
    assert.ok(estimateMos('PCMU', 0, 400) < estimateMos('PCMU', 0, 100));
    assert.ok(estimateMos('PCMU', 100, 0) < 1.2); // Ie,eff = 95·100/125.1
  });
});

describe('RtpSession over loopback', () => {
  test('packets arrive with our SSRC and consecutive sequence numbers; RTCP gives both ends RTT and no loss', async () => {
    const pa = await bindRtpPortPair('127.0.0.1', range);
    const pb = await bindRtpPortPair('127.0.0.1', range);
    const opts = { clock: systemClock, log: silentLogger, clockRate: 8000, symmetric: false, rtcpIntervalMs: 200 };
    const a = new RtpSession(pa, opts);
    const b = new RtpSession(pb, opts);
    a.setTarget({ address: '127.0.0.1', rtpPort: pb.port, rtcpAddress: '127.0.0.1', rtcpPort: pb.port + 1, rtcpMux: false });
    b.setTarget({ address: '127.0.0.1', rtpPort: pa.port, rtcpAddress: '127.0.0.1', rtcpPort: pa.port + 1, rtcpMux: false });
    const got: IncomingRtp[] = [];
    b.events.on('rtp', (p) => got.push(p));
    try {
      for (let i = 0; i < 40; i++) {
        a.send(0, 1000 + i * 160, Buffer.alloc(160, 0xff), i === 0);
        b.send(0, 5000 + i * 160, Buffer.alloc(160, 0xff));
        await wait(10);
      }
      await wait(600);
      assert.equal(got.length, 40);
      assert.ok(got.every((p) => p.ssrc === a.ssrc && p.payloadType === 0 && p.payload.length === 160));
      assert.ok(got[0]!.marker && !got[1]!.marker);
      for (let i = 1; i < got.length; i++) assert.equal(got[i]!.seq, (got[i - 1]!.seq + 1) & 0xffff);
      assert.equal(got[5]!.timestamp, 1000 + 5 * 160);
      const qa = a.quality();
      assert.equal(qa.packetsSent, 40);
      assert.equal(qa.lossPct, 0);
      assert.ok(qa.rttMs !== undefined && qa.rttMs >= 0 && qa.rttMs < 50, `RTT ${qa.rttMs}`);
      assert.equal(b.quality().packetsReceived, 40);
    } finally {
      a.close();
      b.close();
    }
  });

  test('symmetric RTP sends to where the far end really is, and a held stream sends nothing', async () => {
    const pa = await bindRtpPortPair('127.0.0.1', range);
    const pb = await bindRtpPortPair('127.0.0.1', range);
    const a = new RtpSession(pa, { clock: systemClock, log: silentLogger, clockRate: 8000, symmetric: true });
    const b = new RtpSession(pb, { clock: systemClock, log: silentLogger, clockRate: 8000, symmetric: false });
    // a was told (by "SDP") a wrong port for b: a NAT rewrote it.
    a.setTarget({ address: '127.0.0.1', rtpPort: 9, rtcpAddress: '127.0.0.1', rtcpPort: 10, rtcpMux: false });
    b.setTarget({ address: '127.0.0.1', rtpPort: pa.port, rtcpAddress: '127.0.0.1', rtcpPort: pa.port + 1, rtcpMux: false });
    const atB: IncomingRtp[] = [];
    b.events.on('rtp', (p) => atB.push(p));
    try {
      // Same IP as the SDP's, another port: latched after 3 packets in a row of one SSRC.
      for (let i = 0; i < 3; i++) b.send(8, i * 160, Buffer.alloc(160));
      await wait(50);
      assert.equal(a.target?.rtpPort, pb.port, 'latched onto the real source');
      a.send(8, 0, Buffer.alloc(160));
      await wait(50);
      assert.equal(atB.length, 1);
      a.setDirection(false, true);
      a.send(8, 160, Buffer.alloc(160));
      await wait(50);
      assert.equal(atB.length, 1, 'on hold: nothing sent');
    } finally {
      a.close();
      b.close();
    }
  });

  test('malformed datagrams on the RTP port are ignored', async () => {
    const pa = await bindRtpPortPair('127.0.0.1', range);
    const a = new RtpSession(pa, { clock: systemClock, log: silentLogger, clockRate: 8000, symmetric: true });
    const seen: IncomingRtp[] = [];
    a.events.on('rtp', (p) => seen.push(p));
    const { createSocket } = await import('node:dgram');
    const s = createSocket('udp4');
    try {
      for (const junk of [Buffer.from([1, 2, 3]), Buffer.alloc(12, 0xff), Buffer.from('INVITE sip:x SIP/2.0\r\n\r\n')]) s.send(junk, pa.port, '127.0.0.1');
      await wait(50);
      assert.equal(seen.length, 0);
    } finally {
      s.close();
      a.close();
    }
  });

  test('close() sends an RTCP BYE with our SSRC before the sockets close (RFC 3550 §6.6)', async () => {
    const { createSocket } = await import('node:dgram');
    const far = createSocket('udp4');
    await new Promise<void>((r) => far.bind(0, '127.0.0.1', r));
    const got: Buffer[] = [];
    far.on('message', (m) => got.push(m));
    const pa = await bindRtpPortPair('127.0.0.1', range);
    const a = new RtpSession(pa, { clock: systemClock, log: silentLogger, clockRate: 8000, symmetric: false });
    const farPort = far.address().port;
    a.setTarget({ address: '127.0.0.1', rtpPort: farPort, rtcpAddress: '127.0.0.1', rtcpPort: farPort, rtcpMux: false });
    try {
      a.close();
      await until('the BYE', () => got.length > 0, 1000);
      // The compound packet: a report, SDES, then BYE (packet type 203) naming our SSRC.
      const types: number[] = [];
      const pkt = got[0]!;
      for (let at = 0; at + 4 <= pkt.length; at += (pkt.readUInt16BE(at + 2) + 1) * 4) types.push(pkt[at + 1]!);
      assert.deepEqual(types, [201, 202, 203]);
      assert.equal(pkt.readUInt32BE(pkt.length - 4), a.ssrc);
    } finally {
      far.close();
    }
  });

  test('a socket error is logged, not thrown: a host name that does not resolve', async () => {
    const lines: string[] = [];
    const log = createLogger('debug', (l) => lines.push(l));
    const pa = await bindRtpPortPair('127.0.0.1', range);
    const a = new RtpSession(pa, { clock: systemClock, log, clockRate: 8000, symmetric: false });
    try {
      // Without a callback, dgram reports a failed lookup as the socket's 'error' event.
      pa.rtp.send(Buffer.alloc(12), 9, 'no-such-host.invalid');
      await until('the logged error', () => lines.some((l) => /RTP socket error/.test(l)));
    } finally {
      a.close();
    }
  });

  test('a target that is not an IP address is refused: nothing is looked up or sent per packet', async () => {
    const lines: string[] = [];
    const log = createLogger('debug', (l) => lines.push(l));
    const pa = await bindRtpPortPair('127.0.0.1', range);
    const a = new RtpSession(pa, { clock: systemClock, log, clockRate: 8000, symmetric: false });
    try {
      a.setTarget({ address: 'media.example.invalid', rtpPort: 4000, rtcpAddress: 'media.example.invalid', rtcpPort: 4001, rtcpMux: false });
      assert.equal(a.target, undefined);
      assert.ok(lines.some((l) => /not sending media to "media.example.invalid"/.test(l)));
      a.send(0, 0, Buffer.alloc(160));
      assert.equal(a.quality().packetsSent, 0);
    } finally {
      a.close();
    }
  });
});
