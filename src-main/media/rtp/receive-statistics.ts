/**
 * What an RTP receiver knows about one source (RFC 3550 §6.4.1, Appendix A.1, A.3, A.8):
 * extended highest sequence number across wraps, expected vs received packets, loss
 * since the last report, and the interarrival jitter.
 */
export class ReceiveStatistics {
  ssrc = 0;
  #baseSeq = 0;
  #maxSeq = 0;
  #cycles = 0;
  #received = 0;
  #expectedPrior = 0;
  #receivedPrior = 0;
  #started = false;
  #jitter = 0;
  #lastTransit: number | undefined;

  constructor(private readonly clockRate: number) {}

  /** Records one packet; `arrivalMs` on a monotonic clock. */
  packet(ssrc: number, seq: number, timestamp: number, arrivalMs: number): void {
    if (!this.#started || ssrc !== this.ssrc) {
      this.ssrc = ssrc;
      this.#baseSeq = seq;
      this.#maxSeq = seq;
      this.#cycles = 0;
      this.#received = 0;
      this.#expectedPrior = 0;
      this.#receivedPrior = 0;
      this.#jitter = 0;
      this.#lastTransit = undefined;
      this.#started = true;
    }
    const delta = (seq - this.#maxSeq) & 0xffff;
    if (delta < 0x8000) {
      // In order (or a small gap): a wrap moves to the next cycle.
      if (seq < this.#maxSeq) this.#cycles += 0x10000;
      this.#maxSeq = seq;
    }
    this.#received++;
    // Interarrival jitter, in timestamp units (A.8).
    const arrival = (arrivalMs * this.clockRate) / 1000;
    const transit = arrival - timestamp;
    if (this.#lastTransit !== undefined) {
      let d = transit - this.#lastTransit;
      // Timestamps wrap at 2^32: bring the difference back into range.
      if (d > 2 ** 31) d -= 2 ** 32;
      if (d < -(2 ** 31)) d += 2 ** 32;
      this.#jitter += (Math.abs(d) - this.#jitter) / 16;
    }
    this.#lastTransit = transit;
  }

  get started(): boolean {
    return this.#started;
  }

  get extendedHighestSeq(): number {
    return this.#cycles + this.#maxSeq;
  }

  get expected(): number {
    return this.extendedHighestSeq - this.#baseSeq + 1;
  }

  get received(): number {
    return this.#received;
  }

  /** Cumulative packets lost (may be negative with duplicates, per the RFC). */
  get cumulativeLost(): number {
    return this.expected - this.#received;
  }

  get jitterUnits(): number {
    return Math.round(this.#jitter);
  }

  get jitterMs(): number {
    return (this.#jitter / this.clockRate) * 1000;
  }

  /** Fraction lost since the last call, 0-255 as in a report block, and resets the interval. */
  takeFractionLost(): number {
    const expectedInterval = this.expected - this.#expectedPrior;
    const receivedInterval = this.#received - this.#receivedPrior;
    this.#expectedPrior = this.expected;
    this.#receivedPrior = this.#received;
    const lost = expectedInterval - receivedInterval;
    return expectedInterval <= 0 || lost <= 0 ? 0 : Math.min(255, Math.floor((lost << 8) / expectedInterval));
  }
}
