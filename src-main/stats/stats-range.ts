/** A period for statistics: [from, to) in ms since the epoch. */
export interface StatsRange {
  from: number;
  to: number;
}

export type RangeSpec = 'today' | 'week' | { from: number; to: number };

/** Midnight (local time) of the day `ts` falls in. */
export function startOfLocalDay(ts: number): number {
  const d = new Date(ts);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/** Monday 00:00 (local time) of the week `ts` falls in. */
export function startOfLocalWeek(ts: number): number {
  const d = new Date(ts);
  const sinceMonday = (d.getDay() + 6) % 7;
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() - sinceMonday).getTime();
}

/**
 * The period a `stats`/`export` command asks for: today is this local day, week is the
 * local week from Monday 00:00 (both whole: figures are "so far"); an explicit range is
 * taken as given. Daylight-saving days are 23 or 25 hours long, as the calendar says.
 */
export function resolveRange(spec: RangeSpec, now: number): StatsRange | string {
  if (spec === 'today') {
    const from = startOfLocalDay(now);
    const d = new Date(from);
    return { from, to: new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime() };
  }
  if (spec === 'week') {
    const from = startOfLocalWeek(now);
    const d = new Date(from);
    return { from, to: new Date(d.getFullYear(), d.getMonth(), d.getDate() + 7).getTime() };
  }
  if (spec.to < spec.from) return 'range.to must not be before range.from';
  return { from: spec.from, to: spec.to };
}
