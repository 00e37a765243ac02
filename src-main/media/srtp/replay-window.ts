/**
 * RFC 3711 §3.3.2: a sliding replay list over packet indices. Indices more than `size`
 * behind the highest one are refused as too old; inside the window each index is accepted
 * once. Check before authenticating (cheap), mark only after (a forged packet marks nothing).
 */
export type ReplayVerdict = 'new' | 'replayed' | 'too-old';

export class ReplayWindow {
  readonly size: number;
  #highest = -1;
  readonly #seen: Uint8Array;

  /** `size` packets, at least 64 (RFC 3711 §3.3.2). */
  constructor(size = 128) {
    if (!Number.isInteger(size) || size < 64 || size > 32768) throw new RangeError(`replay window of ${size} packets: use 64 to 32768`);
    this.size = size;
    this.#seen = new Uint8Array(size);
  }

  get highest(): number {
    return this.#highest;
  }

  check(index: number): ReplayVerdict {
    if (index > this.#highest) return 'new';
    if (this.#highest - index >= this.size) return 'too-old';
    return this.#seen[index % this.size] ? 'replayed' : 'new';
  }

  /** Marks `index` as received; call only for a packet that passed check() and authentication. */
  mark(index: number): void {
    if (index > this.#highest) {
      // Forget the slots the window slides past; past a whole window, forget them all.
      const start = this.#highest + 1;
      if (index - start >= this.size) this.#seen.fill(0);
      else for (let i = start; i <= index; i++) this.#seen[i % this.size] = 0;
      this.#highest = index;
    }
    this.#seen[index % this.size] = 1;
  }
}
