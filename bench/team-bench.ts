import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { systemClock } from '../src-main/common/clock.js';
import { silentLogger } from '../src-main/common/logger.js';
import { emptyQuality, type CallRecord } from '../src-main/stats/call-record.js';
import { CallStore } from '../src-main/stats/call-store.js';
import { startOfLocalDay } from '../src-main/stats/stats-range.js';
import { LocalOutbox } from '../src-main/team/local-outbox.js';
import { teamStats } from '../src-main/team/team-queries.js';
import { TeamReplicator } from '../src-main/team/team-replicator.js';
import { postgresSkipReason, startPostgres, type Postgres } from '../test/support/postgres.js';
import { seededRandom } from '../test/support/seeded-random.js';
import { initTeamDb, type TeamDb } from '../test/support/team-db.js';
import { percentile, round, type BenchRow } from './bench-types.js';

const DAY_MS = 86_400_000;
/** Replication: records shipped from a backlog, and calls ending at a steady rate for the lag. */
const BACKLOG_RECORDS = 20_000;
const LAG_CALLS = 2_000;
const LAG_RATE_PER_S = 200;
/** The team figures: 500 agents × 100 calls a day for a year (LINEDESK_BENCH_TEAM_DAYS shortens it). */
const AGENTS = 500;
const CALLS_PER_AGENT_DAY = 100;
const QUERY_RUNS = 10;

/**
 * The team database: replication throughput and lag from the desk's store to PostgreSQL
 * (the real outbox and replicator), and the team figures over 18 million call records
 * loaded with COPY, as a supervisor's role reads them (row-level security on).
 */
export async function benchTeam(log: (s: string) => void = console.log): Promise<BenchRow[]> {
  const skip = postgresSkipReason();
  if (skip) throw new Error(skip);
  const server = await startPostgres({
    settings: {
      shared_buffers: "'2GB'", work_mem: "'128MB'", maintenance_work_mem: "'1GB'", max_wal_size: "'8GB'", max_parallel_workers_per_gather: '2', jit: 'off',
      // LINEDESK_BENCH_TEAM_LOG=1 logs each statement over 5 ms (the server's log stays with LINEDESK_KEEP_PEERS=1).
      ...(process.env.LINEDESK_BENCH_TEAM_LOG ? { log_min_duration_statement: '5' } : {}),
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'linedesk-team-bench-'));
  try {
    const db = await initTeamDb(server);
    await db.addUser('desk1', 'agent');
    await db.addUser('boss', 'supervisor');
    const rows: BenchRow[] = [];
    rows.push(...(await replication(db, join(dir, 'desk1.sqlite'), log)));
    rows.push(...(await figuresAtScale(server, db, log)));
    return rows;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function callRecord(id: number, offeredAt: number, endedAt: number): CallRecord {
  return {
    id, callId: `bench-${id}@linedesk`, direction: 'in', line: 'l1', from: '5550100', fromName: null, to: '200', offeredAt, offeredHour: new Date(offeredAt).getHours(),
    answeredAt: offeredAt + 3_000, endedAt, disposition: 'answered', declineReason: null, endReason: 'remote-hangup', endCode: 0, endDetail: null,
    queuedMs: 0, talkMs: Math.max(0, endedAt - offeredAt - 3_000), holdMs: 0, holdSince: null, wrapupMs: 0,
    attempts: [{ seq: 1, line: 'l1', attempt: 1, offeredAt, endedAt: offeredAt + 3_000, outcome: 'answered', detail: null, dirty: true }],
    quality: emptyQuality(),
  };
}

async function replication(db: TeamDb, file: string, log: (s: string) => void): Promise<BenchRow[]> {
  const store = CallStore.open(file, { synchronous: 'NORMAL' });
  const { outbox } = LocalOutbox.open(file);
  const connection = { ...db.database('desk1'), password: db.passwords.get('desk1')! };
  let replicator: TeamReplicator | undefined;
  try {
    // A backlog, as after an outage: each record's final save queued, then shipped.
    const t0 = Date.now() - DAY_MS;
    for (let i = 0; i < BACKLOG_RECORDS; i++) store.saveCall(callRecord(store.nextCallId(), t0 + i * 1_000, t0 + i * 1_000 + 60_000));
    const queued = outbox.pending().count;
    log(`replication: ${BACKLOG_RECORDS} records (${queued} outbox entries) waiting`);
    replicator = new TeamReplicator({
      outbox, connection, clock: systemClock, log: silentLogger, retryMaxMs: 1_000, report: () => {},
      me: { deskId: outbox.deskId, agentId: 'desk1', agentName: 'Bench desk', lines: ['l1'], startedAt: Date.now() },
    });
    const start = performance.now();
    replicator.start();
    while (outbox.pending().count > 0) await new Promise((r) => setTimeout(r, 5));
    const backlogS = (performance.now() - start) / 1_000;

    // Calls ending at a steady rate: lag = the row's synced_at − the call's end on the desk.
    const ends: { id: string; endedAt: number }[] = [];
    const first = store.nextCallId();
    for (let i = 0; i < LAG_CALLS; i++) {
      const endedAt = Date.now();
      const rec = callRecord(first + i, endedAt - 120_000, endedAt);
      store.saveCall(rec);
      replicator.kick();
      ends.push({ id: rec.callId, endedAt });
      if (i % 10 === 9) await new Promise((r) => setTimeout(r, (10 * 1_000) / LAG_RATE_PER_S));
    }
    while (outbox.pending().count > 0) await new Promise((r) => setTimeout(r, 5));
    const synced = new Map(
      (await db.admin<{ call_id: string; synced_at: string }>('SELECT call_id, synced_at FROM linedesk.calls WHERE call_id = ANY($1)', [ends.map((e) => e.id)])).map((r) => [r.call_id, Number(r.synced_at)]),
    );
    const lags = ends.map((e) => (synced.get(e.id) ?? Number.NaN) - e.endedAt);
    const missing = lags.filter((l) => Number.isNaN(l)).length;
    if (missing > 0) throw new Error(`${missing} records did not reach PostgreSQL`);
    return [
      { name: 'replication throughput (backlog after an outage)', value: round(BACKLOG_RECORDS / backlogS, 0), unit: 'records/s', note: `${BACKLOG_RECORDS} call records with their offers, ${queued} outbox entries, batches of ≤2000 in one transaction each` },
      { name: 'replication lag p50 (call.ended → row in PostgreSQL)', value: round(percentile(lags, 50), 1), unit: 'ms', note: `${LAG_CALLS} calls ending at ${LAG_RATE_PER_S}/s` },
      { name: 'replication lag p99 (call.ended → row in PostgreSQL)', value: round(percentile(lags, 99), 1), unit: 'ms', note: 'from the desk saving the ended call to PostgreSQL writing the row (synced_at)' },
    ];
  } finally {
    await replicator?.stop(2_000);
    outbox.close();
    store.close();
  }
}

/** Streams rows as COPY text format (tab-separated, \N for null). */
function copyText(rows: Iterable<(string | number | null)[]>): Readable {
  const it = rows[Symbol.iterator]();
  return new Readable({
    read() {
      let chunk = '';
      for (let i = 0; i < 5_000; i++) {
        const n = it.next();
        if (n.done) {
          if (chunk) this.push(chunk);
          this.push(null);
          return;
        }
        chunk += n.value.map((v) => (v === null ? '\\N' : String(v))).join('\t') + '\n';
      }
      this.push(chunk);
    },
  });
}

async function figuresAtScale(server: Postgres, db: TeamDb, log: (s: string) => void): Promise<BenchRow[]> {
  const days = Number(process.env.LINEDESK_BENCH_TEAM_DAYS ?? 365);
  const total = AGENTS * CALLS_PER_AGENT_DAY * days;
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  try {
    const lastDay = startOfLocalDay(Date.now()) - DAY_MS;
    const firstDay = lastDay - (days - 1) * DAY_MS;
    const desks = Array.from({ length: AGENTS }, (_, i) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`);
    await admin.query('SET session_replication_role = replica'); // bulk load: no notify triggers
    await admin.query(`INSERT INTO linedesk.agents (agent_id, owner, name, updated_at) SELECT 'agent' || g, 'desk1', 'Agent ' || g, 0 FROM generate_series(1, ${AGENTS}) g`);
    await admin.query(`INSERT INTO linedesk.desks (desk_id, owner, agent_id, lines, started_at, last_seen)
      SELECT ('00000000-0000-4000-8000-' || lpad(g::text, 12, '0'))::uuid, 'desk1', 'agent' || g, '{l1}', 0, 0 FROM generate_series(1, ${AGENTS}) g`);
    // Load first, index after (as a restore would).
    await admin.query('ALTER TABLE linedesk.calls DROP CONSTRAINT calls_pkey');
    await admin.query('DROP INDEX linedesk.calls_figures');
    await admin.query('DROP INDEX linedesk.calls_live');
    const random = seededRandom(42);
    const dispositions = ['answered', 'answered', 'answered', 'answered', 'answered', 'answered', 'answered', 'answered', 'missed', 'abandoned', 'declined', 'answered-elsewhere'];
    function* calls(): Generator<(string | number | null)[]> {
      let id = 0;
      for (let d = 0; d < days; d++) {
        const day = firstDay + d * DAY_MS;
        for (let a = 0; a < AGENTS; a++) {
          for (let c = 0; c < CALLS_PER_AGENT_DAY; c++) {
            id++;
            const offered = day + 8 * 3_600_000 + Math.floor((c / CALLS_PER_AGENT_DAY) * 9 * 3_600_000 + random() * 300_000);
            const disposition = dispositions[Math.floor(random() * dispositions.length)]!;
            const answered = disposition === 'answered' ? offered + Math.floor(random() * 40_000) : null;
            const talk = answered !== null ? Math.floor(60_000 + random() * 240_000) : 0;
            const ended = (answered ?? offered + 15_000) + talk;
            // desk_id id owner rev call_id direction line from_number called offered_at offered_hour answered_at ended_at disposition decline_reason talk_ms hold_ms wrapup_ms attempts synced_at
            yield [desks[a]!, id, 'desk1', id, `c${id}`, 'in', 'l1', '5550100', '200', offered, new Date(offered).getHours(), answered, ended, disposition,
              disposition === 'declined' ? 'busy' : null, talk, answered !== null ? Math.floor(random() * 20_000) : 0, answered !== null ? 15_000 : 0, 1, ended];
          }
        }
      }
    }
    const t0 = performance.now();
    const copy = admin.query(copyFrom(`COPY linedesk.calls (desk_id, id, owner, rev, call_id, direction, line, from_number, called, offered_at, offered_hour, answered_at, ended_at,
      disposition, decline_reason, talk_ms, hold_ms, wrapup_ms, attempts, synced_at) FROM STDIN`));
    await pipeline(copyText(calls()), copy);
    const loadS = (performance.now() - t0) / 1_000;
    log(`team figures: ${total} calls loaded with COPY in ${loadS.toFixed(0)} s`);
    function* intervals(): Generator<(string | number | null)[]> {
      let id = 0;
      for (let d = 0; d < days; d++) {
        const day = firstDay + d * DAY_MS;
        for (let a = 0; a < AGENTS; a++) {
          const spans: [string, string | null, number, number][] = [
            ['available', null, 8 * 3_600_000, 12 * 3_600_000],
            ['paused', 'lunch', 12 * 3_600_000, 13 * 3_600_000],
            ['available', null, 13 * 3_600_000, 17.5 * 3_600_000],
            ['offline', null, 17.5 * 3_600_000, 24 * 3_600_000 + 8 * 3_600_000],
          ];
          for (const [state, reason, from, to] of spans) yield [desks[a]!, ++id, 'desk1', id, state, reason, day + from, day + to];
        }
      }
    }
    await pipeline(copyText(intervals()), admin.query(copyFrom('COPY linedesk.agent_intervals (desk_id, id, owner, rev, state, reason, started_at, ended_at) FROM STDIN')));
    const t1 = performance.now();
    await admin.query('ALTER TABLE linedesk.calls ADD PRIMARY KEY (desk_id, id)');
    await admin.query(`CREATE INDEX calls_figures ON linedesk.calls (offered_at)
      INCLUDE (desk_id, direction, disposition, answered_at, talk_ms, hold_ms, wrapup_ms, offered_hour, line, decline_reason)`);
    await admin.query('CREATE INDEX calls_live ON linedesk.calls (desk_id) WHERE ended_at IS NULL');
    // Triggers were off for the load: build the per-day figures once, as after a restore.
    await admin.query('SELECT linedesk.refresh_call_figures()');
    await admin.query('VACUUM ANALYZE linedesk.calls');
    await admin.query('VACUUM ANALYZE linedesk.agent_intervals');
    await admin.query('VACUUM ANALYZE linedesk.call_figures');
    log(`team figures: indexed, per-day figures built and analysed in ${((performance.now() - t1) / 1_000).toFixed(0)} s`);
  } finally {
    await admin.end();
  }

  // As a supervisor's desk reads them: its own role, row-level security on, a pool of two connections.
  const boss = new pg.Pool({ ...db.database('boss'), password: db.passwords.get('boss')!, ssl: false, max: 2 });
  try {
    const lastDay = startOfLocalDay(Date.now()) - DAY_MS;
    const day = { from: lastDay, to: lastDay + DAY_MS };
    const month = { from: lastDay - 29 * DAY_MS, to: lastDay + DAY_MS };
    const time = async (range: { from: number; to: number }): Promise<{ p50: number; max: number; offered: number }> => {
      const ms: number[] = [];
      let offered = 0;
      for (let i = 0; i < QUERY_RUNS + 1; i++) {
        const t = performance.now();
        const r = await teamStats(boss, range, Date.now(), 20);
        if (i > 0) ms.push(performance.now() - t); // the first run warms the cache
        offered = r.team.offered;
      }
      return { p50: percentile(ms, 50), max: Math.max(...ms), offered };
    };
    const d = await time(day);
    const m = await time(month);
    const scale = `${total.toLocaleString('en')} calls (${AGENTS} agents × ${CALLS_PER_AGENT_DAY}/day × ${days} days), as a supervisor role`;
    return [
      { name: 'team figures, one day (team + 500 agents)', value: round(d.p50, 1), unit: 'ms', note: `median of ${QUERY_RUNS}, max ${round(d.max, 1)} ms; ${d.offered} calls; target ≤ 100 ms; ${scale}` },
      { name: 'team figures, 30 days (team + 500 agents)', value: round(m.p50, 1), unit: 'ms', note: `median of ${QUERY_RUNS}, max ${round(m.max, 1)} ms; ${m.offered} calls; target ≤ 500 ms` },
    ];
  } finally {
    await boss.end();
  }
}
