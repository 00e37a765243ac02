import type { ClientBase } from 'pg';
import { callColumns } from '../stats/call-rows.js';
import type { OutboxBatch } from './local-outbox.js';

/** Who this desk is in the team database. */
export interface DeskIdentity {
  deskId: string;
  agentId: string;
  agentName: string;
  lines: string[];
  startedAt: number;
}

const offerColumns = ['call', 'seq', 'line', 'attempt', 'offered_at', 'ended_at', 'outcome', 'detail'] as const;
const intervalColumns = ['id', 'state', 'reason', 'started_at', 'ended_at', 'call'] as const;
const lineColumns = ['line', 'state', 'since'] as const;

/**
 * One upsert per table: the batch's rows go in as one JSON array, spread into rows by
 * json_populate_recordset, keyed by (desk id, local id). `owner` is left to its default
 * (current_user), which row-level security checks. A row already there is replaced only
 * by a state at least as new (rev: the desk's outbox position), so a batch shipped again
 * after a crash, or late, never brings an older state back.
 */
function upsertSql(table: string, columns: readonly string[], key: readonly string[]): string {
  const all = ['desk_id', 'rev', ...columns];
  const cols = all.map((c) => `"${c}"`).join(', ');
  const updates = all.filter((c) => !key.includes(c)).map((c) => `"${c}" = excluded."${c}"`);
  if (table === 'calls') updates.push(`synced_at = (extract(epoch FROM clock_timestamp()) * 1000)::bigint`);
  return `INSERT INTO linedesk.${table} (${cols})
    SELECT ${cols} FROM json_populate_recordset(NULL::linedesk.${table}, $1::json)
    ON CONFLICT (${key.map((c) => `"${c}"`).join(', ')}) DO UPDATE SET ${updates.join(', ')}
    WHERE linedesk.${table}.rev <= excluded.rev`;
}

const sql = {
  calls: upsertSql('calls', callColumns, ['desk_id', 'id']),
  offers: upsertSql('offers', offerColumns, ['desk_id', 'call', 'seq']),
  intervals: upsertSql('agent_intervals', intervalColumns, ['desk_id', 'id']),
  lines: upsertSql('line_states', lineColumns, ['desk_id', 'line']),
};

/**
 * Claims the agent id for this role and records the desk (its lines, its last sign of
 * life). The first role to use an agent id owns it: another role's claim is refused by
 * row-level security (the update of a row it may not see).
 */
export async function upsertDesk(client: ClientBase, me: DeskIdentity, now: number): Promise<void> {
  await client.query(
    `INSERT INTO linedesk.agents (agent_id, name, updated_at) VALUES ($1, $2, $3)
     ON CONFLICT (agent_id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at`,
    [me.agentId, me.agentName, now],
  );
  await client.query(
    `INSERT INTO linedesk.desks (desk_id, agent_id, lines, started_at, last_seen) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (desk_id) DO UPDATE SET agent_id = excluded.agent_id, lines = excluded.lines, started_at = excluded.started_at, last_seen = excluded.last_seen`,
    [me.deskId, me.agentId, me.lines, me.startedAt, now],
  );
}

/** Ships one batch in one transaction: all of it is committed, or none. */
export async function shipBatch(client: ClientBase, me: DeskIdentity, batch: OutboxBatch, now: number): Promise<void> {
  const tag = <T extends object>(rows: T[]): string => JSON.stringify(rows.map((r) => ({ ...r, desk_id: me.deskId, rev: batch.lastSeq })));
  await client.query('BEGIN');
  try {
    await client.query('UPDATE linedesk.desks SET last_seen = $2 WHERE desk_id = $1', [me.deskId, now]);
    if (batch.calls.length) await client.query(sql.calls, [tag(batch.calls)]);
    if (batch.offers.length) await client.query(sql.offers, [tag(batch.offers)]);
    if (batch.intervals.length) await client.query(sql.intervals, [tag(batch.intervals)]);
    if (batch.lines.length) await client.query(sql.lines, [tag(batch.lines)]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/** The heartbeat: the desk is alive and reaching the database. */
export async function touchDesk(client: ClientBase, deskId: string, now: number): Promise<void> {
  await client.query('UPDATE linedesk.desks SET last_seen = $2 WHERE desk_id = $1', [deskId, now]);
}
