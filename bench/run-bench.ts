#!/usr/bin/env node
/**
 * `npm run bench`: LineDesk's speed and capacity figures, each next to a reference peer
 * where one exists (baresip), measured in one run on this machine. Results are printed
 * as tables and written to bench/results/latest.json. Every section is bounded in time.
 * Usage: npm run bench [-- section ...]   (sections: sip, dispatch, media, srtp, jitter, latency, ui, stats, team, startup)
 *   LINEDESK_BENCH_WORKERS=0: the media section's LineDesk with media on the main thread
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../test/support/paths.js';
import type { BenchRow } from './bench-types.js';
import { benchDispatch } from './dispatch-bench.js';
import { benchAudioLatency, benchDeviceLatency, benchJitterDelay, benchMediaLoad } from './media-bench.js';
import { benchMediaMemory } from './media-memory-bench.js';
import { benchMicLatency } from './mic-latency-bench.js';
import { benchSignallingUnderMedia } from './signalling-under-media-bench.js';
import { benchSipSetup, type Comparison } from './sip-setup-bench.js';
import { benchSrtp } from './srtp-bench.js';
import { benchStartup } from './startup-bench.js';
import { benchStats } from './stats-bench.js';
import { benchTeam } from './team-bench.js';
import { benchUiRinging } from './ui-ringing-latency.js';

type Result = Comparison[] | BenchRow[] | { comparisons: Comparison[]; rows: BenchRow[] };
type Section = { name: string; title: string; run: () => Promise<Result> | Result };

const log = (s: string): void => console.log(s);
const sections: Section[] = [
  { name: 'sip', title: 'Call setup: LineDesk headless runner vs baresip (auto-answer, same Kamailio, same run)', run: () => benchSipSetup({ log }) },
  { name: 'dispatch', title: 'Dispatcher: claims under contention, INVITE→offer latency with 16 lines', run: () => benchDispatch({ log }) },
  {
    name: 'media',
    title: 'Media: CPU per concurrent two-way call, signalling under media load, memory per call; LineDesk echo lines vs baresip (same Kamailio, same run)',
    run: async () => merge([await benchMediaLoad({ log }), await benchSignallingUnderMedia({ log }), await benchMediaMemory({ log })]),
  },
  { name: 'srtp', title: 'SRTP: protect + unprotect per packet (AES-128-CM, HMAC-SHA1) vs plain RTP, and what it costs a G.711 call', run: () => benchSrtp() },
  { name: 'jitter', title: 'Jitter buffer: the delay it adds', run: () => benchJitterDelay() },
  {
    name: 'latency',
    title: 'Audio latency: RTP arrival to the headset, the microphone to RTP on the wire, and the sound-card layer alone (virtual headset in a private PulseAudio)',
    run: async () => [...(await benchAudioLatency()), ...(await benchMicLatency()), ...(await benchDeviceLatency())],
  },
  { name: 'ui', title: 'Desktop UI: INVITE on the wire → ringing line visible in the browser window', run: () => benchUiRinging() },
  { name: 'stats', title: 'Statistics store (SQLite)', run: () => benchStats() },
  { name: 'team', title: 'Team database (PostgreSQL): replication from a desk, team figures over 18 million calls', run: () => benchTeam(log) },
  { name: 'startup', title: 'Start → ready: the linedesk command, the compiled tree it replaced, npm run headless (4 UDP lines, call records on, sound card auto)', run: () => benchStartup() },
];

function merge(parts: Array<{ comparisons: Comparison[]; rows: BenchRow[] }>): { comparisons: Comparison[]; rows: BenchRow[] } {
  return { comparisons: parts.flatMap((p) => p.comparisons), rows: parts.flatMap((p) => p.rows) };
}

function isComparison(rows: Comparison[] | BenchRow[]): rows is Comparison[] {
  return rows.length > 0 && 'baresip' in rows[0]!;
}

function printComparison(rows: Comparison[]): void {
  const head = ['metric', 'unit', 'LineDesk', 'baresip', 'ratio LineDesk/baresip'];
  const body = rows.map((r) => [r.metric, r.unit, String(r.linedesk), String(r.baresip), r.baresip === 0 ? 'n/a' : `${(r.linedesk / r.baresip).toFixed(2)}${r.lowerIsBetter ? ' (lower is better)' : ' (higher is better)'}`]);
  printTable(head, body);
}

function printRows(rows: BenchRow[]): void {
  printTable(['metric', 'value', 'unit', 'note'], rows.map((r) => [r.name, String(r.value), r.unit, r.note ?? '']));
}

function printTable(head: string[], body: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => '| ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
  console.log(line(head));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of body) console.log(line(r));
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const results: Record<string, unknown> = { startedAt: new Date().toISOString() };
  for (const s of sections) {
    if (wanted.length > 0 && !wanted.includes(s.name)) continue;
    console.log(`\n## ${s.title}\n`);
    const t0 = Date.now();
    try {
      const result = await s.run();
      if (Array.isArray(result)) {
        if (isComparison(result)) printComparison(result);
        else printRows(result);
      } else {
        printComparison(result.comparisons);
        console.log('');
        printRows(result.rows);
      }
      results[s.name] = result;
    } catch (error) {
      console.log(`section ${s.name} failed: ${error instanceof Error ? error.message : String(error)}`);
      results[s.name] = { error: String(error) };
      process.exitCode = 1;
    }
    console.log(`\n(${s.name}: ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  const dir = join(repoRoot(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'latest.json'), JSON.stringify(results, null, 2));
}

// Leave once done: audify's process-wide error callback (device latency) keeps the event loop alive for good.
main().then(
  () => process.exit(),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
