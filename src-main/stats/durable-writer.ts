import type { Clock, TimerHandle } from '../common/clock.js';
import type { Logger } from '../common/logger.js';

/** The longest wait between two retries of writes that keep failing. */
const MAX_RETRY_DELAY_MS = 30_000;

/**
 * Runs the store's writes so that a failing database (disk full, file removed, I/O error,
 * another process holding the write lock) never breaks a call: a failed write is logged and
 * kept, and retried later, with a growing delay (doubling up to 30 s), until it succeeds.
 * A pending write is never dropped while LineDesk runs: an ended call, for one, never
 * changes again, so its last save is the only one that closes its record.
 *
 * Writes are keyed by what they save; every write stores the current state of its object
 * (idempotent upserts), so a retry stores the latest state, and a newer write for the same
 * key replaces the pending one (or, when it succeeds, settles it).
 */
export class DurableWriter {
  readonly #pending = new Map<string, { label: string; fn: () => void }>();
  #timer: TimerHandle | undefined;
  /** The wait before the next retry: `retryDelayMs`, doubled after each retry that fails. */
  #delay: number;
  /** Writes that failed (first tries and retries), for tests and diagnostics. */
  failures = 0;

  constructor(
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly retryDelayMs = 500,
    private readonly maxRetryDelayMs = MAX_RETRY_DELAY_MS,
  ) {
    this.#delay = retryDelayMs;
  }

  /** Runs `fn` (one small transaction) now. Returns false when it failed (it is then retried later). Never throws. */
  write(key: string, label: string, fn: () => void): boolean {
    try {
      fn();
      this.#pending.delete(key);
      return true;
    } catch (error) {
      this.failures++;
      this.#pending.set(key, { label, fn });
      const when = this.#timer ? 'with the writes already pending' : `in ${this.#delay} ms`;
      this.#schedule();
      this.log.warn(`could not save ${label}; retrying ${when}`, { error: messageOf(error) });
      return false;
    }
  }

  /** Number of writes waiting for their retry. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Retries every pending write now (also used at stop). The ones that fail again stay pending, retried later. */
  retryNow(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    const failed: string[] = [];
    let lastError: unknown;
    for (const [key, { label, fn }] of [...this.#pending.entries()]) {
      try {
        fn();
        this.#pending.delete(key);
      } catch (error) {
        this.failures++;
        failed.push(label);
        lastError = error;
      }
    }
    if (this.#pending.size === 0) {
      this.#delay = this.retryDelayMs;
      return;
    }
    this.#delay = Math.min(this.#delay * 2, this.maxRetryDelayMs);
    this.#schedule();
    this.log.error(`could not save ${failed.join(', ')} on retry; retrying in ${this.#delay} ms`, { error: messageOf(lastError) });
  }

  /** Stops retrying. Writes still pending are lost (logged): the next start closes what they left open. */
  dispose(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    if (this.#pending.size > 0) {
      this.log.error(`${this.#pending.size} write(s) could not be saved before stop: ${[...this.#pending.values()].map((p) => p.label).join(', ')}`);
    }
    this.#pending.clear();
  }

  #schedule(): void {
    this.#timer ??= this.clock.setTimeout(() => {
      this.#timer = undefined;
      this.retryNow();
    }, this.#delay);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
