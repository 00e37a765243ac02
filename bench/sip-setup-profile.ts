import { mkdtempSync, readdirSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKamailio } from '../test/support/kamailio.js';
import { latencyFromLog } from '../test/support/sipp.js';
import { percentile, round } from './bench-types.js';
import { formatSummary, summariseCpuProfile } from './cpu-profile-top.js';
import { cpuSeconds, measureCpu } from './proc-cpu.js';
import { runCalls, startBenchRunner } from './sip-setup-bench.js';

/**
 * The setup bench's LineDesk half under `node --cpu-prof`: one rate for a while, then the
 * runner's self time by function (the profile is written when the runner exits).
 * Usage: node dist/bench/sip-setup-profile.js [rate=50] [seconds=20] [top=10]
 */
async function main(): Promise<void> {
  const [rate = 50, seconds = 20, top = 10] = process.argv.slice(2).map(Number);
  const dir = mkdtempSync(join(tmpdir(), 'linedesk-prof-'));
  const k = await startKamailio({ debug: 1 });
  // Node refuses --cpu-prof in NODE_OPTIONS: a shell puts it on the runner's command line ($0 is node).
  const runner = startBenchRunner(k, undefined, ['/bin/sh', '-c', `exec "$0" --cpu-prof --cpu-prof-dir='${dir}' "$@"`]);
  try {
    await runner.registered(['svc']);
    const calls = rate * seconds;
    const load = loadavg()[0]!.toFixed(2);
    const pid = runner.child.pid!;
    const c0 = cpuSeconds(pid) ?? 0;
    const { result, cpuPercent } = await measureCpu(pid, () => runCalls(k, '300', rate, calls));
    const cpuMsPerCall = (1000 * ((cpuSeconds(pid) ?? c0) - c0)) / calls;
    const { inv180, inv200 } = latencyFromLog(result.log);
    console.log(`${rate} calls/s for ${seconds} s (load average ${load} at the start, ${loadavg()[0]!.toFixed(2)} at the end)`);
    console.log(`  ok ${result.successful}/${calls}, failed ${result.failed}; CPU ${round(cpuPercent, 1)} % of a core = ${round(cpuMsPerCall, 3)} ms per call`);
    console.log(`  INVITE→180 p50/p99 ${round(percentile(inv180, 50), 3)}/${round(percentile(inv180, 99), 3)} ms; INVITE→200 p50/p99 ${round(percentile(inv200, 50), 3)}/${round(percentile(inv200, 99), 3)} ms`);
  } finally {
    await runner.stop();
    await k.stop();
  }
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  for (const f of files) {
    console.log(`\n${join(dir, f)}`);
    console.log(formatSummary(summariseCpuProfile(join(dir, f), top)));
  }
  if (files.length === 0) console.log(`no profile in ${dir} (did the runner exit cleanly?)`);
}

await main();
