import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from './paths.js';

/** One event line from the runner's stdout. */
export type RunnerEvent = Record<string, unknown> & { event: string; ts: number };

/**
 * Drives the real headless runner (dist/src-main/headless/cli.js) as a child process:
 * a config file in, JSON-line events collected from stdout, JSON-line commands to stdin.
 */
export class HeadlessRunner {
  readonly events: RunnerEvent[] = [];
  readonly stderr: string[] = [];
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;
  readonly configFile: string;
  #dir: string;
  #waiters: { pred: (e: RunnerEvent) => boolean; resolve: (e: RunnerEvent) => void }[] = [];

  constructor(config: object, opts: { logLevel?: string; env?: Record<string, string> } = {}) {
    this.#dir = mkdtempSync(join(tmpdir(), 'linedesk-run-'));
    this.configFile = join(this.#dir, 'config.json');
    writeFileSync(this.configFile, JSON.stringify(config, null, 2));
    const cli = join(repoRoot(), 'dist', 'src-main', 'headless', 'cli.js');
    this.child = spawn(process.execPath, [cli, '--config', this.configFile, '--log-level', opts.logLevel ?? 'info'], {
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      let e: RunnerEvent;
      try {
        e = JSON.parse(line) as RunnerEvent;
      } catch {
        this.stderr.push(`(non-JSON stdout) ${line}`);
        return;
      }
      this.events.push(e);
      for (const w of [...this.#waiters]) {
        if (w.pred(e)) {
          this.#waiters.splice(this.#waiters.indexOf(w), 1);
          w.resolve(e);
        }
      }
    });
    createInterface({ input: this.child.stderr }).on('line', (l) => this.stderr.push(l));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** Sends one command object (or a raw line) on stdin. */
  send(cmd: object | string): void {
    this.child.stdin.write((typeof cmd === 'string' ? cmd : JSON.stringify(cmd)) + '\n');
  }

  /** The first event (already seen from index `since` on, or future) matching `pred`. */
  waitFor(pred: (e: RunnerEvent) => boolean, ms = 10_000, what = 'event', since = 0): Promise<RunnerEvent> {
    const seen = this.events.slice(since).find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w.resolve !== done);
        reject(new Error(`timed out after ${ms} ms waiting for ${what}\nevents:\n${this.events.map((e) => JSON.stringify(e)).join('\n')}\nstderr (tail):\n${this.stderr.slice(-30).join('\n')}`));
      }, ms);
      const done = (e: RunnerEvent): void => {
        clearTimeout(timer);
        resolve(e);
      };
      this.#waiters.push({ pred, resolve: done });
    });
  }

  /** Waits for an event of this name whose fields include `fields`. */
  waitForEvent(event: string, fields: Record<string, unknown> = {}, ms = 10_000, since = 0): Promise<RunnerEvent> {
    return this.waitFor((e) => e.event === event && Object.entries(fields).every(([k, v]) => e[k] === v), ms, `${event} ${JSON.stringify(fields)}`, since);
  }

  /** Waits until every listed line reports `registered`. */
  async registered(lines: string[], ms = 10_000): Promise<void> {
    await Promise.all(lines.map((line) => this.waitForEvent('line.state', { line, state: 'registered' }, ms)));
  }

  eventsNamed(event: string): RunnerEvent[] {
    return this.events.filter((e) => e.event === event);
  }

  /** SIGTERM, then SIGKILL if it does not exit in time. Returns the exit code. */
  async stop(ms = 8_000): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), ms);
    const code = await this.exited;
    clearTimeout(timer);
    if (!process.env.LINEDESK_KEEP_PEERS) rmSync(this.#dir, { recursive: true, force: true });
    return code;
  }
}
