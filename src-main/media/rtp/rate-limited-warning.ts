import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';

/**
 * A warning that may repeat 50 times a second (a failing send, a stranger spraying packets):
 * logged at once the first time, then at most once per interval with how many happened since.
 */
export class RateLimitedWarning {
  #since = 0;
  #loggedAt: number | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly intervalMs = 10_000,
  ) {}

  /** Counts one occurrence; `message` gets the count since the last line. */
  hit(message: (since: number) => string, fields?: Record<string, unknown>): void {
    this.#since++;
    const now = this.clock.now();
    if (this.#loggedAt !== undefined && now - this.#loggedAt < this.intervalMs) return;
    this.log.warn(message(this.#since), fields);
    this.#loggedAt = now;
    this.#since = 0;
  }
}
