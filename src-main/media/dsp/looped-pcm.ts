/**
 * A service line's file played in a loop, frame by frame, at one codec's sample rate. A codec
 * change mid-call (re-INVITE) moves to the same point of the file at the new rate.
 */
export class LoopedPcm {
  #pos = 0;

  constructor(
    private pcm: Int16Array | undefined,
    readonly sampleRate: number,
  ) {}

  /** The same file at another rate (undefined: silence from now on), from the same point in time. */
  switchTo(pcm: Int16Array | undefined, sampleRate: number): LoopedPcm {
    const next = new LoopedPcm(pcm, sampleRate);
    const pos = Math.round((this.#pos * sampleRate) / this.sampleRate);
    next.#pos = pcm && pos < pcm.length ? pos : 0;
    return next;
  }

  /** The next `samples` of the file; silence without one. */
  next(samples: number): Int16Array {
    const pcm = this.pcm;
    const out = new Int16Array(samples);
    if (!pcm || pcm.length === 0) return out;
    for (let i = 0; i < samples; i++) {
      out[i] = pcm[this.#pos]!;
      if (++this.#pos === pcm.length) this.#pos = 0;
    }
    return out;
  }
}
