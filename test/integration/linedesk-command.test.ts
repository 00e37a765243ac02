import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { repoRoot } from '../support/paths.js';
import { freePort } from '../support/ports.js';
import { spawnGroup, type ProcessGroup } from '../support/process-group.js';

const bin = (): string => join(repoRoot(), 'bin', 'linedesk.js');
const linedesk = (args: string[]) => spawnSync(process.execPath, [bin(), ...args], { encoding: 'utf8', timeout: 60_000 });

/** Four agent lines over UDP towards a registrar that does not answer (nothing listens there). */
async function fourLines(): Promise<object> {
  const port = await freePort('udp');
  return {
    transport: { protocol: 'udp', bind: '127.0.0.1:0' },
    registrar: { uri: `sip:127.0.0.1:${port}`, backups: [] },
    lines: ['200', '201', '202', '203'].map((ext, i) => ({ id: `l${i + 1}`, aor: `sip:${ext}@127.0.0.1`, username: ext, password: 'secret' })),
    media: { audio: 'null' },
  };
}

/** `node bin/linedesk.js ARGS --config FILE` with its JSON-line events collected from stdout. */
class Linedesk {
  readonly events: Record<string, unknown>[] = [];
  readonly group: ProcessGroup;
  readonly #dir: string;
  #onEvent: (() => void)[] = [];

  constructor(config: object, args: string[] = []) {
    this.#dir = mkdtempSync(join(tmpdir(), 'linedesk-bin-'));
    writeFileSync(join(this.#dir, 'c.json'), JSON.stringify(config));
    this.group = spawnGroup(process.execPath, [bin(), ...args, '--config', join(this.#dir, 'c.json')], { stdio: ['pipe', 'pipe', 'ignore'] });
    let rest = '';
    (this.group.child.stdout as Readable).on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop()!;
      for (const line of lines) this.events.push(JSON.parse(line) as Record<string, unknown>);
      for (const f of this.#onEvent) f();
    });
  }

  /** The first event named `name` (with `id`, if given), within `ms`. */
  waitFor(name: string, id?: string, ms = 30_000): Promise<Record<string, unknown>> {
    const find = () => this.events.find((e) => e.event === name && (id === undefined || e.id === id));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${name} within ${ms} ms; events: ${JSON.stringify(this.events)}`)), ms);
      const check = (): void => {
        const e = find();
        if (!e) return;
        clearTimeout(timer);
        this.#onEvent = this.#onEvent.filter((f) => f !== check);
        resolve(e);
      };
      this.#onEvent.push(check);
      check();
    });
  }

  send(cmd: object): void {
    this.group.child.stdin!.write(JSON.stringify(cmd) + '\n');
  }

  async stop(): Promise<number | null> {
    const { code } = await this.group.stop(8_000);
    rmSync(this.#dir, { recursive: true, force: true });
    return code;
  }
}

/**
 * The `linedesk` command (package.json "bin"): bin/linedesk.js runs the headless runner from
 * its bundle, rebuilding the bundle first when a source changed. No SIP peer is needed: the
 * runner announces `ready` before any registration answers.
 */
describe('the linedesk command', { timeout: 120_000 }, () => {
  test('starts the headless runner: ready with the four lines, status, and quit ends it with 0', async () => {
    const runner = new Linedesk(await fourLines());
    try {
      const ready = await runner.waitFor('ready');
      assert.deepEqual(ready.lines, ['l1', 'l2', 'l3', 'l4']);
      assert.match(JSON.stringify(ready.transports), /"protocol":"udp","local":"127\.0\.0\.1:\d+"/);
      runner.send({ cmd: 'status', id: 's1' });
      const status = await runner.waitFor('status', 's1');
      assert.equal((status.lines as unknown[]).length, 4);
      runner.send({ cmd: 'quit' });
      assert.deepEqual(await runner.group.exited, { code: 0, signal: null });
      assert.equal(runner.events.filter((e) => e.event === 'stopped').length, 1);
    } finally {
      await runner.stop();
    }
  });

  test('"linedesk headless --config FILE" is the same runner', async () => {
    const runner = new Linedesk(await fourLines(), ['headless']);
    try {
      await runner.waitFor('ready');
    } finally {
      assert.equal(await runner.stop(), 0);
    }
  });

  test('help lists the subcommands; an unknown one exits 2; a bad config exits 2 and names the field', () => {
    const help = linedesk(['help']);
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^ {2}headless +.*\(the default\)$/m);
    const unknown = linedesk(['nosuch']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown command "nosuch"/);
    assert.equal(unknown.stdout, '');
    const dir = mkdtempSync(join(tmpdir(), 'linedesk-bin-'));
    try {
      writeFileSync(join(dir, 'c.json'), JSON.stringify({ transport: { protocol: 'udp' }, registrar: { uri: 'sip:127.0.0.1' }, lines: [{ id: 'x', aor: 'sip:200@h', username: '200', password: 1 }] }));
      const bad = linedesk(['--config', join(dir, 'c.json')]);
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /lines\[0\]\.password: /);
      assert.equal(bad.stdout, '', 'nothing on the event stream');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('in a checkout it rebuilds its bundle when a source is newer, and only then', () => {
    const source = join(repoRoot(), 'src-main', 'headless', 'linedesk-command.ts');
    const bundle = join(repoRoot(), 'dist', 'linedesk', 'linedesk.cjs');
    const original = statSync(source);
    // Current after `npm run build` (or after this first run, should an earlier test have
    // touched a source): no build, straight to the runner.
    linedesk(['help']);
    const current = linedesk(['help']);
    assert.equal(current.status, 0, current.stderr);
    assert.doesNotMatch(current.stderr, /building/);
    try {
      utimesSync(source, original.atime, new Date(Date.now() + 60_000));
      const before = statSync(bundle).mtimeMs;
      const stale = linedesk(['help']);
      assert.equal(stale.status, 0, stale.stderr);
      assert.match(stale.stderr, /building headless \(src-main\/headless\/linedesk-command\.ts changed since the last build\)/);
      assert.match(stale.stdout, /usage: linedesk/, 'then runs the new bundle; build output stays off stdout');
      assert.ok(statSync(bundle).mtimeMs > before, 'the bundle was rewritten');
      const again = linedesk(['help']);
      assert.doesNotMatch(again.stderr, /building/, 'current again');
    } finally {
      // Put the time back, then leave the bundle current for whoever runs next.
      utimesSync(source, original.atime, original.mtime);
      linedesk(['help']);
    }
    assert.doesNotMatch(linedesk(['help']).stderr, /building/);
  });

  test('an installed copy without its bundle (no checkout) says how to build, exit 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linedesk-pkg-'));
    try {
      mkdirSync(join(dir, 'bin'));
      copyFileSync(bin(), join(dir, 'bin', 'linedesk.js'));
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'linedesk', type: 'module' }));
      const r = spawnSync(process.execPath, [join(dir, 'bin', 'linedesk.js'), '--config', 'x.json'], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(r.status, 1);
      assert.match(r.stderr, /not built: .*linedesk\.cjs is missing.*npm run build/);
      assert.equal(r.stdout, '');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a reader that closes its stderr does not keep it from stopping on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'linedesk-stderr-'));
    writeFileSync(join(dir, 'c.json'), JSON.stringify(await fourLines()));
    const group = spawnGroup(process.execPath, [bin(), '--config', join(dir, 'c.json'), '--log-level', 'debug'], { stdio: ['pipe', 'pipe', 'pipe'] });
    try {
      const stdout = group.child.stdout as Readable;
      const stderr = group.child.stderr as Readable;
      // Close our end of its stderr at its first log line: its later logs hit a broken pipe.
      stderr.once('data', () => stderr.destroy());
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no ready within 30 s')), 30_000);
        stdout.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('"event":"ready"')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      group.signal('SIGTERM');
      const timeout = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 15_000).unref());
      const exit = await Promise.race([group.exited, timeout]);
      assert.notEqual(exit, 'hung', 'it must stop, not loop on failed log writes');
      assert.deepEqual(exit, { code: 0, signal: null });
    } finally {
      await group.stop(2_000);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
