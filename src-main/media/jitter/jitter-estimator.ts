import { tsDiff } from './rtp-serial.js';

/**
 * The RFC 3550 §6.4.1 interarrival jitter: the mean deviation of the transit-time
 * difference between consecutive packets, smoothed with gain 1/16 (reference code in
 * §A.8). Fed in arrival order, as the RFC specifies, so the value matches what an RTCP
 * receiver report would carry.
 */
export class InterarrivalJitter {
  /** J, in timestamp units (fractional; the RFC keeps it scaled by 16 in integers). */
  #jitter = 0;
  #lastArrivalMs: number | undefined;
  #lastTimestamp = 0;

  constructor(private readonly clockRate: number) {}

  update(arrivalMs: number, timestamp: number): void {
    if (this.#lastArrivalMs !== undefined) {
      // D(i,j) = (Rj - Ri) - (Sj - Si), both in timestamp units.
      const d = ((arrivalMs - this.#lastArrivalMs) * this.clockRate) / 1000 - tsDiff(timestamp, this.#lastTimestamp);
      this.#jitter += (Math.abs(d) - this.#jitter) / 16;
    }
    this.#lastArrivalMs = arrivalMs;
    this.#lastTimestamp = timestamp >>> 0;
  }

  /** Forgets the previous packet (new source or timeline) but keeps the estimate. */
  restart(): void {
    this.#lastArrivalMs = undefined;
  }

  /** J in timestamp units (what an RTCP reception report carries, rounded). */
  get units(): number {
    return this.#jitter;
  }

  get ms(): number {
    return (this.#jitter * 1000) / this.clockRate;
  }
}
