import type { Clock } from '../../common/clock.js';

/**
 * Decides whether a warning about one source may be written now: at most once per key per
 * interval, the count of the ones held back said with the next. Input from the network
 * must not be able to fill the log (or block the loop writing it). The keys are capped:
 * past `maxKeys`, the oldest entry is forgotten.
 */
export class RateLimitedLog {
  readonly #last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs = 60_000,
    private readonly maxKeys = 1_024,
  ) {}

  /** The number of warnings held back since the last one for `key`, when one may be written now; else undefined. */
  take(key: string): number | undefined {
    const now = this.clock.now();
    const entry = this.#last.get(key);
    if (entry && now - entry.at < this.intervalMs) {
      entry.suppressed++;
      return undefined;
    }
    const suppressed = entry?.suppressed ?? 0;
    this.#last.delete(key);
    if (this.#last.size >= this.maxKeys) this.#evict(now);
    this.#last.set(key, { at: now, suppressed: 0 });
    return suppressed;
  }

  get size(): number {
    return this.#last.size;
  }

  /** Forgets expired keys; still full, the oldest (Map order is insertion order, and take() re-inserts). */
  #evict(now: number): void {
    for (const [k, v] of this.#last) if (now - v.at >= this.intervalMs) this.#last.delete(k);
    while (this.#last.size >= this.maxKeys) {
      const oldest = this.#last.keys().next().value;
      if (oldest === undefined) break;
      this.#last.delete(oldest);
    }
  }
}

/** At most `max` characters of wire text for a log line, control characters shown as escapes. */
export function printable(text: string, max = 120): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  let out = '';
  for (const ch of cut) {
    const code = ch.charCodeAt(0);
    out += code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : ch;
  }
  return out;
}
