import { InterarrivalJitter } from '../jitter/jitter-estimator.js';

/** RFC 3550 A.1: a forward jump of up to this many sequence numbers is a gap (loss)... */
const MAX_DROPOUT = 3000;
/** ...and a backward one of up to this many is a late or duplicate packet. Anything else is a jump. */
const MAX_MISORDER = 100;
const SEQ_MOD = 0x10000;

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
  /** A.1's bad_seq: the sequence number that, arriving next, confirms a jump (a restarted sender). */
  #badSeq = SEQ_MOD + 1;
  #jitter: InterarrivalJitter;

  constructor(private readonly clockRate: number) {
    this.#jitter = new InterarrivalJitter(clockRate);
  }

  /** Records one packet; `arrivalMs` on a monotonic clock. */
  packet(ssrc: number, seq: number, timestamp: number, arrivalMs: number): void {
    if (!this.#started || ssrc !== this.ssrc) {
      this.ssrc = ssrc;
      this.#restart(seq);
      this.#jitter = new InterarrivalJitter(this.clockRate);
      this.#started = true;
    } else if (!this.#updateSeq(seq)) {
      return; // the first packet after a jump: not counted until the next one confirms it
    }
    this.#received++;
    this.#jitter.update(arrivalMs, timestamp);
  }

  /** RFC 3550 A.1 update_seq: false for a packet that is set aside (a possible jump). */
  #updateSeq(seq: number): boolean {
    const delta = (seq - this.#maxSeq) & 0xffff;
    if (delta < MAX_DROPOUT) {
      // In order, with a permissible gap: a wrap moves to the next cycle.
      if (seq < this.#maxSeq) this.#cycles += SEQ_MOD;
      this.#maxSeq = seq;
    } else if (delta <= SEQ_MOD - MAX_MISORDER) {
      // A very large jump. Two sequential packets after it mean the sender restarted its
      // sequence (same SSRC): resynchronise, as if the source were new.
      if (seq !== this.#badSeq) {
        this.#badSeq = (seq + 1) & 0xffff;
        return false;
      }
      this.#restart(seq);
      this.#jitter.restart(); // a new timeline, too: no transit difference across the jump
    }
    // else: a duplicate or reordered packet; counted, the highest number stays.
    return true;
  }

  /** A.1 init_seq. */
  #restart(seq: number): void {
    this.#baseSeq = seq;
    this.#maxSeq = seq;
    this.#badSeq = SEQ_MOD + 1;
    this.#cycles = 0;
    this.#received = 0;
    this.#expectedPrior = 0;
    this.#receivedPrior = 0;
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
    return Math.round(this.#jitter.units);
  }

  get jitterMs(): number {
    return this.#jitter.ms;
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
