/** Ring size of remembered sequence numbers. */
const SEEN_SIZE = 256;

/** The last sequence numbers received, for duplicate detection (a ring keyed by seq mod 256). */
export class SeenSequences {
  readonly #seen = new Int32Array(SEEN_SIZE).fill(-1);

  has(seq: number): boolean {
    return this.#seen[seq % SEEN_SIZE] === seq;
  }

  mark(seq: number): void {
    this.#seen[seq % SEEN_SIZE] = seq;
  }

  clear(): void {
    this.#seen.fill(-1);
  }
}
