import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
    const binMs: number[] = [];
    const compiledMs: number[] = [];
    // Interleaved, so that load from elsewhere on the machine hits both alike.
    for (let i = 0; i < RUNS; i++) {
      binMs.push(await startToReady(bin));
      compiledMs.push(await startToReady(compiled));
    }
    const npmMs: number[] = [];
    for (let i = 0; i < NPM_RUNS; i++) npmMs.push(await startToReady(viaNpm));
    const row = (name: string, values: number[], p: number, note: string): BenchRow => ({ name: `${name} p${p}`, value: round(percentile(values, p), 0), unit: 'ms', note });
    return [
      row('start → ready, linedesk command', binMs, 50, `node bin/linedesk.js --config FILE; ${RUNS} runs; target ≤ 300`),
      row('start → ready, linedesk command', binMs, 95, `${RUNS} runs`),
      row('start → ready, compiled tree (before)', compiledMs, 50, `node dist/src-main/headless/cli.js, what npm run headless ran after its full build; ${RUNS} runs`),
      row('start → ready, compiled tree (before)', compiledMs, 95, `${RUNS} runs`),
      row('npm run headless → ready, nothing to rebuild', npmMs, 50, `npm's own start included; ${NPM_RUNS} runs (it rebuilt everything first before: 13-20 s)`),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Milliseconds from spawning `argv` to its `ready` event; then stops it (after `liveMs` at least). */
async function startToReady(argv: string[], liveMs = 0): Promise<number> {
  const t0 = performance.now();
  const group = spawnGroup(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'ignore'] });
  try {
    const stdout = group.child.stdout as Readable;
    const ms = await new Promise<number>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new Error(`${argv.join(' ')}: no ready within 60 s`)), 60_000);
      stdout.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes('"event":"ready"')) {
          clearTimeout(timer);
          resolve(performance.now() - t0);
        }
      });
      void group.exited.then((e) => {
        clearTimeout(timer);
        reject(new Error(`${argv.join(' ')} exited (${e.code ?? e.signal}) before ready`));
      });
    });
    if (liveMs > 0) await new Promise((r) => setTimeout(r, liveMs));
    return ms;
  } finally {
    await group.stop(5_000);
  }
}
