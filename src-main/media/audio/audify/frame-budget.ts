import type { Clock } from '../../../common/clock.js';

/**
 * Lets at most about one frame per frame period through (5 % slack for a card's clock
 * running fast). When a PulseAudio server dies, audify's audio thread spins and fires
 * callbacks thousands of times a second until the stream is replaced; this keeps that
 * from draining the jitter buffers or flooding the encoder.
 */
export class FrameBudget {
  #tokens: number;
  #at: number;

  constructor(
    private readonly clock: Clock,
    private readonly periodMs: number,
    private readonly burst: number,
  ) {
    this.#tokens = burst;
    this.#at = clock.now();
  }

  take(): boolean {
    const now = this.clock.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#at) / this.periodMs) * 1.05);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
