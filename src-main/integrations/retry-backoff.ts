/** Bounds of a retry schedule, ms. */
export interface BackoffBounds {
  minMs: number;
  maxMs: number;
}

/**
 * The wait before retry number `failures` (1 after the first failure): exponential from
 * `minMs`, doubling, capped at `maxMs`, then "equal jitter" (a random point in the upper
 * half), so desks that lost the same receiver at once do not all come back at the same
 * instant, and a wait is never less than half its step.
 */
export function retryDelayMs(failures: number, bounds: BackoffBounds, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(failures));
  // 2^(n-1) overflows to Infinity for large n; min() takes care of it.
  const step = Math.min(bounds.maxMs, bounds.minMs * 2 ** (n - 1));
  return Math.round(step / 2 + random() * (step / 2));
}
