/**
 * A first-in first-out queue of 16-bit samples: decoded audio goes in by codec frame
 * (20 ms, 30 ms…), the device takes it out by device frame (10 or 20 ms at 48 kHz).
 */
export class PcmFifo {
  /** Allocated by the first push: most calls of a service line never fill their FIFOs (about 100 KB each). */
  #buf: Int16Array | undefined;
  #start = 0;
  #length = 0;

  constructor(readonly capacity: number) {}

  get length(): number {
    return this.#length;
  }

  push(samples: Int16Array): void {
    const buf = (this.#buf ??= new Int16Array(this.capacity));
    if (this.#length + samples.length > buf.length) {
      // Overflow: drop the oldest audio rather than grow without bound.
      this.#drop(this.#length + samples.length - buf.length);
    }
    const end = (this.#start + this.#length) % buf.length;
    const first = Math.min(samples.length, buf.length - end);
    buf.set(samples.subarray(0, first), end);
    if (first < samples.length) buf.set(samples.subarray(first), 0);
    this.#length += samples.length;
  }

  /** Takes `n` samples; missing ones (underrun) are left as zeros in `out`. Returns how many were real. */
  shift(n: number, out: Int16Array = new Int16Array(n)): number {
    const take = Math.min(n, this.#length);
    const buf = this.#buf;
    if (buf && take > 0) {
      const first = Math.min(take, buf.length - this.#start);
      out.set(buf.subarray(this.#start, this.#start + first), 0);
      if (first < take) out.set(buf.subarray(0, take - first), first);
      this.#drop(take);
    }
    if (take < n) out.fill(0, take, n);
    return take;
  }

  clear(): void {
    this.#start = 0;
    this.#length = 0;
  }

  #drop(n: number): void {
    this.#start = (this.#start + n) % this.capacity;
    this.#length -= n;
  }
}
