import type { Clock, TimerHandle } from '../common/clock.js';

/**
 * A frame clock made of timer ticks. Node's timers fire late and drift, so frames are
 * counted against the clock's own time: frame n falls due at start + n·period, every tick
 * runs the frames that are due (usually one, sometimes two), and frames never drift away
 * from real time. Ticks come twice per period, so a frame runs at most half a period late.
 * It paces the null sound card and the media of service lines.
 */
export class FramePacer {
  #timer: TimerHandle | undefined;
  #startedAt = 0;
  #framesRun = 0;
  /** Frames that ran more than one period after they were due (the event loop was busy), or were skipped. */
  lateFrames = 0;

  /**
   * @param maxBurst After a long stall (a suspended laptop, a blocked event loop) at most this
   *   many overdue frames are run at once; the rest are skipped, as a sound card would drop them.
   */
  constructor(
    private readonly clock: Clock,
    readonly periodMs: number,
    private readonly onFrame: () => void,
    private readonly maxBurst = 5,
  ) {}

  get running(): boolean {
    return this.#timer !== undefined;
  }

  start(): void {
    if (this.#timer) return;
    this.#startedAt = this.clock.now();
    this.#framesRun = 0;
    this.#timer = this.clock.setInterval(() => this.#tick(), this.periodMs / 2);
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #tick(): void {
    const due = Math.floor((this.clock.now() - this.#startedAt) / this.periodMs);
    if (due - this.#framesRun > 1) this.lateFrames += due - this.#framesRun - 1;
    if (due - this.#framesRun > this.maxBurst) this.#framesRun = due - this.maxBurst;
    while (this.#framesRun < due && this.#timer) {
      this.#framesRun++;
      this.onFrame();
    }
  }
}
