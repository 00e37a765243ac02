import { loadavg } from 'node:os';
import { HeadlessRunner } from '../test/support/headless-runner.js';
import { startKamailio, type Kamailio } from '../test/support/kamailio.js';
import { latencyFromLog, runSipp } from '../test/support/sipp.js';
import { BaresipPeer } from '../test/support/baresip-peer.js';
import { percentile, round } from './bench-types.js';
import { cpuSeconds, measureCpu } from './proc-cpu.js';

/** One figure measured for both user agents in the same run. */
export interface Comparison {
  metric: string;
  unit: string;
  linedesk: number;
  baresip: number;
  /** Lower is better for this metric (latency, CPU); higher for rates. */
  lowerIsBetter: boolean;
}

interface Ua {
  name: 'linedesk' | 'baresip';
  ext: string;
  pid: number;
}

const TALK_MS = 300;

/**
 * INVITE→180 and INVITE→200 latency and CPU per call set-up at fixed call rates (50 and
 * 200 calls/s), and the highest rate with zero failed calls, for the headless runner and
 * baresip, each auto-answering, through one Kamailio, in one run. Timestamps come from
 * sipp's own gettimeofday actions (µs resolution): sipp's rtd timer counts in ~4 ms steps
 * on this machine. CPU per call set-up (the UA's CPU time over the run, divided by the
 * calls) depends far less on the other load of a busy machine than latency does.
 */
export async function benchSipSetup(opts: { fixedRates?: number[]; fixedSeconds?: number; ladder?: number[]; ladderSeconds?: number; log?: (s: string) => void } = {}): Promise<Comparison[]> {
  const fixedRates = opts.fixedRates ?? [50, 200];
  const fixedSeconds = opts.fixedSeconds ?? 20;
  const ladder = opts.ladder ?? [100, 150, 200, 300, 400, 500];
  const ladderSeconds = opts.ladderSeconds ?? 10;
  const log = opts.log ?? (() => {});
  const k = await startKamailio({ debug: 1 });
  const runner = startBenchRunner(k);
  const baresip = new BaresipPeer({ user: '301', registrarPort: k.udpPort, lifetimeSec: 900, audio: false });
  try {
    await runner.registered(['svc']);
    await baresip.start();
    const uas: Ua[] = [
      { name: 'linedesk', ext: '300', pid: runner.child.pid! },
      { name: 'baresip', ext: '301', pid: baresip.pid! },
    ];
    const out: Comparison[] = [];
    const cmp = (metric: string, unit: string, l: number, b: number, lowerIsBetter = true): void => {
      out.push({ metric, unit, linedesk: round(l, 3), baresip: round(b, 3), lowerIsBetter });
    };
    for (const rate of fixedRates) {
      const fixed: Record<string, { inv180: number[]; inv200: number[]; cpu: number; cpuMsPerCall: number; failed: number }> = {};
      // Interleave the user agents so a noisy moment hits both.
      for (const ua of uas) {
        log(`  ${ua.name}: ${rate} calls/s for ${fixedSeconds} s (load average ${loadavg()[0]!.toFixed(2)})`);
        const calls = rate * fixedSeconds;
        const c0 = cpuSeconds(ua.pid) ?? 0;
        const { result, cpuPercent } = await measureCpu(ua.pid, () => runCalls(k, ua.ext, rate, calls));
        const cpuMsPerCall = (1000 * ((cpuSeconds(ua.pid) ?? c0) - c0)) / calls;
        fixed[ua.name] = { ...latencyFromLog(result.log), cpu: cpuPercent, cpuMsPerCall, failed: result.failed + (calls - result.successful) };
        await new Promise((res) => setTimeout(res, 1500)); // let lingering transactions drain
      }
      const L = fixed.linedesk!;
      const B = fixed.baresip!;
      cmp(`INVITE→180 p50 @${rate} cps`, 'ms', percentile(L.inv180, 50), percentile(B.inv180, 50));
      cmp(`INVITE→180 p99 @${rate} cps`, 'ms', percentile(L.inv180, 99), percentile(B.inv180, 99));
      cmp(`INVITE→200 p50 @${rate} cps`, 'ms', percentile(L.inv200, 50), percentile(B.inv200, 50));
      cmp(`INVITE→200 p99 @${rate} cps`, 'ms', percentile(L.inv200, 99), percentile(B.inv200, 99));
      cmp(`CPU @${rate} cps`, '% of a core', L.cpu, B.cpu);
      cmp(`CPU per call set-up @${rate} cps`, 'ms CPU', L.cpuMsPerCall, B.cpuMsPerCall);
      cmp(`failed calls @${rate} cps`, 'calls', L.failed, B.failed);
    }
    const best: Record<string, number> = { linedesk: 0, baresip: 0 };
    for (const ua of uas) {
      for (const rate of ladder) {
        const calls = rate * ladderSeconds;
        const r = await runCalls(k, ua.ext, rate, calls);
        const clean = r.failed === 0 && r.successful === calls;
        log(`  ${ua.name}: ${rate} calls/s → ${r.successful}/${calls} ok, ${r.failed} failed${clean ? '' : ' (stop)'}`);
        if (!clean) break;
        best[ua.name] = rate;
        await new Promise((res) => setTimeout(res, 1500)); // let lingering transactions drain
      }
    }
    cmp(`highest rate with 0 failed calls (${ladderSeconds} s steps: ${ladder.join(', ')})`, 'calls/s', best.linedesk!, best.baresip!, false);
    return out;
  } finally {
    await runner.stop();
    await baresip.stop();
    await k.stop();
  }
}

/**
 * The headless runner the setup bench measures: one auto-answering service line with no
 * audio, registered at `k`. `env` reaches the runner's process; `prefix` runs it under
 * another command (HeadlessRunner's prefix: it must exec the runner in place).
 */
export function startBenchRunner(k: Kamailio, env?: Record<string, string>, prefix?: string[]): HeadlessRunner {
  return new HeadlessRunner(
    {
      transport: { protocol: 'udp', bind: '127.0.0.1:0' },
      registrar: { uri: `sip:127.0.0.1:${k.udpPort}` },
      // Signalling against signalling: like the SIP-only baresip below, this line sends no audio.
      lines: [{ id: 'svc', aor: 'sip:300@127.0.0.1', username: '300', password: 'secret', autoAnswerMs: 0, maxCalls: 5000, media: { mode: 'listen' } }],
      agent: { wrapupSeconds: 0 },
      media: { address: '127.0.0.1', rtpPortMin: 40000, rtpPortMax: 59999 },
      store: { path: ':memory:' },
      log: { level: 'warn' },
    },
    { logLevel: 'warn', ...(env ? { env } : {}), ...(prefix ? { prefix } : {}) },
  );
}

export function runCalls(k: Kamailio, ext: string, rate: number, calls: number) {
  return runSipp({
    scenario: 'uac-latency.xml',
    target: `127.0.0.1:${k.udpPort}`,
    service: ext,
    calls,
    rate,
    limit: 20_000,
    durationMs: TALK_MS,
    timeoutMs: Math.ceil(calls / rate) * 1000 + 30_000,
  });
}
