import { Call } from '../src-main/calls/call.js';
import { CallRegistry } from '../src-main/calls/call-registry.js';
import { silentLogger } from '../src-main/common/logger.js';
import { Dispatcher } from '../src-main/dispatch/dispatcher.js';
import { FakeClock } from '../test/support/fake-clock.js';
import { FakeLeg } from '../test/support/fake-leg.js';
import { HeadlessRunner } from '../test/support/headless-runner.js';
import { startKamailio } from '../test/support/kamailio.js';
import { seededRandom } from '../test/support/seeded-random.js';
import { latencyLines, runSipp } from '../test/support/sipp.js';
import { percentile, round, type BenchRow } from './bench-types.js';

/**
 * The dispatcher's cost: claims per second when every call arrives as 16 forks in a
 * random order (in process, no SIP), and the INVITE→call.offered latency through the
 * real runner with 16 lines registered on one AOR, so Kamailio forks every call 16 ways.
 */
export async function benchDispatch(opts: { log?: (s: string) => void } = {}): Promise<BenchRow[]> {
  const log = opts.log ?? (() => {});
  const rows: BenchRow[] = [];
  rows.push(...claimsUnderContention(16, 20_000));
  log('  16 lines on one AOR through Kamailio…');
  rows.push(...(await inviteToOffered(16, 100, 10)));
  return rows;
}

function claimsUnderContention(lines: number, calls: number): BenchRow[] {
  const clock = new FakeClock();
  const registry = new CallRegistry(clock);
  const ctx = { clock, log: silentLogger, emit: () => {}, openMedia: () => Promise.reject(new Error('no media')) };
  const d = new Dispatcher({
    calls: registry,
    createCall: (leg, dispatch) => Call.inbound(leg, dispatch, ctx),
    config: { strategy: 'rrmemory', offerTimeoutMs: 15_000, queue: { maxLength: 0, maxWaitMs: 1, overflowUri: null } },
    clock,
    log: silentLogger,
    emit: () => {},
    context: { random: Math.random, cpuLoad: () => 0 },
    lines: Array.from({ length: lines }, (_, i) => ({ id: `l${i}`, aor: 'sip:200@pbx', maxCalls: 1_000_000, autoAnswerMs: 0 })),
  });
  for (let i = 0; i < lines; i++) d.setRegistration(`l${i}`, 'registered');
  // Build every fork first so only the dispatcher is timed; interleave the calls' forks.
  const forks: FakeLeg[] = [];
  for (let c = 0; c < calls; c++) for (let l = 0; l < lines; l++) forks.push(new FakeLeg(`call-${c}`, `l${l}`, '600'));
  const random = seededRandom(7);
  for (let i = forks.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [forks[i], forks[j]] = [forks[j]!, forks[i]!];
  }
  const t0 = performance.now();
  for (const f of forks) d.onInvite(f);
  const ms = performance.now() - t0;
  const kept = forks.filter((f) => f.actions[0] !== '486').length;
  if (kept !== calls) throw new Error(`claim broken: ${kept} forks kept for ${calls} calls`);
  return [
    { name: `dispatcher: forks handled per second (${lines} forks per call, shuffled, ${calls} calls)`, value: Math.round((forks.length / ms) * 1000), unit: 'forks/s' },
    { name: 'dispatcher: calls claimed per second under that contention', value: Math.round((calls / ms) * 1000), unit: 'calls/s' },
  ];
}

async function inviteToOffered(lines: number, calls: number, rate: number): Promise<BenchRow[]> {
  const k = await startKamailio({ debug: 1 });
  const runner = new HeadlessRunner(
    {
      transport: { protocol: 'udp', bind: '127.0.0.1:0' },
      registrar: { uri: `sip:127.0.0.1:${k.udpPort}` },
      lines: Array.from({ length: lines }, (_, i) => ({ id: `l${i}`, aor: 'sip:300@127.0.0.1', username: '300', password: 'secret', autoAnswerMs: 0, maxCalls: 100, media: { mode: 'listen' } })),
      dispatch: { strategy: 'rrmemory', offerTimeoutMs: 15_000 },
      agent: { wrapupSeconds: 0 },
      store: { path: ':memory:' },
      media: { address: '127.0.0.1', rtpPortMin: 40000, rtpPortMax: 59999, audio: 'null' },
      log: { level: 'warn' },
    },
    { logLevel: 'warn' },
  );
  try {
    await runner.registered(Array.from({ length: lines }, (_, i) => `l${i}`), 20_000);
    const forked = (await k.contacts('300')).length;
    const r = await runSipp({ scenario: 'uac-latency.xml', target: `127.0.0.1:${k.udpPort}`, service: '300', calls, rate, limit: 1_000, durationMs: 200, timeoutMs: 120_000 });
    // sipp logs when it sent each INVITE (gettimeofday, µs); the runner stamps call.offered (µs).
    const sentAt = new Map(latencyLines(r.log).map((l) => [l.call, l.sentAtMs]));
    const lat: number[] = [];
    for (const e of runner.eventsNamed('call.offered')) {
      const callNumber = Number(String(e.call).split('-')[0]);
      const t = sentAt.get(callNumber);
      if (t !== undefined) lat.push((e.ts) - t);
    }
    const rejectedForks = runner.eventsNamed('call.rejected').filter((e) => e.reason === 'fork').length;
    return [
      { name: `INVITE→call.offered p50 (${lines} lines on one AOR, ${forked} forks per call, ${rate} calls/s)`, value: round(percentile(lat, 50), 3), unit: 'ms', note: `${lat.length} calls; sipp → Kamailio → 16 forks → first fork claimed, offered` },
      { name: 'INVITE→call.offered p99', value: round(percentile(lat, 99), 3), unit: 'ms' },
      { name: 'forks refused with 486 in that run', value: rejectedForks, unit: 'forks', note: `expected ${(forked - 1) * calls}` },
    ];
  } finally {
    await runner.stop();
    await k.stop();
  }
}
