import type { AgentStateName, StatsSummary } from '../contract/control-events.js';
import type { Disposition } from './call-record.js';
import type { SqliteDatabase, SqliteStatement } from './sqlite-driver.js';
import type { StatsRange } from './stats-range.js';

/** One breakdown row: from call_day_figures (whole days) or computed from calls (the rest). */
export interface FigureRow {
  dim: 'd' | 'h' | 'l' | 'r';
  key: string | number;
  calls: number;
  answered: number;
  answer_wait: number;
  talk_ms: number;
  hold_ms: number;
  wrapup_ms: number;
}

/** A call not ended yet, as far as its talk and hold go. */
export interface LiveRow {
  line: string | null;
  answered_at: number | null;
  hold_ms: number;
  hold_since: number | null;
}

interface StateTimeRow {
  state: AgentStateName;
  reason: string | null;
  ms: number;
}

/** Key for declines without a reason in `declinedByReason`. */
export const NO_REASON = 'unspecified';
const DAY_MS = 86_400_000;

/**
 * The personal statistics. Whole UTC days of the period are read from call_day_figures
 * (a few rows per day, kept exact by triggers), the partial days at its ends from the
 * calls themselves (offered_at index), so a month over a million records reads about a
 * thousand rows. Definitions:
 *  - a call counts in the period its first offer (or queueing, or dialling) falls in;
 *  - offered, answered, declined, missed, abandoned, answered elsewhere, failed, rejected,
 *    answer rate, speed of answer, handle time, calls per hour and per-line offered/answered
 *    count inbound calls only; talk, hold and wrap-up totals (and per-line talk) count every
 *    call, inbound and outbound; a call up right now counts its talk and hold so far;
 *  - answered includes calls up right now, so offered = answered + declined + missed + abandoned
 *    + answered elsewhere + failed + rejected + calls ringing now;
 *  - answer rate = answered / (offered − answered elsewhere);
 *  - average speed of answer = mean of (answered − first offered), queue wait included;
 *  - average handle time = mean of (talk + hold + wrap-up) over inbound calls answered and ended;
 *  - logged-in time = time in any state but offline; pause time per reason and logged-in
 *    time are clipped to the period, and the current state counts up to `now`;
 *  - occupancy = (talk + hold + wrap-up) / logged-in time, at most 1 (calls on several lines
 *    at once each count their own time).
 */
export class StatsQueries {
  readonly #days: SqliteStatement<FigureRow>;
  readonly #calls: SqliteStatement<FigureRow>;
  readonly #live: SqliteStatement<LiveRow>;
  readonly #stateTime: SqliteStatement<StateTimeRow>;

  constructor(db: SqliteDatabase) {
    this.#days = db.prepare<FigureRow>(`
      SELECT dim, key, SUM(calls) AS calls, SUM(answered) AS answered, SUM(answer_wait) AS answer_wait,
             SUM(talk_ms) AS talk_ms, SUM(hold_ms) AS hold_ms, SUM(wrapup_ms) AS wrapup_ms
        FROM call_day_figures WHERE day >= @first AND day < @end GROUP BY dim, key`);
    // The same breakdowns, from the calls of [from, to).
    const inRange = 'FROM calls WHERE offered_at >= @from AND offered_at < @to';
    this.#calls = db.prepare<FigureRow>(`
      SELECT 'd' AS dim, direction || ':' || disposition AS key, COUNT(*) AS calls, 0 AS answered,
             SUM(IFNULL(answered_at - offered_at, 0)) AS answer_wait, SUM(talk_ms) AS talk_ms, SUM(hold_ms) AS hold_ms, SUM(wrapup_ms) AS wrapup_ms
        ${inRange} GROUP BY direction, disposition
      UNION ALL
      SELECT 'h', offered_hour, COUNT(*), 0, 0, 0, 0, 0 ${inRange} AND direction = 'in' GROUP BY offered_hour
      UNION ALL
      SELECT 'l', line, SUM(direction = 'in'), SUM(direction = 'in' AND disposition IN ('answered', 'active')), 0, SUM(talk_ms), 0, 0
        ${inRange} AND line IS NOT NULL GROUP BY line
      UNION ALL
      SELECT 'r', IFNULL(decline_reason, ''), COUNT(*), 0, 0, 0, 0, 0 ${inRange} AND direction = 'in' AND disposition = 'declined' GROUP BY IFNULL(decline_reason, '')`);
    this.#live = db.prepare<LiveRow>('SELECT line, answered_at, hold_ms, hold_since FROM calls WHERE ended_at IS NULL AND offered_at >= @from AND offered_at < @to');
    this.#stateTime = db.prepare<StateTimeRow>(`
      SELECT state, reason, TOTAL(MIN(COALESCE(ended_at, @now), @end) - MAX(started_at, @from)) AS ms
        FROM agent_intervals
       WHERE started_at < @end AND COALESCE(ended_at, @now) > @from
       GROUP BY state, reason`);
  }

  /**
   * Figures for `range` as of `now`. `lines` and `pauseReasons` (from the config) always
   * appear, with zeros when nothing happened; lines and reasons from older configs appear
   * when they have data. `wholeDays: false` reads every call instead of the per-day sums
   * (tests compare both).
   */
  summary(range: StatsRange, now: number, opts: { lines?: readonly string[]; pauseReasons?: readonly string[]; wholeDays?: boolean } = {}): StatsSummary {
    const s = emptySummary(range);
    for (const line of opts.lines ?? []) s.perLine[line] = { offered: 0, answered: 0, talkMs: 0 };
    for (const reason of opts.pauseReasons ?? []) s.pauseMsByReason[reason] = 0;

    const totals = { answerWait: 0, handled: 0, handleTime: 0 };
    for (const row of this.#figureRows(range, opts.wholeDays ?? true)) addFigures(s, totals, row);
    this.#addLiveTime(s, range, now);

    const reachable = s.offered - s.answeredElsewhere;
    s.answerRate = reachable > 0 ? s.answered / reachable : 0;
    s.averageSpeedOfAnswerMs = s.answered > 0 ? Math.round(totals.answerWait / s.answered) : 0;
    s.averageHandleTimeMs = totals.handled > 0 ? Math.round(totals.handleTime / totals.handled) : 0;

    const end = Math.min(range.to, now);
    let loggedIn = 0;
    if (end > range.from) {
      for (const t of this.#stateTime.iterate({ from: range.from, end, now })) {
        if (t.state !== 'offline') loggedIn += t.ms;
        if (t.state === 'paused') {
          const reason = t.reason ?? NO_REASON;
          s.pauseMsByReason[reason] = (s.pauseMsByReason[reason] ?? 0) + Math.round(t.ms);
        }
      }
    }
    s.occupancy = loggedIn > 0 ? Math.min(1, (s.talkMs + s.holdMs + s.wrapupMs) / loggedIn) : 0;
    return s;
  }

  /** Whole UTC days from the per-day sums, the partial days at either end from the calls. */
  *#figureRows(range: StatsRange, wholeDays: boolean): Generator<FigureRow> {
    const first = Math.ceil(range.from / DAY_MS);
    const end = Math.floor(range.to / DAY_MS);
    if (!wholeDays || first >= end) {
      if (range.to > range.from) yield* this.#calls.iterate({ from: range.from, to: range.to });
      return;
    }
    yield* this.#days.iterate({ first, end });
    if (range.from < first * DAY_MS) yield* this.#calls.iterate({ from: range.from, to: first * DAY_MS });
    if (end * DAY_MS < range.to) yield* this.#calls.iterate({ from: end * DAY_MS, to: range.to });
  }

  /** Talk and hold of calls up now grow without a write: add what they have so far. */
  #addLiveTime(s: StatsSummary, range: StatsRange, now: number): void {
    for (const c of this.#live.iterate({ from: range.from, to: range.to })) addLiveCall(s, c, now);
  }
}

/** A call up now: its hold so far and, once answered, its talk so far (on its line too). */
export function addLiveCall(s: StatsSummary, c: LiveRow, now: number): void {
  const holdNow = c.hold_since !== null ? Math.max(0, now - c.hold_since) : 0;
  s.holdMs += holdNow;
  if (c.answered_at === null) return;
  const talk = Math.max(0, now - c.answered_at - c.hold_ms - holdNow);
  s.talkMs += talk;
  if (c.line !== null) (s.perLine[c.line] ??= { offered: 0, answered: 0, talkMs: 0 }).talkMs += talk;
}

/** A summary of `range` with nothing counted yet: every figure zero, the 24 hours present. */
export function emptySummary(range: { from: number; to: number }): StatsSummary {
  return {
    from: range.from,
    to: range.to,
    offered: 0,
    answered: 0,
    answerRate: 0,
    declined: 0,
    declinedByReason: {},
    missed: 0,
    abandoned: 0,
    answeredElsewhere: 0,
    failed: 0,
    rejected: 0,
    averageSpeedOfAnswerMs: 0,
    averageHandleTimeMs: 0,
    talkMs: 0,
    holdMs: 0,
    wrapupMs: 0,
    occupancy: 0,
    pauseMsByReason: {},
    callsPerHour: Array.from({ length: 24 }, () => 0),
    perLine: {},
  };
}

export function addFigures(s: StatsSummary, totals: { answerWait: number; handled: number; handleTime: number }, row: FigureRow): void {
  switch (row.dim) {
    case 'd': {
      const key = String(row.key);
      const cut = key.indexOf(':');
      const direction = key.slice(0, cut);
      const disposition = key.slice(cut + 1) as Disposition;
      s.talkMs += row.talk_ms;
      s.holdMs += row.hold_ms;
      s.wrapupMs += row.wrapup_ms;
      if (direction !== 'in') return;
      s.offered += row.calls;
      switch (disposition) {
        case 'answered':
          totals.handled += row.calls;
          totals.handleTime += row.talk_ms + row.hold_ms + row.wrapup_ms;
          s.answered += row.calls;
          totals.answerWait += row.answer_wait;
          return;
        case 'active':
          s.answered += row.calls;
          totals.answerWait += row.answer_wait;
          return;
        case 'declined':
          s.declined += row.calls;
          return;
        case 'missed':
          s.missed += row.calls;
          return;
        case 'abandoned':
          s.abandoned += row.calls;
          return;
        case 'answered-elsewhere':
          s.answeredElsewhere += row.calls;
          return;
        case 'failed':
          s.failed += row.calls;
          return;
        case 'rejected':
          s.rejected += row.calls;
          return;
        case 'ringing':
          return;
      }
      return;
    }
    case 'h': {
      const hour = Number(row.key);
      if (hour >= 0 && hour < 24) s.callsPerHour[hour] = (s.callsPerHour[hour] ?? 0) + row.calls;
      return;
    }
    case 'l': {
      const line = (s.perLine[String(row.key)] ??= { offered: 0, answered: 0, talkMs: 0 });
      line.offered += row.calls;
      line.answered += row.answered;
      line.talkMs += row.talk_ms;
      return;
    }
    case 'r': {
      if (row.calls === 0) return;
      const reason = row.key === '' ? NO_REASON : String(row.key);
      s.declinedByReason[reason] = (s.declinedByReason[reason] ?? 0) + row.calls;
      return;
    }
  }
}
