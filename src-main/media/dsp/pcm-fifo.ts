/**
 * A first-in first-out queue of 16-bit samples: decoded audio goes in by codec frame
 * (20 ms, 30 ms…), the device takes it out by device frame (10 or 20 ms at 48 kHz).
 *
 * It starts small and grows (doubling) only as far as the audio passing through needs,
 * up to `maxCapacity`: a call's queues usually hold a frame or two, and a second of
 * audio reserved up front for each of them was most of what a live call held.
 */
export class PcmFifo {
  #buf: Int16Array;
  #start = 0;
  #length = 0;

  /** @param maxCapacity samples it may hold at most (then the oldest are dropped). */
  constructor(
    readonly maxCapacity: number,
    initialCapacity = 256,
  ) {
    this.#buf = new Int16Array(Math.min(maxCapacity, initialCapacity));
  }

  get length(): number {
    return this.#length;
  }

  /** Samples it can hold now without growing. */
  get capacity(): number {
    return this.#buf.length;
  }

  push(samples: Int16Array): void {
    if (this.#length + samples.length > this.#buf.length) this.#grow(this.#length + samples.length);
    if (samples.length > this.#buf.length) samples = samples.subarray(samples.length - this.#buf.length);
    if (this.#length + samples.length > this.#buf.length) {
      // Overflow: drop the oldest audio rather than grow without bound.
      this.#drop(this.#length + samples.length - this.#buf.length);
    }
    const end = (this.#start + this.#length) % this.#buf.length;
    const first = Math.min(samples.length, this.#buf.length - end);
    this.#buf.set(samples.subarray(0, first), end);
    if (first < samples.length) this.#buf.set(samples.subarray(first), 0);
    this.#length += samples.length;
  }

  /** Takes `n` samples; missing ones (underrun) are left as zeros in `out`. Returns how many were real. */
  shift(n: number, out: Int16Array = new Int16Array(n)): number {
    const take = Math.min(n, this.#length);
    const first = Math.min(take, this.#buf.length - this.#start);
    out.set(this.#buf.subarray(this.#start, this.#start + first), 0);
    if (first < take) out.set(this.#buf.subarray(0, take - first), first);
    if (take < n) out.fill(0, take, n);
    this.#drop(take);
    return take;
  }

  clear(): void {
    this.#start = 0;
    this.#length = 0;
  }

  /** Room for `needed` samples (a power of two, at most maxCapacity), the queued ones kept in order. */
  #grow(needed: number): void {
    if (this.#buf.length >= this.maxCapacity) return;
    let size = Math.max(16, this.#buf.length);
    while (size < needed) size *= 2;
    const next = new Int16Array(Math.min(size, this.maxCapacity));
    const kept = Math.min(this.#length, next.length);
    this.shift(kept, next.subarray(0, kept));
    this.#buf = next;
    this.#start = 0;
    this.#length = kept;
  }

  #drop(n: number): void {
    this.#start = (this.#start + n) % this.#buf.length;
    this.#length -= n;
  }
}
