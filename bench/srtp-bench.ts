import { randomBytes } from 'node:crypto';
import { SrtpSession } from '../src-main/media/srtp/srtp-session.js';
import { SUPPORTED_SUITES } from '../src-main/media/srtp/srtp-suites.js';
import { percentile, round, type BenchRow } from './bench-types.js';

/** G.711 at 20 ms: 50 packets a second each way. */
const PPS = 50;
const PACKETS = 20_000;
const ROUNDS = 5;

function g711Packet(seq: number): Buffer {
  const p = Buffer.alloc(12 + 160);
  p[0] = 0x80;
  p.writeUInt16BE(seq & 0xffff, 2);
  p.writeUInt32BE((seq * 160) >>> 0, 4);
  p.writeUInt32BE(0x1234abcd, 8);
  randomBytes(160).copy(p, 12);
  return p;
}

/** CPU µs per iteration of `step` (median of ROUNDS rounds of PACKETS iterations). */
function cpuMicros(step: (i: number) => void): number {
  const samples: number[] = [];
  for (let i = 0; i < 2000; i++) step(i); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.cpuUsage();
    for (let i = 0; i < PACKETS; i++) step(r * PACKETS + i);
    const t = process.cpuUsage(t0);
    samples.push((t.user + t.system) / PACKETS);
  }
  return percentile(samples, 50);
}

/** Share of one core a call costs when each packet costs `us` on the send side and as much on receive: 50 pps each way. */
function corePct(us: number): number {
  return (PPS * us) / 1e6 * 100;
}

/**
 * `npm run bench -- srtp`: what SRTP adds per packet, protect on send plus unprotect on
 * receive, for both suites, against plain RTP (the packet copied once, what a plain path
 * pays at most here), as µs per packet and % of one core per G.711 call.
 */
export function benchSrtp(): BenchRow[] {
  const packets = Array.from({ length: 1024 }, (_, i) => g711Packet(i));
  const rows: BenchRow[] = [];
  const plain = cpuMicros((i) => {
    Buffer.from(packets[i & 1023]!);
  });
  rows.push({ name: 'plain RTP: copy of a 172-byte packet', value: round(plain, 3), unit: 'µs/packet', note: `${round(corePct(plain * 2), 4)} % of a core per G.711 call` });
  for (const suite of SUPPORTED_SUITES) {
    const key = { key: randomBytes(16), salt: randomBytes(14) };
    const tx = new SrtpSession({ suite, local: key, remote: key });
    const rx = new SrtpSession({ suite, local: key, remote: key });
    let seq = 0;
    const both = cpuMicros(() => {
      const p = packets[seq & 1023]!;
      p.writeUInt16BE(seq & 0xffff, 2);
      seq++;
      const r = rx.unprotectRtp(tx.protectRtp(p)!);
      if (!r.ok) throw new Error(`bench: unprotect failed (${r.reason})`);
    });
    rows.push({ name: `${suite}: protect + unprotect (RTP, 160-byte payload)`, value: round(both, 2), unit: 'µs/packet', note: `${round(corePct(both), 3)} % of a core per G.711 call (50 pps each way)` });
  }
  const key = { key: randomBytes(16), salt: randomBytes(14) };
  const tx = new SrtpSession({ suite: 'AES_CM_128_HMAC_SHA1_80', local: key, remote: key });
  const rx = new SrtpSession({ suite: 'AES_CM_128_HMAC_SHA1_80', local: key, remote: key });
  const report = Buffer.alloc(84, 0x5a);
  report[0] = 0x81;
  report[1] = 200;
  report.writeUInt16BE(20, 2);
  const rtcp = cpuMicros(() => {
    if (!rx.unprotectRtcp(tx.protectRtcp(report)!).ok) throw new Error('bench: SRTCP unprotect failed');
  });
  rows.push({ name: 'SRTCP: protect + unprotect (84-byte SR + SDES)', value: round(rtcp, 2), unit: 'µs/packet', note: 'one every ~5 s each way: negligible per call' });
  return rows;
}
