import type { Clock, TimerHandle } from '../common/clock.js';

/**
 * A frame clock for media that has no sound card to pace it (echo, file and listen
 * service lines): calls `tick` once per `frameMs` on average. Timers fire late by a
 * variable amount; counting frames against elapsed time (and catching up) keeps the
 * long-run rate exact, which is what the far end's jitter buffer cares about.
 */
export class MediaTicker {
  #timer: TimerHandle | undefined;
  #start = 0;
  #frames = 0;
  #subscribers = new Set<() => void>();
  /** Frames sent later than one frame period after they were due (the event loop was busy). */
  lateFrames = 0;

  constructor(
    private readonly clock: Clock,
    readonly frameMs = 20,
  ) {}

  subscribe(tick: () => void): () => void {
    this.#subscribers.add(tick);
    if (!this.#timer) {
      this.#start = this.clock.now();
      this.#frames = 0;
      // Check twice per frame; emit however many frames are due.
      this.#timer = this.clock.setInterval(() => this.#run(), this.frameMs / 2);
    }
    return () => {
      this.#subscribers.delete(tick);
      if (this.#subscribers.size === 0) {
        this.#timer?.cancel();
        this.#timer = undefined;
      }
    };
  }

  #run(): void {
    const due = Math.floor((this.clock.now() - this.#start) / this.frameMs);
    // Never burst more than 5 frames after a stall: better a gap than a flood.
    if (due - this.#frames > 1) this.lateFrames += due - this.#frames - 1;
    if (due - this.#frames > 5) this.#frames = due - 5;
    while (this.#frames < due) {
      this.#frames++;
      for (const t of [...this.#subscribers]) t();
    }
  }
}
