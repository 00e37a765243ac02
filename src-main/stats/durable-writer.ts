import type { Clock, TimerHandle } from '../common/clock.js';
import type { Logger } from '../common/logger.js';

/**
 * Runs the store's writes so that a failing database (disk full, file removed, I/O error)
 * never breaks a call: a failed write is logged and retried once a little later, then
 * given up (the record is saved again, whole, at its next change). Writes are keyed by what
 * they save; every write stores the current state of its object, so a retry stores the
 * latest state and a newer write for the same key replaces the pending retry.
 */
export class DurableWriter {
  readonly #pending = new Map<string, { label: string; fn: () => void }>();
  #timer: TimerHandle | undefined;
  /** Writes that failed (first tries and retries), for tests and diagnostics. */
  failures = 0;

  constructor(
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly retryDelayMs = 500,
  ) {}

  /** Runs `fn` (one small transaction) now. Returns false when it failed (a retry is scheduled). Never throws. */
  write(key: string, label: string, fn: () => void): boolean {
    try {
      fn();
      this.#pending.delete(key);
      return true;
    } catch (error) {
      this.failures++;
      this.log.warn(`could not save ${label}; retrying once in ${this.retryDelayMs} ms`, { error: messageOf(error) });
      this.#pending.set(key, { label, fn });
      this.#timer ??= this.clock.setTimeout(() => {
        this.#timer = undefined;
        this.retryNow();
      }, this.retryDelayMs);
      return false;
    }
  }

  /** Number of writes waiting for their retry. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Retries every pending write once, now (also used at stop). */
  retryNow(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    const due = [...this.#pending.entries()];
    this.#pending.clear();
    for (const [, { label, fn }] of due) {
      try {
        fn();
      } catch (error) {
        this.failures++;
        this.log.error(`could not save ${label} on retry; giving up until it changes again`, { error: messageOf(error) });
      }
    }
  }

  dispose(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#pending.clear();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
