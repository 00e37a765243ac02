/** One side's samples waiting for the other's. */
class SampleQueue {
  #buf = new Int16Array(4096);
  #start = 0;
  #end = 0;

  get length(): number {
    return this.#end - this.#start;
  }

  push(pcm: Int16Array): void {
    if (this.#end + pcm.length > this.#buf.length) {
      const n = this.length;
      const size = Math.max(this.#buf.length, (n + pcm.length) * 2);
      const next = size === this.#buf.length ? this.#buf : new Int16Array(size);
      next.set(this.#buf.subarray(this.#start, this.#end), 0);
      this.#buf = next;
      this.#start = 0;
      this.#end = n;
    }
    this.#buf.set(pcm, this.#end);
    this.#end += pcm.length;
  }

  /** The next sample, or 0 when empty (silence pads a side that fell behind). */
  take(): number {
    return this.#start < this.#end ? this.#buf[this.#start++]! : 0;
  }

  settle(): void {
    if (this.#start === this.#end) this.#start = this.#end = 0;
  }
}

/**
 * Pairs the two sides of a call into stereo frames: left the far end (the caller), right
 * our side (the agent). Both sides arrive frame by frame from the same audio clock; what one
 * side has that the other has not yet is kept, and past `maxSkew` samples the missing side is
 * padded with silence (a side that stopped: no capture, a frame the clock skipped).
 */
export class StereoInterleaver {
  readonly #left = new SampleQueue();
  readonly #right = new SampleQueue();

  constructor(private readonly maxSkew: number) {}

  left(pcm: Int16Array): Int16Array | undefined {
    this.#left.push(pcm);
    return this.#drain();
  }

  right(pcm: Int16Array): Int16Array | undefined {
    this.#right.push(pcm);
    return this.#drain();
  }

  /** Everything still held, the shorter side padded with silence. */
  finish(): Int16Array | undefined {
    return this.#take(Math.max(this.#left.length, this.#right.length));
  }

  #drain(): Int16Array | undefined {
    const both = Math.min(this.#left.length, this.#right.length);
    const ahead = Math.max(this.#left.length, this.#right.length);
    return this.#take(ahead - both > this.maxSkew ? ahead - this.maxSkew : both);
  }

  #take(frames: number): Int16Array | undefined {
    if (frames <= 0) return undefined;
    const out = new Int16Array(frames * 2);
    for (let i = 0; i < frames; i++) {
      out[2 * i] = this.#left.take();
      out[2 * i + 1] = this.#right.take();
    }
    this.#left.settle();
    this.#right.settle();
    return out;
  }
}
