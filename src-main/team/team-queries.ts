import type pg from 'pg';
import type { AgentStateName, TeamAgent, TeamAgentFigures, TeamCall, TeamFigures } from '../contract/control-events.js';
import type { RegistrationState } from '../contract/vocabulary.js';
import type { FigureRow } from '../stats/stats-queries.js';
import type { StatsRange } from '../stats/stats-range.js';
import { FiguresBuilder } from './team-figures.js';

type Queryable = Pick<pg.ClientBase, 'query'>;

const DAY_MS = 86_400_000;

/**
 * Whole UTC days: the per-day figures the triggers keep (pg-migrations, version 2); the
 * dispositions per desk (each agent's figures), the breakdowns by hour, line and decline
 * reason for the team as a whole (desk_id null).
 */
const DAY_FIGURES_SQL = `
  SELECT desk_id::text AS desk_id, dim, key, sum(calls)::float8 AS calls, sum(answered)::float8 AS answered, sum(answer_wait)::float8 AS answer_wait,
         sum(within_sl)::float8 AS within_sl, sum(talk_ms)::float8 AS talk_ms, sum(hold_ms)::float8 AS hold_ms, sum(wrapup_ms)::float8 AS wrapup_ms
    FROM linedesk.call_figures WHERE day >= $1 AND day < $2 AND dim = 'd'
   GROUP BY desk_id, dim, key
  UNION ALL
  SELECT NULL, dim, key, sum(calls)::float8, sum(answered)::float8, 0, 0, sum(talk_ms)::float8, 0, 0
    FROM linedesk.call_figures WHERE day >= $1 AND day < $2 AND dim <> 'd'
   GROUP BY dim, key`;

/**
 * The rest (partial days at either end): the calls themselves, from the covering index
 * calls_figures, in two queries sent together: the dispositions per desk, and the
 * breakdowns by hour, line and decline reason for the team (a few dozen groups).
 */
const DESK_CALLS_SQL = `
  SELECT desk_id::text AS desk_id, direction, disposition,
         count(*)::float8 AS calls,
         (count(*) FILTER (WHERE direction = 'in' AND answered_at - offered_at <= $3))::float8 AS within_sl,
         sum(coalesce(answered_at - offered_at, 0))::float8 AS answer_wait,
         sum(talk_ms)::float8 AS talk_ms, sum(hold_ms)::float8 AS hold_ms, sum(wrapup_ms)::float8 AS wrapup_ms
    FROM linedesk.calls
   WHERE offered_at >= $1 AND offered_at < $2
   GROUP BY desk_id, direction, disposition`;
const TEAM_CALLS_SQL = `
  SELECT direction, disposition, offered_hour, line, decline_reason, count(*)::float8 AS calls, sum(talk_ms)::float8 AS talk_ms
    FROM linedesk.calls
   WHERE offered_at >= $1 AND offered_at < $2
   GROUP BY direction, disposition, offered_hour, line, decline_reason`;

/** Answered within another threshold than the team's: from the calls. */
const WITHIN_SQL = `
  SELECT desk_id::text AS desk_id, count(*) AS within_sl FROM linedesk.calls
   WHERE offered_at >= $1 AND offered_at < $2 AND direction = 'in' AND answered_at - offered_at <= $3
   GROUP BY desk_id`;

const LIVE_SQL = `
  SELECT desk_id::text AS desk_id, line, answered_at, hold_ms, hold_since FROM linedesk.calls
   WHERE ended_at IS NULL AND offered_at >= $1 AND offered_at < $2`;

const STATE_TIME_SQL = `
  SELECT desk_id::text AS desk_id, state, reason,
         sum(least(coalesce(ended_at, $3), $2) - greatest(started_at, $1))::float8 AS ms
    FROM linedesk.agent_intervals
   WHERE started_at < $2 AND (ended_at > $1 OR ended_at IS NULL)
   GROUP BY desk_id, state, reason`;

const DESKS_SQL = `
  SELECT d.desk_id::text AS desk_id, d.agent_id, a.name, d.lines, d.last_seen
    FROM linedesk.desks d JOIN linedesk.agents a USING (agent_id)`;

type Num = string | number | null;
interface DayRow {
  /** null: a breakdown of the whole team (hour, line, decline reason). */
  desk_id: string | null;
  dim: 'd' | 'h' | 'l' | 'r';
  key: string;
  calls: Num;
  answered: Num;
  answer_wait: Num;
  within_sl: Num;
  talk_ms: Num;
  hold_ms: Num;
  wrapup_ms: Num;
}
interface DeskCallsRow {
  desk_id: string;
  direction: 'in' | 'out';
  disposition: string;
  calls: Num;
  within_sl: Num;
  answer_wait: Num;
  talk_ms: Num;
  hold_ms: Num;
  wrapup_ms: Num;
}
interface TeamCallsRow {
  direction: 'in' | 'out';
  disposition: string;
  offered_hour: number;
  line: string | null;
  decline_reason: string | null;
  calls: Num;
  talk_ms: Num;
}

const n = (v: Num): number => Number(v ?? 0);

function deskCallsRow(r: DeskCallsRow): { row: FigureRow; withinSl: number } {
  return {
    row: { dim: 'd', key: `${r.direction}:${r.disposition}`, calls: n(r.calls), answered: 0, answer_wait: n(r.answer_wait), talk_ms: n(r.talk_ms), hold_ms: n(r.hold_ms), wrapup_ms: n(r.wrapup_ms) },
    withinSl: n(r.within_sl),
  };
}

/** One group of calls as the team's breakdown rows (hour, line, decline reason) of the desk's statistics. */
function teamCallsRows(r: TeamCallsRow): FigureRow[] {
  const zero = { answered: 0, answer_wait: 0, talk_ms: 0, hold_ms: 0, wrapup_ms: 0 };
  const calls = n(r.calls);
  const inbound = r.direction === 'in';
  const rows: FigureRow[] = [];
  if (inbound) rows.push({ ...zero, dim: 'h', key: r.offered_hour, calls });
  if (r.line !== null) {
    const answered = inbound && (r.disposition === 'answered' || r.disposition === 'active') ? calls : 0;
    rows.push({ ...zero, dim: 'l', key: r.line, calls: inbound ? calls : 0, answered, talk_ms: n(r.talk_ms) });
  }
  if (inbound && r.disposition === 'declined') rows.push({ ...zero, dim: 'r', key: r.decline_reason ?? '', calls });
  return rows;
}

function dayRow(r: DayRow): { row: FigureRow; withinSl: number } {
  return {
    row: { dim: r.dim, key: r.dim === 'h' ? Number(r.key) : r.key, calls: n(r.calls), answered: n(r.answered), answer_wait: n(r.answer_wait), talk_ms: n(r.talk_ms), hold_ms: n(r.hold_ms), wrapup_ms: n(r.wrapup_ms) },
    withinSl: r.dim === 'd' ? n(r.within_sl) : 0,
  };
}

/**
 * Team figures for a period: the whole team, and each agent (every desk an agent used is
 * theirs), with the definitions of the desk's own statistics. The breakdowns by hour, line
 * and decline reason are the team's; an agent's are left empty (the agent's desk has them). Whole UTC days come from the
 * per-day figures, the partial days at either end from the calls, as on the desk. What a
 * role sees is what row-level security lets it read: a supervisor the team, an agent only
 * themselves.
 */
export async function teamStats(db: Queryable, range: StatsRange, now: number, serviceLevelSeconds: number): Promise<{ team: TeamFigures; agents: TeamAgentFigures[] }> {
  const slMs = serviceLevelSeconds * 1_000;
  const [deskRows, settings] = await Promise.all([
    db.query<{ desk_id: string; agent_id: string; name: string }>(DESKS_SQL),
    db.query<{ value: string }>("SELECT value FROM linedesk.settings WHERE key = 'service_level_ms'"),
  ]);
  const agentOf = new Map(deskRows.rows.map((d) => [d.desk_id, d.agent_id]));
  const names = new Map(deskRows.rows.map((d) => [d.agent_id, d.name]));
  const team = new FiguresBuilder(range, serviceLevelSeconds);
  const perAgent = new Map<string, FiguresBuilder>();
  for (const agent of names.keys()) perAgent.set(agent, new FiguresBuilder(range, serviceLevelSeconds));
  /** Into the team's figures, and the agent's when the row is one desk's. */
  const each = (desk: string | null, fn: (b: FiguresBuilder) => void): void => {
    fn(team);
    const agent = desk === null ? undefined : agentOf.get(desk);
    const b = agent === undefined ? undefined : perAgent.get(agent);
    if (b) fn(b);
  };
  // The per-day figures count the team's threshold; another one is counted from the calls.
  const ownThreshold = Number(settings.rows[0]?.value ?? Number.NaN) !== slMs;
  const keepSl = <T extends { withinSl: number }>(f: T): T => (ownThreshold ? { ...f, withinSl: 0 } : f);

  // Whole UTC days from the per-day figures, the partial days at either end from the calls.
  const first = Math.ceil(range.from / DAY_MS);
  const last = Math.floor(range.to / DAY_MS);
  const wholeDays = range.to > range.from && first < last;
  const rawSpans: [number, number][] = [];
  if (range.to > range.from) {
    if (!wholeDays) rawSpans.push([range.from, range.to]);
    else {
      if (range.from < first * DAY_MS) rawSpans.push([range.from, first * DAY_MS]);
      if (last * DAY_MS < range.to) rawSpans.push([last * DAY_MS, range.to]);
    }
  }
  const stateEnd = Math.min(range.to, now);
  // Independent queries, sent together: a pool runs them side by side.
  const [days, deskRaws, teamRaws, within, live, times] = await Promise.all([
    wholeDays ? db.query<DayRow>(DAY_FIGURES_SQL, [first, last]) : undefined,
    Promise.all(rawSpans.map(([from, to]) => db.query<DeskCallsRow>(DESK_CALLS_SQL, [from, to, slMs]))),
    Promise.all(rawSpans.map(([from, to]) => db.query<TeamCallsRow>(TEAM_CALLS_SQL, [from, to]))),
    ownThreshold && range.to > range.from ? db.query<{ desk_id: string; within_sl: Num }>(WITHIN_SQL, [range.from, range.to, slMs]) : undefined,
    range.to > range.from ? db.query<{ desk_id: string; line: string | null; answered_at: Num; hold_ms: Num; hold_since: Num }>(LIVE_SQL, [range.from, range.to]) : undefined,
    stateEnd > range.from ? db.query<{ desk_id: string; state: AgentStateName; reason: string | null; ms: number }>(STATE_TIME_SQL, [range.from, stateEnd, now]) : undefined,
  ]);
  for (const r of days?.rows ?? []) {
    const f = keepSl(dayRow(r));
    each(r.desk_id, (b) => b.addRow(f.row, f.withinSl));
  }
  for (const raw of deskRaws) {
    for (const r of raw.rows) {
      const f = keepSl(deskCallsRow(r));
      each(r.desk_id, (b) => b.addRow(f.row, f.withinSl));
    }
  }
  for (const raw of teamRaws) for (const r of raw.rows) for (const row of teamCallsRows(r)) team.addRow(row);
  for (const r of within?.rows ?? []) each(r.desk_id, (b) => b.addWithinServiceLevel(n(r.within_sl)));
  for (const r of live?.rows ?? []) {
    const c = { line: r.line, answered_at: r.answered_at === null ? null : n(r.answered_at), hold_ms: n(r.hold_ms), hold_since: r.hold_since === null ? null : n(r.hold_since) };
    each(r.desk_id, (b) => b.addLive(c, now));
  }
  for (const t of times?.rows ?? []) each(t.desk_id, (b) => b.addStateTime(t.state, t.reason, t.ms));

  const agents = [...perAgent.entries()]
    .map(([agentId, b]): TeamAgentFigures => ({ agentId, name: names.get(agentId) ?? agentId, ...b.finish() }))
    .sort((a, b) => a.agentId.localeCompare(b.agentId));
  return { team: team.finish(), agents };
}

/**
 * Every agent's state now, from the desk each was last seen on: the open agent-state
 * interval (none: the desk stopped cleanly, so offline since it was last seen), the state
 * of each line configured there, and the calls ringing or up on them.
 */
export async function teamAgents(db: Queryable): Promise<TeamAgent[]> {
  const desks = (
    await db.query<{ desk_id: string; agent_id: string; name: string; lines: string[]; last_seen: string; state: AgentStateName | null; reason: string | null; started_at: string | null }>(`
      SELECT DISTINCT ON (d.agent_id) d.desk_id::text AS desk_id, d.agent_id, d.name, d.lines, d.last_seen, i.state, i.reason, i.started_at
        FROM (${DESKS_SQL}) d
        LEFT JOIN LATERAL (
          SELECT state, reason, started_at FROM linedesk.agent_intervals ai
           WHERE ai.desk_id = d.desk_id::uuid AND ai.ended_at IS NULL ORDER BY started_at DESC, id DESC LIMIT 1) i ON true
       ORDER BY d.agent_id, d.last_seen DESC`)
  ).rows;
  const ids = desks.map((d) => d.desk_id);
  const lineRows = (await db.query<{ desk_id: string; line: string; state: RegistrationState; since: string }>('SELECT desk_id::text AS desk_id, line, state, since FROM linedesk.line_states WHERE desk_id = ANY($1::uuid[])', [ids])).rows;
  const callRows = (
    await db.query<{ desk_id: string; line: string | null; call_id: string; direction: 'in' | 'out'; from_number: string; called: string; offered_at: string; answered_at: string | null }>(
      'SELECT desk_id::text AS desk_id, line, call_id, direction, from_number, called, offered_at, answered_at FROM linedesk.calls WHERE ended_at IS NULL AND desk_id = ANY($1::uuid[]) ORDER BY offered_at',
      [ids],
    )
  ).rows;
  return desks.map((d): TeamAgent => {
    const lines = d.lines.map((line) => {
      const st = lineRows.find((l) => l.desk_id === d.desk_id && l.line === line);
      const c = callRows.filter((r) => r.desk_id === d.desk_id && r.line === line).at(-1);
      const call: TeamCall | undefined = c && {
        call: c.call_id,
        direction: c.direction,
        from: c.from_number,
        to: c.called,
        phase: c.answered_at !== null ? 'active' : 'ringing',
        since: Number(c.answered_at ?? c.offered_at),
      };
      return { line, state: st?.state ?? 'unregistered', ...(call ? { call } : {}) };
    });
    const lastSeen = Number(d.last_seen);
    return {
      agentId: d.agent_id,
      name: d.name,
      state: d.state ?? 'offline',
      ...(d.reason !== null ? { reason: d.reason } : {}),
      since: d.started_at !== null ? Number(d.started_at) : lastSeen,
      lines,
      lastSeen,
    };
  });
}
