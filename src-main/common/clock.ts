/**
 * Time as the core sees it. Every timer in LineDesk's own code goes through a Clock,
 * so tests can drive retransmissions, registration refreshes and offer timeouts with a
 * fake clock instead of waiting.
 */
export interface TimerHandle {
  /** Cancels the timer; calling it twice is harmless. */
  cancel(): void;
}

export interface Clock {
  /** Monotonic milliseconds, for measuring intervals. */
  now(): number;
  /** Wall-clock milliseconds since the epoch, for timestamps that leave the process. */
  wallNow(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  setInterval(fn: () => void, ms: number): TimerHandle;
}

/** The real clock, backed by Node's timers. Timers are unref'd: they never keep the process alive. */
export const systemClock: Clock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  setTimeout(fn, ms) {
    // Node makes a 0 ms timeout 1 ms, and the loop rounds it up further: "now" (an auto-answer
    // at 0 ms, a deferred step) runs right after the current I/O instead.
    if (ms <= 0) {
      const i = setImmediate(fn);
      i.unref();
      return { cancel: () => clearImmediate(i) };
    }
    const t = setTimeout(fn, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
  setInterval(fn, ms) {
    const t = setInterval(fn, ms);
    t.unref();
    return { cancel: () => clearInterval(t) };
  },
};
