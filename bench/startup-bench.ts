import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { repoRoot } from '../test/support/paths.js';
import { freePort } from '../test/support/ports.js';
import { spawnGroup } from '../test/support/process-group.js';
import { percentile, round, type BenchRow } from './bench-types.js';

const RUNS = 10;
const NPM_RUNS = 5;

/**
 * Start → `ready`: from spawning the process to the `ready` event on its stdout, with a
 * typical config (4 lines over UDP, call records in SQLite, the sound card on "auto"; the
 * registrar need not answer: `ready` comes before registration). The `linedesk` command
 * (bundle + code cache, after a staleness check) next to the compiled tree that
 * `npm run headless` ran before it (node dist/src-main/headless/cli.js), and
 * `npm run headless` itself when nothing needs rebuilding.
 */
export async function benchStartup(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'linedesk-startup-bench-'));
  try {
    const config = join(dir, 'config.json');
    const port = await freePort('udp');
    writeFileSync(
      config,
      JSON.stringify({
        transport: { protocol: 'udp', bind: '127.0.0.1:0' },
        registrar: { uri: `sip:127.0.0.1:${port}`, backups: [] },
        lines: ['200', '201', '202', '203'].map((ext, i) => ({ id: `l${i + 1}`, aor: `sip:${ext}@127.0.0.1`, username: ext, password: 'secret' })),
        store: { path: join(dir, 'calls.sqlite') },
        media: { audio: 'auto' },
      }),
    );
    const root = repoRoot();
    const bin = [process.execPath, join(root, 'bin', 'linedesk.js'), '--config', config];
    const compiled = [process.execPath, join(root, 'dist', 'src-main', 'headless', 'cli.js'), '--config', config];
    const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];
    const viaNpm = [...npm, 'run', '--silent', 'headless', '--', '--config', config];

    // One long run first: it builds the bundle if a source changed, writes the code cache
    // (after 1 s alive) and creates the SQLite file, so that every timed run starts alike.
    await startToReady(bin, 1_500);
    const binRuns: Start[] = [];
    const compiledRuns: Start[] = [];
    // Interleaved, so that load from elsewhere on the machine hits both alike.
    for (let i = 0; i < RUNS; i++) {
      binRuns.push(await startToReady(bin));
      compiledRuns.push(await startToReady(compiled));
    }
    const npmRuns: Start[] = [];
    for (let i = 0; i < NPM_RUNS; i++) npmRuns.push(await startToReady(viaNpm));
    const wall = (runs: Start[]): number[] => runs.map((r) => r.ms);
    const row = (name: string, values: number[], p: number, note: string): BenchRow => ({ name: `${name} ${p === 0 ? 'min' : `p${p}`}`, value: round(percentile(values, p), 0), unit: 'ms', note });
    const rows = [
      row('start → ready, linedesk command', wall(binRuns), 50, `node bin/linedesk.js --config FILE; ${RUNS} runs; target ≤ 300`),
      row('start → ready, linedesk command', wall(binRuns), 95, ''),
      row('start → ready, linedesk command', wall(binRuns), 0, 'the least a busy machine let it take'),
      row('start → ready, compiled tree (before)', wall(compiledRuns), 50, `node dist/src-main/headless/cli.js, what npm run headless ran (after a full build); ${RUNS} runs`),
      row('start → ready, compiled tree (before)', wall(compiledRuns), 95, ''),
      row('start → ready, compiled tree (before)', wall(compiledRuns), 0, ''),
      row('npm run headless → ready, nothing to rebuild', wall(npmRuns), 50, `npm's own start included; ${NPM_RUNS} runs (before: a full build first, 13-20 s)`),
    ];
    // CPU time depends far less than wall time on what else the machine is doing.
    const cpu = (runs: Start[]): number[] => runs.flatMap((r) => (r.cpuMs === undefined ? [] : [r.cpuMs]));
    if (cpu(binRuns).length > 0) {
      rows.push(row('CPU time to ready, linedesk command', cpu(binRuns), 50, 'user + system of the process when ready is read (10 ms ticks)'));
      rows.push(row('CPU time to ready, compiled tree (before)', cpu(compiledRuns), 50, ''));
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Start {
  /** Wall time from the spawn to `ready` on stdout. */
  ms: number;
  /** CPU time the process had used by then (Linux only). */
  cpuMs?: number;
}

/** From spawning `argv` to its `ready` event; then stops it (after `liveMs` at least). */
async function startToReady(argv: string[], liveMs = 0): Promise<Start> {
  const t0 = performance.now();
  const group = spawnGroup(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'ignore'] });
  try {
    const stdout = group.child.stdout as Readable;
    const start = await new Promise<Start>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new Error(`${argv.join(' ')}: no ready within 60 s`)), 60_000);
      stdout.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes('"event":"ready"')) {
          clearTimeout(timer);
          const ms = performance.now() - t0;
          const cpuMs = cpuTimeMs(group.pid);
          resolve(cpuMs === undefined ? { ms } : { ms, cpuMs });
        }
      });
      void group.exited.then((e) => {
        clearTimeout(timer);
        reject(new Error(`${argv.join(' ')} exited (${e.code ?? e.signal}) before ready`));
      });
    });
    if (liveMs > 0) await new Promise((r) => setTimeout(r, liveMs));
    return start;
  } finally {
    await group.stop(5_000);
  }
}

/** utime + stime of a process from /proc (clock ticks of 10 ms), or undefined off Linux. */
function cpuTimeMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}
