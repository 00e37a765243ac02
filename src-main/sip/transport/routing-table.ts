/** Where a transaction's messages go; `at` is its last activity (the request, or a response passing). */
export interface RoutingRecord<T> {
  value: T;
  at: number;
  /** An INVITE without a final response yet: kept while it rings, not just 64*T1. */
  ringing: boolean;
}

/**
 * The mux's per-transaction records, keyed by branch (data from the wire): they expire
 * (see expire()) and are capped, the oldest going first, so a flood cannot grow them.
 */
export class RoutingTable<T> {
  readonly #records = new Map<string, RoutingRecord<T>>();

  constructor(private readonly max = 20_000) {}

  get size(): number {
    return this.#records.size;
  }

  get(key: string): RoutingRecord<T> | undefined {
    return this.#records.get(key);
  }

  set(key: string, record: RoutingRecord<T>): void {
    this.#records.delete(key);
    while (this.#records.size >= this.max) {
      const oldest = this.#records.keys().next().value;
      if (oldest === undefined) break;
      this.#records.delete(oldest);
    }
    this.#records.set(key, record);
  }

  /** Forgets records whose last activity is before `done` (before `ringingDone` for ringing INVITEs). */
  expire(done: number, ringingDone: number): void {
    for (const [k, v] of this.#records) if (v.at < (v.ringing ? ringingDone : done)) this.#records.delete(k);
  }

  clear(): void {
    this.#records.clear();
  }
}
