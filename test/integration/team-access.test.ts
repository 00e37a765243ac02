import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { CallStore } from '../../src-main/stats/call-store.js';
import type { CallRecord } from '../../src-main/stats/call-record.js';
import { emptyQuality } from '../../src-main/stats/call-record.js';
import { LocalOutbox } from '../../src-main/team/local-outbox.js';
import { teamStats } from '../../src-main/team/team-queries.js';
import { shipBatch, upsertDesk, type DeskIdentity } from '../../src-main/team/team-upserts.js';
import { HeadlessRunner } from '../support/headless-runner.js';
import { repoRoot } from '../support/paths.js';
import { postgresSkipReason, startPostgres, type Postgres } from '../support/postgres.js';
import { initTeamDb, type TeamDb } from '../support/team-db.js';

const skip = postgresSkipReason();

/** A pg error's SQLSTATE, or 'none' when the statement went through. */
async function sqlState(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return 'none';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

function record(id: number, callId: string, offeredAt: number): CallRecord {
  return {
    id, callId, direction: 'in', line: 'l1', from: '5551000', fromName: null, to: '200', offeredAt, offeredHour: new Date(offeredAt).getHours(),
    answeredAt: offeredAt + 2_000, endedAt: offeredAt + 60_000, disposition: 'answered', declineReason: null, endReason: 'remote-hangup', endCode: 0,
    endDetail: null, queuedMs: 0, talkMs: 58_000, holdMs: 0, holdSince: null, wrapupMs: 0,
    attempts: [{ seq: 1, line: 'l1', attempt: 1, offeredAt, endedAt: offeredAt + 2_000, outcome: 'answered', detail: null, dirty: true }],
    quality: emptyQuality(),
  };
}

/**
 * The team database's rules, checked by the database itself: roles from `team init` and
 * `team add-user`, row-level security between agents, idempotent shipping, and a desk that
 * starts before the schema exists.
 */
describe('team database: access rules and idempotent shipping', { skip, timeout: 120_000 }, () => {
  let server: Postgres;
  let db: TeamDb;
  let dir: string;
  const clients: pg.Client[] = [];
  const connectAs = async (user: string): Promise<pg.Client> => {
    const c = new pg.Client({ host: server.host, port: server.port, database: server.database, user, password: db.passwords.get(user) });
    await c.connect();
    clients.push(c);
    return c;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'linedesk-team-access-'));
    server = await startPostgres();
    db = await initTeamDb(server);
    await db.addUser('ann', 'agent');
    await db.addUser('ben', 'agent');
    await db.addUser('sam', 'supervisor');
  });
  after(async () => {
    await Promise.allSettled(clients.map((c) => c.end()));
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const annDesk: DeskIdentity = { deskId: '00000000-0000-4000-8000-00000000000a', agentId: 'ann', agentName: 'Ann', lines: ['l1'], startedAt: 1 };
  const benDesk: DeskIdentity = { deskId: '00000000-0000-4000-8000-00000000000b', agentId: 'ben', agentName: 'Ben', lines: ['l1'], startedAt: 1 };

  test('shipping a batch twice, or an older state after a newer one, leaves one row with the newest state', async () => {
    const store = CallStore.open(join(dir, 'ann.sqlite'));
    const { outbox, backfilled } = LocalOutbox.open(join(dir, 'ann.sqlite'));
    try {
      assert.equal(backfilled, 0);
      const t0 = Date.UTC(2026, 0, 5, 9);
      const rec = record(store.nextCallId(), 'call-1@test', t0);
      store.saveCall(rec);
      rec.attempts[0]!.dirty = false;
      const ann = await connectAs('ann');
      const me = { ...annDesk, deskId: outbox.deskId };
      await upsertDesk(ann, me, Date.now());
      const first = outbox.nextBatch(100)!;
      assert.equal(first.calls.length, 1);
      assert.equal(first.offers.length, 1);
      await shipBatch(ann, me, first, Date.now());
      await shipBatch(ann, me, first, Date.now()); // a retry after a lost acknowledgement
      outbox.shipped(first.lastSeq);
      rec.wrapupMs = 5_000;
      store.saveCall(rec);
      const second = outbox.nextBatch(100)!;
      await shipBatch(ann, me, second, Date.now());
      await shipBatch(ann, me, first, Date.now()); // the old batch arriving late
      const rows = await db.admin<{ wrapup_ms: string; n: string }>('SELECT max(wrapup_ms) AS wrapup_ms, count(*) AS n FROM linedesk.calls WHERE call_id = $1', ['call-1@test']);
      assert.deepEqual(rows.map((r) => [Number(r.n), Number(r.wrapup_ms)]), [[1, 5_000]]);
      const offers = await db.admin<{ n: string }>('SELECT count(*) AS n FROM linedesk.offers');
      assert.equal(Number(offers[0]!.n), 1);
    } finally {
      outbox.close();
      store.close();
    }
  });

  test('row-level security: an agent cannot read or write another agent’s rows; a supervisor reads the team', async () => {
    const ann = await connectAs('ann');
    const ben = await connectAs('ben');
    const sam = await connectAs('sam');
    await upsertDesk(ben, benDesk, Date.now());
    await ben.query(`INSERT INTO linedesk.calls (desk_id, id, rev, call_id, direction, from_number, called, offered_at, offered_hour, disposition)
                     VALUES ($1, 1, 1, 'ben-call@test', 'in', '5552000', '201', 1, 9, 'answered')`, [benDesk.deskId]);

    // Reads: each agent sees only their own rows.
    const annSees = (await ann.query<{ call_id: string }>('SELECT call_id FROM linedesk.calls')).rows.map((r) => r.call_id);
    assert.deepEqual(annSees, ['call-1@test']);
    assert.equal((await ann.query('SELECT * FROM linedesk.desks WHERE agent_id = $1', ['ben'])).rowCount, 0);
    assert.equal((await ann.query('SELECT * FROM linedesk.agents WHERE agent_id = $1', ['ben'])).rowCount, 0);

    // Writes into Ben's desk, under Ben's name, or over Ben's rows: refused.
    assert.equal(
      await sqlState(() => ann.query(`INSERT INTO linedesk.calls (desk_id, id, rev, call_id, direction, from_number, called, offered_at, offered_hour, disposition)
                                      VALUES ($1, 99, 1, 'forged@test', 'in', '1', '2', 1, 9, 'answered')`, [benDesk.deskId])),
      '42501',
      'a row in another agent’s desk',
    );
    assert.equal(
      await sqlState(() => ann.query(`INSERT INTO linedesk.calls (desk_id, id, owner, rev, call_id, direction, from_number, called, offered_at, offered_hour, disposition)
                                      VALUES ($1, 98, 'ben', 1, 'forged2@test', 'in', '1', '2', 1, 9, 'answered')`, [annDesk.deskId])),
      '42501',
      'a row owned by another role',
    );
    assert.equal(await sqlState(() => upsertDesk(ann, { ...annDesk, agentId: 'ben' }, Date.now())), '42501', 'claiming another agent’s id');
    assert.equal(await sqlState(() => upsertDesk(ann, { ...benDesk, agentId: 'ann' }, Date.now())), '42501', 'taking over another agent’s desk');
    const update = await ann.query("UPDATE linedesk.calls SET disposition = 'missed' WHERE call_id = 'ben-call@test'");
    assert.equal(update.rowCount, 0, 'an update of rows it cannot see changes nothing');
    assert.equal(await sqlState(() => ann.query('DELETE FROM linedesk.calls')), '42501', 'agents delete nothing');
    assert.equal(await sqlState(() => ann.query('SELECT * FROM linedesk.pgmigrations')), '42501');
    const benRow = await db.admin<{ disposition: string }>("SELECT disposition FROM linedesk.calls WHERE call_id = 'ben-call@test'");
    assert.deepEqual(benRow, [{ disposition: 'answered' }]);

    // The supervisor reads the team, and writes nothing of anyone else's.
    const samSees = (await sam.query<{ call_id: string }>('SELECT call_id FROM linedesk.calls ORDER BY call_id')).rows.map((r) => r.call_id);
    assert.deepEqual(samSees, ['ben-call@test', 'call-1@test']);
    assert.equal((await sam.query("UPDATE linedesk.calls SET disposition = 'missed'")).rowCount, 0);
  });

  test('the per-day figures the triggers keep equal the figures counted from the calls, through inserts, updates and deletes', async () => {
    const day = Date.UTC(2026, 2, 10);
    const desk = benDesk.deskId;
    const values: string[] = [];
    const dispositions = ['answered', 'answered', 'missed', 'declined', 'abandoned', 'answered-elsewhere', 'active'];
    for (let i = 0; i < 70; i++) {
      const offered = day + 3_600_000 * (8 + (i % 9)) + i * 1_000;
      const d = dispositions[i % dispositions.length]!;
      const answered = d === 'answered' || d === 'active' ? offered + (i % 5) * 9_000 : null;
      values.push(`('${desk}', ${1000 + i}, 'ben', 1, 'f${i}', '${i % 10 === 0 ? 'out' : 'in'}', ${i % 3 === 0 ? 'NULL' : `'l${i % 2}'`}, '1', '2', ${offered}, ${8 + (i % 9)},
        ${answered ?? 'NULL'}, ${d === 'active' ? 'NULL' : offered + 90_000}, '${d}', ${d === 'declined' ? `'reason ${i % 2}'` : 'NULL'}, ${answered ? 60_000 + i : 0}, ${i * 10}, ${answered ? 5_000 : 0})`);
    }
    await db.admin(`INSERT INTO linedesk.calls (desk_id, id, owner, rev, call_id, direction, line, from_number, called, offered_at, offered_hour, answered_at, ended_at, disposition, decline_reason, talk_ms, hold_ms, wrapup_ms)
      VALUES ${values.join(',')}`);
    await db.admin("UPDATE linedesk.calls SET disposition = 'answered', answered_at = offered_at + 30000, talk_ms = 1234, rev = 2 WHERE call_id IN ('f2', 'f9', 'f16')");
    await db.admin("UPDATE linedesk.calls SET rev = 3 WHERE call_id = 'f3'"); // changes no figure
    await db.admin("DELETE FROM linedesk.calls WHERE call_id IN ('f4', 'f5')");
    const sam = await connectAs('sam');
    const now = day + 2 * 86_400_000;
    const whole = await teamStats(sam, { from: day, to: day + 86_400_000 }, now, 20); // per-day figures
    const counted = await teamStats(sam, { from: day + 1, to: day + 86_400_000 }, now, 20); // the calls
    const strip = (f: object): object => ({ ...f, from: 0, to: 0 });
    assert.ok(whole.team.offered > 50, `offered ${whole.team.offered}`);
    assert.deepEqual(strip(whole.team), strip(counted.team));
    assert.deepEqual(whole.agents.map(strip), counted.agents.map(strip));
    // Another threshold than the team's is counted from the calls: 40 s takes in every wait here.
    const wider = await teamStats(sam, { from: day, to: day + 86_400_000 }, now, 40);
    assert.ok(wider.team.answeredWithinServiceLevel > whole.team.answeredWithinServiceLevel, `${wider.team.answeredWithinServiceLevel} > ${whole.team.answeredWithinServiceLevel}`);
    assert.equal(wider.team.answeredWithinServiceLevel, wider.team.answered);
    const widerCounted = await teamStats(sam, { from: day + 1, to: day + 86_400_000 }, now, 40);
    assert.equal(widerCounted.team.answeredWithinServiceLevel, wider.team.answeredWithinServiceLevel);
  });

  test('a desk started before `team init` says so in team.sync, keeps its outbox, and ships it once the schema exists', async () => {
    const bare = await startPostgres({ database: 'fresh' });
    try {
      const admin = new pg.Client({ connectionString: bare.adminUrl });
      await admin.connect();
      await admin.query("CREATE ROLE early LOGIN PASSWORD 'early-password'");
      await admin.end();
      const passwordFile = join(dir, 'early.password');
      writeFileSync(passwordFile, 'early-password\n');
      const runner = new HeadlessRunner({
        transport: { protocol: 'udp', bind: '127.0.0.1:0' },
        // Nothing answers here: the desk runs without a registrar, as it may.
        registrar: { uri: 'sip:127.0.0.1:9', backups: [] },
        lines: [{ id: 'e1', aor: 'sip:240@127.0.0.1', username: '240', password: 'x' }],
        media: { address: '127.0.0.1', audio: 'null' },
        agent: { id: 'early', pauseReasons: ['break'] },
        store: { path: join(dir, 'early.sqlite') },
        team: { database: { host: bare.host, port: bare.port, database: 'fresh', user: 'early', passwordFile, ssl: false }, retryMaxMs: 300 },
      });
      try {
        const offline = await runner.waitForEvent('team.sync', { state: 'offline' }, 15_000);
        assert.match(String(offline.reason), /team init/);
        runner.send({ cmd: 'agent.state', state: 'paused', reason: 'break' });
        await runner.waitForEvent('agent.state', { state: 'paused' });

        const cli = join(repoRoot(), 'bin', 'linedesk.js');
        const out = execFileSync(process.execPath, [cli, 'team', 'init', '--database', bare.adminUrl], { encoding: 'utf8' });
        assert.match(out, /team database ready: applied/);
        const grant = new pg.Client({ connectionString: bare.adminUrl });
        await grant.connect();
        await grant.query('GRANT linedesk_agent TO early');
        await grant.end();

        await runner.waitForEvent('team.sync', { state: 'connected' }, 15_000);
        const check = new pg.Client({ connectionString: bare.adminUrl });
        await check.connect();
        const states = (await check.query<{ state: string; reason: string | null }>('SELECT state, reason FROM linedesk.agent_intervals ORDER BY id')).rows;
        await check.end();
        assert.deepEqual(states.map((s) => [s.state, s.reason]), [['available', null], ['paused', 'break']]);
      } finally {
        await runner.stop();
      }
    } finally {
      await bare.stop();
    }
  });
});
