/** One figure a benchmark section reports. */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  // Linear interpolation between closest ranks.
  const rank = (p / 100) * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return s[lo]! + (s[hi]! - s[lo]!) * (rank - lo);
}

export function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/**
 * LINEDESK_BENCH_WORKERS=n: the media section's LineDesk runs with media.workers n (0: media on
 * the main thread, as before issue 13); unset: the default (one worker per core).
 */
export function benchWorkers(): { workers?: number } {
  const n = process.env.LINEDESK_BENCH_WORKERS;
  return n === undefined || n === '' ? {} : { workers: Number(n) };
}
