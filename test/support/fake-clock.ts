import type { Clock, TimerHandle } from '../../src-main/common/clock.js';

/** Lets every queued promise callback run. */
export function drain(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

interface Pending {
  id: number;
  at: number;
  fn: () => void;
  every?: number;
  cancelled: boolean;
}

/**
 * A deterministic clock for tests: time moves only when `advance` is called, and timers
 * fire in due order (ties in creation order), each seeing `now()` equal to its due time.
 */
export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  #pending: Pending[] = [];

  constructor(start = 0, private readonly epoch = 1_700_000_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  wallNow(): number {
    return this.epoch + this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.#add(fn, ms);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    return this.#add(fn, ms, Math.max(1, ms));
  }

  /** Number of timers still waiting. */
  get pendingCount(): number {
    return this.#pending.filter((p) => !p.cancelled).length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      const next = this.#nextDue(target);
      if (!next) break;
      this.#now = next.at;
      if (next.every !== undefined) {
        next.at += next.every;
      } else {
        next.cancelled = true;
      }
      next.fn();
    }
    this.#now = target;
    this.#pending = this.#pending.filter((p) => !p.cancelled);
  }

  /**
   * Like `advance`, for code that awaits between timers: fires one due instant at a time
   * and lets pending promise callbacks run (a macrotask turn) before looking again, so a
   * timer armed in an async continuation is stamped at the right virtual time.
   */
  async advanceAsync(ms: number): Promise<void> {
    const target = this.#now + ms;
    await drain();
    for (;;) {
      const next = this.#nextDue(target);
      if (!next) break;
      this.advance(next.at - this.#now);
      await drain();
    }
    this.#now = target;
  }

  #add(fn: () => void, ms: number, every?: number): TimerHandle {
    const p: Pending = { id: this.#seq++, at: this.#now + Math.max(0, ms), fn, cancelled: false };
    if (every !== undefined) p.every = every;
    this.#pending.push(p);
    return { cancel: () => void (p.cancelled = true) };
  }

  #nextDue(limit: number): Pending | undefined {
    let best: Pending | undefined;
    for (const p of this.#pending) {
      if (p.cancelled || p.at > limit) continue;
      if (!best || p.at < best.at || (p.at === best.at && p.id < best.id)) best = p;
    }
    return best;
  }
}
