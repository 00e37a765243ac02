import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { BaresipPeer } from '../test/support/baresip-peer.js';
import { HeadlessRunner } from '../test/support/headless-runner.js';
import { startKamailio, type Kamailio } from '../test/support/kamailio.js';
import { writeTonePcap } from '../test/support/pcap-writer.js';
import { freeUdpPortBlock } from '../test/support/ports.js';
import { latencyLines, runSipp, startSipp } from '../test/support/sipp.js';
import { pcapCallerScenario } from '../test/support/sipp-pcap-scenario.js';
import { percentile, round, type BenchRow } from './bench-types.js';
import type { Comparison } from './sip-setup-bench.js';

const LOAD_CALLS = 100;
const RAMP_CPS = 20;
const PROBE_CPS = 10;
const PROBE_SECONDS = 15;

interface Probe {
  idle: number[];
  loaded: number[];
}

/**
 * Media must not slow signalling: INVITE→180 (sipp's own clock, µs; →200 for a UA that answers
 * without ringing, as baresip's auto-answer does) for calls arriving at 10
 * a second on a line that answers by itself, first with nothing else going on, then while 100
 * Opus echo calls run (sipp playing a tone into each). LineDesk with its media in workers,
 * LineDesk with media on the main thread (`media.workers: 0`, as before issue 13), and
 * baresip (auto-answer with its audio source, the probes too), one after the other through
 * the same Kamailio.
 */
export async function benchSignallingUnderMedia(opts: { log?: (s: string) => void } = {}): Promise<{ comparisons: Comparison[]; rows: BenchRow[] }> {
  const log = opts.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'linedesk-sigbench-'));
  const k = await startKamailio({ debug: 1 });
  const seconds = Math.ceil(LOAD_CALLS / RAMP_CPS) + 4 + PROBE_SECONDS + 5;
  const pcap = join(dir, 'opus.pcap');
  writeTonePcap(pcap, { codec: 'opus', seconds });
  const results: Record<string, Probe> = {};
  try {
    for (const [name, workers] of [
      ['workers', undefined],
      ['main thread', 0],
    ] as const) {
      const runner = linedesk(k, workers);
      try {
        await runner.registered(['echo', 'svc']);
        results[name] = await probe(k, '300', '302', pcap, seconds);
      } finally {
        await runner.stop();
      }
      log(`  LineDesk (media ${name === 'workers' ? 'in workers' : 'on the main thread'}): INVITE→180 p99 ${percentile(results[name].idle, 99).toFixed(1)} ms idle, ${percentile(results[name].loaded, 99).toFixed(1)} ms with ${LOAD_CALLS} Opus calls`);
    }
    // PCMU too, as LineDesk's lines have: the probes offer G.711 only (an Opus-only baresip refused them all with 488).
    const baresip = new BaresipPeer({ user: '301', registrarPort: k.udpPort, lifetimeSec: 900, audio: true, codecs: ['opus', 'PCMU'], maxCalls: 2000 });
    try {
      await baresip.start();
      results.baresip = await probe(k, '301', '301', pcap, seconds);
    } finally {
      await baresip.stop();
    }
    log(`  baresip: INVITE→180 p99 ${percentile(results.baresip.idle, 99).toFixed(1)} ms idle, ${percentile(results.baresip.loaded, 99).toFixed(1)} ms loaded`);
  } finally {
    await k.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const w = results.workers!;
  const m = results['main thread']!;
  const b = results.baresip;
  const p = (xs: number[], q: number): number => round(percentile(xs, q), 2);
  return {
    comparisons: [
      { metric: `INVITE→180 p99 while ${LOAD_CALLS} Opus calls run (${PROBE_CPS} calls/s)`, unit: 'ms', linedesk: p(w.loaded, 99), baresip: p(b.loaded, 99), lowerIsBetter: true },
      { metric: `INVITE→180 p50 while ${LOAD_CALLS} Opus calls run (${PROBE_CPS} calls/s)`, unit: 'ms', linedesk: p(w.loaded, 50), baresip: p(b.loaded, 50), lowerIsBetter: true },
    ],
    rows: [
      { name: `INVITE→180 p99 while ${LOAD_CALLS} Opus echo calls run, media in workers`, value: p(w.loaded, 99), unit: 'ms', note: `p50 ${p(w.loaded, 50)} ms; without the calls: p99 ${p(w.idle, 99)}, p50 ${p(w.idle, 50)} ms; ${w.loaded.length} probes` },
      { name: `INVITE→180 p99 while ${LOAD_CALLS} Opus echo calls run, media on the main thread (media.workers: 0)`, value: p(m.loaded, 99), unit: 'ms', note: `p50 ${p(m.loaded, 50)} ms; without the calls: p99 ${p(m.idle, 99)}, p50 ${p(m.idle, 50)} ms; ${m.loaded.length} probes` },
    ],
  };
}

function linedesk(k: Kamailio, workers: number | undefined): HeadlessRunner {
  return new HeadlessRunner(
    {
      transport: { protocol: 'udp', bind: '127.0.0.1:0' },
      registrar: { uri: `sip:127.0.0.1:${k.udpPort}` },
      lines: [
        { id: 'echo', aor: 'sip:300@127.0.0.1', username: '300', password: 'secret', autoAnswerMs: 0, maxCalls: 2000, media: { mode: 'echo' } },
        // The probes' line answers too (sipp's scenario waits for the 200), and only listens.
        { id: 'svc', aor: 'sip:302@127.0.0.1', username: '302', password: 'secret', autoAnswerMs: 0, maxCalls: 2000, media: { mode: 'listen' } },
      ],
      agent: { wrapupSeconds: 0 },
      store: { path: ':memory:' },
      media: { address: '127.0.0.1', rtpPortMin: 40000, rtpPortMax: 59999, audio: 'null', codecs: ['opus', 'PCMU'], ...(workers !== undefined ? { workers } : {}) },
      log: { level: 'warn' },
    },
    { logLevel: 'warn' },
  );
}

/** INVITE→180 of probe calls to `probeExt`: alone, then while LOAD_CALLS Opus calls to `loadExt` run. */
async function probe(k: Kamailio, loadExt: string, probeExt: string, pcap: string, seconds: number): Promise<Probe> {
  const probes = async (): Promise<number[]> => {
    const r = await runSipp({ scenario: 'uac-latency.xml', target: `127.0.0.1:${k.udpPort}`, service: probeExt, calls: PROBE_CPS * PROBE_SECONDS, rate: PROBE_CPS, limit: 1000, durationMs: 300, timeoutMs: (PROBE_SECONDS + 30) * 1000 });
    // INVITE→180, or →200 for a call whose 200 came without a 180 (baresip's auto-answer).
    const first = new Map<number, number>();
    for (const l of latencyLines(r.log)) first.set(l.call, Math.min(first.get(l.call) ?? Infinity, l.latencyMs));
    return [...first.values()];
  };
  const idle = await probes();
  const load = startSipp({
    scenario: pcapCallerScenario([pcap], seconds * 1000 + 500, 'opus'),
    target: `127.0.0.1:${k.udpPort}`,
    service: loadExt,
    calls: LOAD_CALLS,
    limit: LOAD_CALLS,
    rate: RAMP_CPS,
    mediaPort: await freeUdpPortBlock(4),
    timeoutMs: (seconds + 30) * 1000,
  });
  try {
    await delay((Math.ceil(LOAD_CALLS / RAMP_CPS) + 3) * 1000);
    const loaded = await probes();
    return { idle, loaded };
  } finally {
    // Each call ends with its BYE: the next user agent's probes must not run beside this one's calls.
    await load.finish((seconds + 10) * 1000);
    await delay(1500);
  }
}
