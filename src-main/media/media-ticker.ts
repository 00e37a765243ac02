import type { Clock } from '../common/clock.js';
import { silentLogger, type Logger } from '../common/logger.js';
import { FramePacer } from './frame-pacer.js';

/** The period of the service-line frame clock, ms. */
export const SERVICE_TICK_MS = 20;

/**
 * A frame clock for media that has no sound card to pace it (echo, file and listen
 * service lines): calls every subscriber once per `frameMs` on average, on a FramePacer
 * (frames counted against elapsed time, so the long-run rate is exact, which is what the
 * far end's jitter buffer cares about). It runs while someone is subscribed. A subscriber
 * that throws is logged and skipped for that frame; the others still get theirs.
 */
export class MediaTicker {
  readonly #pacer: FramePacer;
  #subscribers = new Set<() => void>();
  #failures = 0;
  #failureLoggedAt: number | undefined;

  constructor(
    private readonly clock: Clock,
    readonly frameMs = SERVICE_TICK_MS,
    private readonly log: Logger = silentLogger,
  ) {
    this.#pacer = new FramePacer(clock, frameMs, () => this.#frame());
  }

  /** Frames run more than one period late (the event loop was busy), or skipped after a stall. */
  get lateFrames(): number {
    return this.#pacer.lateFrames;
  }

  subscribe(tick: () => void): () => void {
    this.#subscribers.add(tick);
    this.#pacer.start();
    return () => {
      this.#subscribers.delete(tick);
      if (this.#subscribers.size === 0) this.#pacer.stop();
    };
  }

  #frame(): void {
    for (const tick of [...this.#subscribers]) {
      try {
        tick();
      } catch (error) {
        this.#failed(error);
      }
    }
  }

  /** The first failure at once, then at most one line every 10 s: a broken call fails 50 times a second. */
  #failed(error: unknown): void {
    this.#failures++;
    const now = this.clock.now();
    if (this.#failureLoggedAt !== undefined && now - this.#failureLoggedAt < 10_000) return;
    this.log.error(`a media frame failed (${this.#failures} since the last report)`, { error });
    this.#failureLoggedAt = now;
    this.#failures = 0;
  }
}
