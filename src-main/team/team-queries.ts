import type pg from 'pg';
import type { AgentStateName, TeamAgent, TeamAgentFigures, TeamCall, TeamFigures } from '../contract/control-events.js';
import type { RegistrationState } from '../contract/vocabulary.js';
import type { FigureRow } from '../stats/stats-queries.js';
import type { StatsRange } from '../stats/stats-range.js';
import { FiguresBuilder } from './team-figures.js';

type Queryable = Pick<pg.ClientBase, 'query'>;

/** GROUPING(direction, offered_hour, line, decline_reason) of each grouping set below. */
const SET_DISPOSITION = 7;
const SET_HOUR = 11;
const SET_LINE = 13;
const SET_REASON = 14;

/**
 * A period's calls, per desk, in the four breakdowns of the desk's own statistics, in one
 * pass (grouping sets) over the covering index calls_figures: a month of a 500-agent
 * team is a few million index entries and a few thousand result rows.
 */
const FIGURES_SQL = `
  SELECT desk_id::text AS desk_id, GROUPING(direction, offered_hour, line, decline_reason) AS g,
         direction, disposition, offered_hour, line, decline_reason,
         count(*) AS calls,
         count(*) FILTER (WHERE direction = 'in') AS calls_in,
         count(*) FILTER (WHERE direction = 'in' AND disposition IN ('answered', 'active')) AS answered_in,
         count(*) FILTER (WHERE direction = 'in' AND disposition = 'declined') AS declined_in,
         count(*) FILTER (WHERE direction = 'in' AND answered_at IS NOT NULL AND answered_at - offered_at <= $3) AS within_sl,
         sum(coalesce(answered_at - offered_at, 0)) AS answer_wait,
         sum(talk_ms) AS talk_ms, sum(hold_ms) AS hold_ms, sum(wrapup_ms) AS wrapup_ms
    FROM linedesk.calls
   WHERE offered_at >= $1 AND offered_at < $2
   GROUP BY GROUPING SETS ((desk_id, direction, disposition), (desk_id, offered_hour), (desk_id, line), (desk_id, decline_reason))`;

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

interface FigureDbRow {
  desk_id: string;
  g: number;
  direction: 'in' | 'out' | null;
  disposition: string | null;
  offered_hour: number | null;
  line: string | null;
  decline_reason: string | null;
  calls: string;
  calls_in: string;
  answered_in: string;
  declined_in: string;
  within_sl: string;
  answer_wait: string;
  talk_ms: string;
  hold_ms: string;
  wrapup_ms: string;
}

/** The figure row of the desk's statistics that one database row stands for (undefined: none). */
function toFigureRow(r: FigureDbRow): { row: FigureRow; withinSl: number } | undefined {
  const n = (v: string | null): number => Number(v ?? 0);
  const zero = { answered: 0, answer_wait: 0, talk_ms: 0, hold_ms: 0, wrapup_ms: 0 };
  switch (r.g) {
    case SET_DISPOSITION:
      return {
        row: { dim: 'd', key: `${r.direction}:${r.disposition}`, calls: n(r.calls), answered: 0, answer_wait: n(r.answer_wait), talk_ms: n(r.talk_ms), hold_ms: n(r.hold_ms), wrapup_ms: n(r.wrapup_ms) },
        withinSl: n(r.within_sl),
      };
    case SET_HOUR:
      return n(r.calls_in) > 0 ? { row: { ...zero, dim: 'h', key: Number(r.offered_hour), calls: n(r.calls_in) }, withinSl: 0 } : undefined;
    case SET_LINE:
      return r.line === null ? undefined : { row: { ...zero, dim: 'l', key: r.line, calls: n(r.calls_in), answered: n(r.answered_in), talk_ms: n(r.talk_ms) }, withinSl: 0 };
    case SET_REASON:
      return n(r.declined_in) > 0 ? { row: { ...zero, dim: 'r', key: r.decline_reason ?? '', calls: n(r.declined_in) }, withinSl: 0 } : undefined;
    default:
      return undefined;
  }
}

/**
 * Team figures for a period: the whole team, and each agent (every desk an agent used is
 * theirs). What a role sees is what row-level security lets it read: a supervisor the
 * team, an agent only themselves.
 */
export async function teamStats(db: Queryable, range: StatsRange, now: number, serviceLevelSeconds: number): Promise<{ team: TeamFigures; agents: TeamAgentFigures[] }> {
  const desks = (await db.query<{ desk_id: string; agent_id: string; name: string }>(DESKS_SQL)).rows;
  const agentOf = new Map(desks.map((d) => [d.desk_id, d.agent_id]));
  const names = new Map(desks.map((d) => [d.agent_id, d.name]));
  const team = new FiguresBuilder(range, serviceLevelSeconds);
  const perAgent = new Map<string, FiguresBuilder>();
  for (const agent of names.keys()) perAgent.set(agent, new FiguresBuilder(range, serviceLevelSeconds));
  const builderOf = (desk: string): FiguresBuilder | undefined => {
    const agent = agentOf.get(desk);
    return agent === undefined ? undefined : perAgent.get(agent);
  };
  if (range.to > range.from) {
    const figures = await db.query<FigureDbRow>(FIGURES_SQL, [range.from, range.to, serviceLevelSeconds * 1_000]);
    for (const r of figures.rows) {
      const f = toFigureRow(r);
      if (!f) continue;
      team.addRow(f.row, f.withinSl);
      builderOf(r.desk_id)?.addRow(f.row, f.withinSl);
    }
    const live = await db.query<{ desk_id: string; line: string | null; answered_at: string | null; hold_ms: string; hold_since: string | null }>(LIVE_SQL, [range.from, range.to]);
    for (const r of live.rows) {
      const c = { line: r.line, answered_at: r.answered_at === null ? null : Number(r.answered_at), hold_ms: Number(r.hold_ms), hold_since: r.hold_since === null ? null : Number(r.hold_since) };
      team.addLive(c, now);
      builderOf(r.desk_id)?.addLive(c, now);
    }
  }
  const end = Math.min(range.to, now);
  if (end > range.from) {
    const times = await db.query<{ desk_id: string; state: AgentStateName; reason: string | null; ms: number }>(STATE_TIME_SQL, [range.from, end, now]);
    for (const t of times.rows) {
      team.addStateTime(t.state, t.reason, t.ms);
      builderOf(t.desk_id)?.addStateTime(t.state, t.reason, t.ms);
    }
  }
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
