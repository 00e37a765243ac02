/**
 * Rational resampling by a polyphase windowed-sinc FIR (L/M with L, M small integers):
 * 8 kHz ↔ 48 kHz (1:6, 6:1), 16 kHz ↔ 48 kHz and 48 ↔ 48 (a copy). Streaming: state is
 * kept between calls, so frames of any size can be fed and the output never clicks at
 * frame boundaries. The cut-off sits at 0.45 of the lower rate, so an 8 kHz stream keeps
 * everything up to 3.6 kHz and images/aliases are pushed far down.
 */
export class Resampler {
  readonly up: number;
  readonly down: number;
  /** Filter taps per output phase. */
  readonly tapsPerPhase: number;
  #phases: Float32Array[];
  /**
   * The last `tapsPerPhase` input samples, newest first from #pos, stored twice (at i and
   * i + tapsPerPhase) so the window is always one contiguous run: no shifting per sample.
   */
  #ring: Float64Array;
  #pos = 0;
  #phase = 0;

  constructor(
    readonly fromRate: number,
    readonly toRate: number,
    /** Zero crossings of the sinc on each side: quality versus cost. */
    halfWidth = 12,
  ) {
    const g = gcd(fromRate, toRate);
    this.up = toRate / g;
    this.down = fromRate / g;
    if (this.up > 48 || this.down > 48) throw new RangeError(`unsupported ratio ${fromRate}→${toRate}`);
    const cutoff = 0.45 * Math.min(1, this.up / this.down) / this.up; // in cycles per upsampled sample
    this.tapsPerPhase = 2 * halfWidth * Math.max(1, Math.ceil(this.down / this.up));
    const total = this.tapsPerPhase * this.up;
    const proto = new Float32Array(total);
    const mid = (total - 1) / 2;
    for (let n = 0; n < total; n++) {
      const x = n - mid;
      const sinc = x === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
      // Blackman window: -58 dB sidelobes.
      const w = 0.42 - 0.5 * Math.cos((2 * Math.PI * n) / (total - 1)) + 0.08 * Math.cos((4 * Math.PI * n) / (total - 1));
      proto[n] = sinc * w * this.up;
    }
    // Phase p uses taps p, p+up, p+2up… (newest input sample first).
    this.#phases = Array.from({ length: this.up }, (_, p) => {
      const f = new Float32Array(this.tapsPerPhase);
      for (let k = 0; k < this.tapsPerPhase; k++) f[k] = proto[p + k * this.up] ?? 0;
      return f;
    });
    this.#ring = new Float64Array(2 * this.tapsPerPhase);
  }

  process(input: Int16Array): Int16Array {
    if (this.up === 1 && this.down === 1) return input.slice();
    const up = this.up;
    const down = this.down;
    const n = this.tapsPerPhase;
    const ring = this.#ring;
    const phases = this.#phases;
    // Output j falls at upsampled time phase + j·down; those before input.length·up are due now.
    const span = input.length * up - this.#phase;
    const out = new Int16Array(span > 0 ? Math.ceil(span / down) : 0);
    let pos = this.#pos;
    let phase = this.#phase;
    let o = 0;
    for (let i = 0; i < input.length; i++) {
      // The newest sample goes in front of the window (ring[pos] is the newest).
      pos = pos === 0 ? n - 1 : pos - 1;
      const x = input[i]!;
      ring[pos] = x;
      ring[pos + n] = x;
      // Every input sample advances the upsampled time by `up` steps; emit one output
      // every `down` steps, from the phase that lands on it.
      while (phase < up) {
        const taps = phases[phase]!;
        let acc = 0;
        for (let k = 0; k < n; k++) acc += taps[k]! * ring[pos + k]!;
        out[o++] = clamp16(acc);
        phase += down;
      }
      phase -= up;
    }
    this.#pos = pos;
    this.#phase = phase;
    return out;
  }

  /** Output delay of the filter, in output samples (for latency figures). */
  get delaySamples(): number {
    return (this.tapsPerPhase * this.up) / 2 / this.down;
  }
}

function clamp16(v: number): number {
  const r = Math.round(v);
  return r > 32767 ? 32767 : r < -32768 ? -32768 : r;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
