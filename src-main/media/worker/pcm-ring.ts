/**
 * A single-producer, single-consumer ring of 16-bit samples on a SharedArrayBuffer: how a
 * device-mode call's PCM crosses between the sound card (main thread) and its media (a
 * worker) without a message per frame. The indices are running counts (int32, wrapping),
 * written with Atomics after the samples, so the reader never sees a sample before it is
 * written. Each side can wait (Atomics.waitAsync) for the other to move.
 *
 * Layout: Int32 header [written, read, underruns, closed], then the samples.
 */
const WRITTEN = 0;
const READ = 1;
const UNDERRUNS = 2;
const CLOSED = 3;
const HEADER_BYTES = 16;

/** Atomics.waitAsync (Node ≥ 16; ES2024, beyond this project's lib setting). */
const atomics = Atomics as unknown as { waitAsync(this: void, a: Int32Array, i: number, v: number, timeoutMs?: number): { async: boolean; value: Promise<unknown> | string } };

/**
 * The longest a wait lasts: a close() that lands between a waiter's closed check and its
 * waitAsync notifies nobody (the waited index did not change), so waiters look again this often.
 */
const MAX_WAIT_MS = 250;

export class PcmRing {
  readonly #head: Int32Array;
  readonly #data: Int16Array;

  /** A new ring's shared memory, for `capacity` samples. */
  static allocate(capacity: number): SharedArrayBuffer {
    return new SharedArrayBuffer(HEADER_BYTES + capacity * 2);
  }

  constructor(readonly buffer: SharedArrayBuffer) {
    this.#head = new Int32Array(buffer, 0, 4);
    this.#data = new Int16Array(buffer, HEADER_BYTES);
  }

  get capacity(): number {
    return this.#data.length;
  }

  /** Samples written and not read yet. */
  get available(): number {
    return (Atomics.load(this.#head, WRITTEN) - Atomics.load(this.#head, READ)) | 0;
  }

  /** Reads the reader saw short (the writer was late): the device played silence. */
  get underruns(): number {
    return Atomics.load(this.#head, UNDERRUNS);
  }

  get closed(): boolean {
    return Atomics.load(this.#head, CLOSED) !== 0;
  }

  /** Writes as much of `samples` as fits; returns how many. Producer side only. */
  write(samples: Int16Array): number {
    const written = Atomics.load(this.#head, WRITTEN);
    const free = this.capacity - ((written - Atomics.load(this.#head, READ)) | 0);
    const n = Math.min(free, samples.length);
    if (n <= 0) return 0;
    const at = (written >>> 0) % this.capacity;
    const first = Math.min(n, this.capacity - at);
    this.#data.set(samples.subarray(0, first), at);
    if (first < n) this.#data.set(samples.subarray(first, n), 0);
    Atomics.store(this.#head, WRITTEN, (written + n) | 0);
    Atomics.notify(this.#head, WRITTEN);
    return n;
  }

  /**
   * Fills `out` from the ring; what is missing is left as silence and, with `countShort`,
   * counted as an underrun. Returns the samples read. Consumer side only.
   */
  read(out: Int16Array, countShort = false): number {
    const read = Atomics.load(this.#head, READ);
    const n = Math.min(out.length, (Atomics.load(this.#head, WRITTEN) - read) | 0);
    const at = (read >>> 0) % this.capacity;
    const first = Math.min(Math.max(n, 0), this.capacity - at);
    if (first > 0) out.set(this.#data.subarray(at, at + first), 0);
    if (first < n) out.set(this.#data.subarray(0, n - first), first);
    if (n < out.length) {
      out.fill(0, Math.max(n, 0));
      if (countShort) Atomics.add(this.#head, UNDERRUNS, 1);
    }
    if (n > 0) {
      Atomics.store(this.#head, READ, (read + n) | 0);
      Atomics.notify(this.#head, READ);
    }
    return Math.max(n, 0);
  }

  /** Drops what is queued (consumer side): a new start, e.g. after the media was re-opened. */
  drain(): void {
    Atomics.store(this.#head, READ, Atomics.load(this.#head, WRITTEN));
    Atomics.notify(this.#head, READ);
  }

  /** Wakes every waiter once (a side that stops its own waits). */
  wake(): void {
    Atomics.notify(this.#head, WRITTEN);
    Atomics.notify(this.#head, READ);
  }

  /** Wakes every waiter for good: the call's media is closing. */
  close(): void {
    Atomics.store(this.#head, CLOSED, 1);
    Atomics.notify(this.#head, WRITTEN);
    Atomics.notify(this.#head, READ);
  }

  /** Resolves once the reader has read past `seen` (see `readCount`), or the ring closed (or after MAX_WAIT_MS: look again). */
  readMoved(seen: number): Promise<unknown> {
    return this.#wait(READ, seen);
  }

  /** Resolves once the writer has written past `seen` (see `writeCount`), or the ring closed (or after MAX_WAIT_MS: look again). */
  writeMoved(seen: number): Promise<unknown> {
    return this.#wait(WRITTEN, seen);
  }

  get readCount(): number {
    return Atomics.load(this.#head, READ);
  }

  get writeCount(): number {
    return Atomics.load(this.#head, WRITTEN);
  }

  #wait(index: number, seen: number): Promise<unknown> {
    if (this.closed) return Promise.resolve();
    const w = atomics.waitAsync(this.#head, index, seen, MAX_WAIT_MS);
    return w.async ? (w.value as Promise<unknown>) : Promise.resolve();
  }
}
