/**
 * The playout delay the jitter buffer aims for, from the RFC 3550 interarrival jitter J
 * (InterarrivalJitter, in arrival order) and from packets that came too late (raiseTo):
 * `JITTER_FACTOR` × J, bounded by [min, max]. It grows at once when jitter rises (late
 * packets are audible) and shrinks with a ~10 s time constant when it falls (a burst of
 * jitter tends to come back). The buffer applies it at talkspurt starts, and otherwise
 * one frame at a time.
 */
export interface DelayTargetOptions {
  minMs: number;
  maxMs: number;
  initialMs: number;
}

/**
 * 4 × J covers uniform jitter (J = spread/3) with a frame of phase margin, and ~4.5 σ of
 * Gaussian jitter (J ≈ 1.13 σ).
 */
const JITTER_FACTOR = 4;
/** Per update (one per frame, 50/s at 20 ms): 1/500 gives a ~10 s time constant. */
const SHRINK_GAIN = 1 / 500;

export class DelayTarget {
  #ms: number;

  constructor(private readonly opts: DelayTargetOptions) {
    this.#ms = this.#clamp(opts.initialMs);
  }

  get ms(): number {
    return this.#ms;
  }

  /** Called once per frame period with the current jitter estimate. */
  update(jitterMs: number): void {
    const wanted = this.#clamp(JITTER_FACTOR * jitterMs);
    if (wanted > this.#ms) this.#ms = wanted;
    else this.#ms += (wanted - this.#ms) * SHRINK_GAIN;
  }

  /**
   * A packet needed `ms` of delay and did not get it (it arrived after its slot): raise the
   * target to that at once. This catches spikes that a mean-based J underweights; the
   * target then shrinks back at the usual slow rate.
   */
  raiseTo(ms: number): void {
    this.#ms = Math.max(this.#ms, this.#clamp(ms));
  }

  #clamp(ms: number): number {
    return Math.min(this.opts.maxMs, Math.max(this.opts.minMs, ms));
  }
}
