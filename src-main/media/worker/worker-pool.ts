import type { Clock, TimerHandle } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { FromWorker, WorkerInit } from './media-protocol.js';
import { MediaWorker } from './media-worker.js';

export interface WorkerPoolOptions {
  size: number;
  init: WorkerInit;
  clock: Clock;
  log: Logger;
  script?: string | URL;
  watchdogMs: number;
  onMessage(worker: MediaWorker, m: FromWorker): void;
  /** `dead` is gone; its replacement (same index) is starting. Its calls are the engine's to re-place. */
  onDeath(dead: MediaWorker, reason: string): void;
}

/** Deaths counted for the restart back-off. */
const DEATH_WINDOW_MS = 60_000;

/**
 * The media worker threads: a fixed number (one per core by default), each replaced as soon
 * as it dies. A worker that keeps dying (several times a minute: a bug that kills it at
 * start) is restarted after a growing pause, up to 10 s, instead of in a loop.
 */
export class MediaWorkerPool {
  readonly #slots: Array<MediaWorker | undefined>;
  readonly #deaths: number[] = [];
  readonly #restarts = new Set<TimerHandle>();
  readonly #waiting: Array<() => void> = [];
  #lateOfDead = 0;
  #closed = false;

  constructor(private readonly o: WorkerPoolOptions) {
    if (!Number.isInteger(o.size) || o.size < 1) throw new RangeError(`a media worker pool needs at least one worker, not ${o.size}`);
    this.#slots = Array.from({ length: o.size }, () => undefined);
  }

  /** Starts every worker; resolves once all are ready (rejects when one dies before). */
  async start(): Promise<void> {
    for (let i = 0; i < this.#slots.length; i++) this.#spawn(i);
    await Promise.all(this.#slots.map((w) => w!.ready));
  }

  /** The workers alive now. */
  get workers(): MediaWorker[] {
    return this.#slots.filter((w): w is MediaWorker => w !== undefined && w.alive);
  }

  /** Late frames of every worker, the dead ones' last count included. */
  get lateFrames(): number {
    return this.#lateOfDead + this.workers.reduce((sum, w) => sum + w.lateFrames, 0);
  }

  /** A worker ready for calls: of those alive, `choose` picks; waits while none is (a restart). */
  async pick(choose: (alive: MediaWorker[]) => MediaWorker): Promise<MediaWorker> {
    for (;;) {
      if (this.#closed) throw new Error('the media engine is closed');
      const alive = this.workers;
      if (alive.length > 0) {
        const w = choose(alive);
        await w.ready.catch(() => {});
        if (w.alive) return w;
        continue;
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
  }

  /** Full garbage collections in every worker; resolves with their heaps' total after. */
  async gc(): Promise<number> {
    const heaps = await Promise.all(this.workers.map((w) => w.gc()));
    return heaps.reduce((a, b) => a + b, 0);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const t of this.#restarts) t.cancel();
    this.#restarts.clear();
    for (const w of this.#waiting.splice(0)) w();
    await Promise.all(this.#slots.map((w) => w?.terminate() ?? Promise.resolve()));
  }

  #spawn(index: number): void {
    const worker: MediaWorker = new MediaWorker({
      index,
      init: this.o.init,
      clock: this.o.clock,
      log: this.o.log.child(`worker${index}`),
      ...(this.o.script ? { script: this.o.script } : {}),
      watchdogMs: this.o.watchdogMs,
      onMessage: (m) => this.o.onMessage(worker, m),
      onDeath: (reason) => this.#onDeath(worker, reason),
    });
    this.#slots[index] = worker;
    void worker.ready.then(
      () => {
        for (const w of this.#waiting.splice(0)) w();
      },
      () => {},
    );
  }

  #onDeath(dead: MediaWorker, reason: string): void {
    this.#lateOfDead += dead.lateFrames;
    if (this.#closed) return;
    const now = this.o.clock.now();
    this.#deaths.push(now);
    while (this.#deaths.length > 0 && now - this.#deaths[0]! > DEATH_WINDOW_MS) this.#deaths.shift();
    const pause = this.#deaths.length <= 2 ? 0 : Math.min(10_000, 250 * 2 ** (this.#deaths.length - 3));
    this.o.log.error(`media worker ${dead.index} died (${reason}); ${pause > 0 ? `restarting it in ${pause} ms` : 'restarting it'}`);
    if (pause === 0) this.#spawn(dead.index);
    else {
      const timer = this.o.clock.setTimeout(() => {
        this.#restarts.delete(timer);
        if (!this.#closed) this.#spawn(dead.index);
      }, pause);
      this.#restarts.add(timer);
    }
    this.o.onDeath(dead, reason);
  }
}
