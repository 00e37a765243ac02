import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Clock, TimerHandle } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { CrashKind, FromWorker, ToWorker, WorkerInit } from './media-protocol.js';

/** The young generation of a media worker's heap (V8's default grows to 16 MB and more). */
const YOUNG_GENERATION_MB = 4;

export interface MediaWorkerOptions {
  /** Its place in the pool (kept by its replacement), for names and logs. */
  index: number;
  init: WorkerInit;
  clock: Clock;
  log: Logger;
  /** The worker thread's script; by default media-worker-main.js next to this file. */
  script?: string | URL;
  /** No heartbeat for this long: the worker is taken for hung, terminated and reported dead. */
  watchdogMs: number;
  /** Every message but heartbeats, logs and gc answers. */
  onMessage(m: FromWorker): void;
  /** The worker is gone (it threw, exited or hung); called once, never after terminate(). */
  onDeath(reason: string): void;
}

/**
 * The worker script next to this module (tsc's output; in the Electron shell, the bundle built
 * beside main.js). Electron reads app.asar in worker threads since version 18 (electron#33216).
 */
export function defaultWorkerScript(): string {
  return fileURLToPath(new URL('./media-worker-main.js', import.meta.url));
}

/**
 * One media worker thread as the main thread holds it: messages both ways, its last heartbeat
 * (late frames, heap), and the watch on it: an exception that ends the thread, an exit, or
 * silence past the watchdog all count as its death, reported once.
 */
export class MediaWorker {
  readonly index: number;
  readonly ready: Promise<void>;
  lateFrames = 0;
  heapUsed = 0;
  #worker: Worker;
  #alive = true;
  #lastBeat: number;
  #lastCheck: number;
  readonly #checkEveryMs: number;
  #watch: TimerHandle;
  #error: string | undefined;
  #ready!: { resolve: () => void; reject: (e: Error) => void };
  #gcWaiters: Array<(heapUsed: number) => void> = [];

  constructor(private readonly o: MediaWorkerOptions) {
    this.index = o.index;
    this.ready = new Promise<void>((resolve, reject) => (this.#ready = { resolve, reject }));
    this.ready.catch(() => {}); // a worker that dies before it is ready is reported by onDeath
    this.#worker = new Worker(o.script ?? defaultWorkerScript(), {
      name: `linedesk-media-${o.index}`,
      stdout: false,
      stderr: false,
      // A media worker's garbage is packets that die young. A small young generation collects
      // them (and frees their buffers) often: about 100 KB less resident memory per live call.
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    });
    this.#worker.on('message', (m: FromWorker) => this.#onMessage(m));
    this.#worker.on('error', (error) => {
      this.#error = error instanceof Error ? error.message : String(error);
    });
    this.#worker.on('messageerror', (error) => o.log.error('undecodable message from a media worker', { error }));
    this.#worker.on('exit', (code) => this.#died(this.#error ? `it threw: ${this.#error}` : `it exited with code ${code}`));
    this.#lastBeat = this.#lastCheck = o.clock.now();
    this.#checkEveryMs = Math.max(50, o.watchdogMs / 4);
    this.#watch = o.clock.setInterval(() => this.#checkPulse(), this.#checkEveryMs);
    this.post({ t: 'init', init: o.init });
  }

  get alive(): boolean {
    return this.#alive;
  }

  /** The thread id (for logs and tests). */
  get threadId(): number {
    return this.#worker.threadId;
  }

  post(m: ToWorker): void {
    if (!this.#alive) return;
    try {
      this.#worker.postMessage(m);
    } catch (error) {
      // Only a bug puts something uncloneable in a message: say so, the call goes on without it.
      this.o.log.error(`a message to media worker ${this.index} could not be sent`, { error, t: m.t });
    }
  }

  /** A full garbage collection in the worker (when Node runs with --expose-gc); resolves with its heap after. */
  gc(): Promise<number> {
    if (!this.#alive) return Promise.resolve(0);
    return new Promise((resolve) => {
      this.#gcWaiters.push(resolve);
      this.post({ t: 'gc' });
    });
  }

  /** Tests: make the worker die as a bug would (its death is then detected like any other). */
  crash(how: CrashKind): void {
    this.post({ t: 'crash', how });
  }

  /** Stops the thread on purpose (shutdown): no death is reported. */
  async terminate(): Promise<void> {
    if (!this.#alive) return;
    this.#alive = false;
    this.#stopWatching();
    await this.#worker.terminate();
  }

  #onMessage(m: FromWorker): void {
    switch (m.t) {
      case 'ready':
        this.#ready.resolve();
        return;
      case 'heartbeat':
        this.#lastBeat = this.o.clock.now();
        this.lateFrames = m.lateFrames;
        this.heapUsed = m.heapUsed;
        return;
      case 'gc-done':
        this.heapUsed = m.heapUsed;
        for (const w of this.#gcWaiters.splice(0)) w(m.heapUsed);
        return;
      case 'log': {
        const log = m.category ? this.o.log.child(m.category) : this.o.log;
        log[m.level](m.msg, m.fields);
        return;
      }
      default:
        this.o.onMessage(m);
    }
  }

  #checkPulse(): void {
    const now = this.o.clock.now();
    const mainStalled = now - this.#lastCheck > 2 * this.#checkEveryMs;
    this.#lastCheck = now;
    // When this thread itself was stalled (overload, a long GC), the worker's heartbeats may be
    // waiting unread in the port, and timers run before the port is read: judge at the next
    // check, once they are. Killing a busy worker loses its calls' audio for nothing.
    if (mainStalled) return;
    const silent = now - this.#lastBeat;
    if (silent <= this.o.watchdogMs) return;
    this.#died(`it stopped answering (no heartbeat for ${Math.round(silent)} ms)`);
    void this.#worker.terminate();
  }

  #died(reason: string): void {
    if (!this.#alive) return;
    this.#alive = false;
    this.#stopWatching();
    this.#ready.reject(new Error(`media worker ${this.index} died: ${reason}`));
    for (const w of this.#gcWaiters.splice(0)) w(0);
    this.o.onDeath(reason);
  }

  #stopWatching(): void {
    this.#watch.cancel();
  }
}
