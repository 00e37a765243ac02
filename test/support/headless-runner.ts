import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from './paths.js';
import { spawnGroup, type ProcessGroup } from './process-group.js';

/** One event line from the runner's stdout. */
export type RunnerEvent = Record<string, unknown> & { event: string; ts: number };

/**
 * Drives the real headless runner (dist/src-main/headless/cli.js) as a child process:
 * a config file in, JSON-line events collected from stdout, JSON-line commands to stdin.
 *
 * The runner keeps serving after its stdin closes, so a test that never calls stop() would
 * leave it running and the test file would never end. It is therefore started as its own
 * process group (process-group.ts, killed on the way out of the test process) and holds no
 * reference on the event loop: waits keep the loop alive with their timers, and `exited`
 * and stop() take a reference while they wait.
 */
export class HeadlessRunner {
  readonly events: RunnerEvent[] = [];
  readonly stderr: string[] = [];
  readonly child: ChildProcessWithoutNullStreams;
  readonly configFile: string;
  #group: ProcessGroup;
  #exited: Promise<number | null>;
  #dir: string;
  #waiters: { pred: (e: RunnerEvent) => boolean; resolve: (e: RunnerEvent) => void }[] = [];

  constructor(config: object, opts: { logLevel?: string; env?: Record<string, string> } = {}) {
    this.#dir = mkdtempSync(join(tmpdir(), 'linedesk-run-'));
    this.configFile = join(this.#dir, 'config.json');
    const cli = join(repoRoot(), 'dist', 'src-main', 'headless', 'cli.js');
    try {
      writeFileSync(this.configFile, JSON.stringify(config, null, 2));
      this.#group = spawnGroup(process.execPath, [cli, '--config', this.configFile, '--log-level', opts.logLevel ?? 'info'], {
        env: { ...process.env, ...opts.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    } catch (error) {
      rmSync(this.#dir, { recursive: true, force: true });
      throw error;
    }
    // stdio is all pipes, so the streams exist
    this.child = this.#group.child as ChildProcessWithoutNullStreams;
    this.#exited = this.#group.exited.then((e) => e.code);
    this.child.unref();
    for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr]) (stream as unknown as Socket).unref();
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
  }

  /** The exit code (null when killed by a signal). Awaiting it keeps the test process alive until then. */
  get exited(): Promise<number | null> {
    this.child.ref();
    return this.#exited;
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

  /**
   * The events from index `mark` on (a mark is `events.length` taken earlier), only those
   * named `event` if given. The waits take the same mark as `since`.
   */
  eventsSince(mark: number, event?: string): RunnerEvent[] {
    const later = this.events.slice(mark);
    return event === undefined ? later : later.filter((e) => e.event === event);
  }

  /** SIGTERM, then SIGKILL if it does not exit in time; idempotent. Returns the exit code. */
  async stop(ms = 8_000): Promise<number | null> {
    const { code } = await this.#group.stop(ms);
    if (!process.env.LINEDESK_KEEP_PEERS) rmSync(this.#dir, { recursive: true, force: true });
    return code;
  }
}
