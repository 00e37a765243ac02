import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CallStore } from '../../src-main/stats/call-store.js';
import { HeadlessRunner, type RunnerEvent } from '../support/headless-runner.js';
import { peerSkipReason, startKamailio, type Kamailio } from '../support/kamailio.js';
import { runnerConfig } from '../support/linedesk-config.js';
import { postgresSkipReason, startPostgres, type Postgres } from '../support/postgres.js';
import { startSipp, type RunningSipp } from '../support/sipp.js';
import { initTeamDb, type TeamDb } from '../support/team-db.js';

const skip = peerSkipReason('kamailio', 'sipp', 'timeout') ?? postgresSkipReason();

/**
 * The team database goes away while calls are up, and a desk dies with records it has
 * not shipped: the outbox keeps them, and each arrives once when the database is back.
 */
describe('team: the database away, a desk killed', { skip, timeout: 180_000 }, () => {
  let k: Kamailio;
  let server: Postgres;
  let db: TeamDb;
  let dir: string;
  const sipps: RunningSipp[] = [];
  const runners: HeadlessRunner[] = [];
  const lines = [
    { id: 'o1', ext: '331' },
    { id: 'o2', ext: '332' },
  ];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'linedesk-team-outage-'));
    server = await startPostgres();
    db = await initTeamDb(server);
    await db.addUser('olga', 'agent');
    await db.addUser('sven', 'supervisor');
    k = await startKamailio();
  });
  after(async () => {
    for (const s of sipps) s.kill();
    await Promise.allSettled(sipps.map((s) => s.done));
    await Promise.allSettled(runners.map((r) => r.stop()));
    await k?.stop();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const storePath = (): string => join(dir, 'olga.sqlite');
  const desk = (): HeadlessRunner => {
    const r = new HeadlessRunner({
      ...runnerConfig(k, lines, { store: { path: storePath() }, dispatch: { offerTimeoutMs: 30_000 } }),
      agent: { wrapupSeconds: 0, id: 'olga' },
      team: { database: db.database('olga'), retryMaxMs: 300 },
    });
    runners.push(r);
    return r;
  };
  const call = async (r: HeadlessRunner, ext: string, talkMs: number): Promise<string> => {
    const mark = r.events.length;
    sipps.push(startSipp({ scenario: 'uac-call.xml', target: `127.0.0.1:${k.udpPort}`, service: ext, durationMs: talkMs, timeoutMs: 30_000 }));
    const offer = await r.waitForEvent('call.offered', { to: ext }, 10_000, mark);
    r.send({ cmd: 'accept', line: offer.line as string });
    await r.waitForEvent('call.answered', { call: offer.call as string }, 10_000, mark);
    return offer.call as string;
  };
  const ended = (r: HeadlessRunner, call: string): Promise<RunnerEvent> => r.waitForEvent('call.ended', { call }, 20_000);
  /** The calls of this desk in PostgreSQL: Call-ID → how many rows, and the disposition. */
  const remoteCalls = async (): Promise<Map<string, { n: number; disposition: string; ended: boolean }>> => {
    const rows = await db.admin<{ call_id: string; n: string; disposition: string; ended: boolean }>(
      'SELECT call_id, count(*) AS n, max(disposition) AS disposition, bool_and(ended_at IS NOT NULL) AS ended FROM linedesk.calls GROUP BY call_id',
    );
    return new Map(rows.map((r) => [r.call_id, { n: Number(r.n), disposition: r.disposition, ended: r.ended }]));
  };
  /** The desk's own records (its SQLite store, read while it runs: WAL allows it). */
  const localCalls = (): Map<string, string> => {
    const store = CallStore.open(storePath());
    try {
      const rows = store.db.prepare<{ call_id: string; disposition: string }>('SELECT call_id, disposition FROM calls').all();
      return new Map(rows.map((r) => [r.call_id, r.disposition]));
    } finally {
      store.close();
    }
  };
  const assertSameRecords = async (): Promise<void> => {
    const local = localCalls();
    const remote = await remoteCalls();
    assert.deepEqual([...remote.keys()].sort(), [...local.keys()].sort(), 'the same calls on the desk and in PostgreSQL');
    for (const [id, disposition] of local) {
      assert.equal(remote.get(id)?.n, 1, `${id} arrived once`);
      assert.equal(remote.get(id)?.disposition, disposition, `${id} as on the desk`);
    }
    const intervals = await db.admin<{ n: string; distinct_ids: string }>('SELECT count(*) AS n, count(DISTINCT (desk_id, id)) AS distinct_ids FROM linedesk.agent_intervals');
    assert.equal(intervals[0]!.n, intervals[0]!.distinct_ids);
  };

  test('PostgreSQL stopped in the middle of calls, then started: every record arrives once; team.sync went offline → behind → connected', async () => {
    const r = desk();
    const sup = new HeadlessRunner({
      ...runnerConfig(k, [{ id: 's1', ext: '333' }], { store: { path: join(dir, 'sven.sqlite') } }),
      agent: { id: 'sven' },
      team: { database: db.database('sven'), role: 'supervisor', retryMaxMs: 300 },
    });
    runners.push(sup);
    await r.registered(['o1', 'o2'], 15_000);
    await r.waitForEvent('team.sync', { state: 'connected' }, 15_000);
    await sup.waitFor((e) => e.event === 'team.agents' && (e.agents as { agentId: string; state: string }[]).some((a) => a.agentId === 'olga' && a.state === 'available'), 10_000, 'olga at the supervisor');
    const before = await call(r, '331', 500);
    await ended(r, before);
    const c1 = await call(r, '331', 2_500);
    const c2 = await call(r, '332', 2_500);

    const mark = r.events.length;
    await server.halt();
    const offline = await r.waitForEvent('team.sync', { state: 'offline' }, 15_000, mark);
    assert.match(String(offline.reason), /unreachable|terminat|shutting|connect/i);
    await Promise.all([ended(r, c1), ended(r, c2)]);
    // More calls while the database is away.
    const c3 = await call(r, '331', 300);
    await ended(r, c3);
    r.send({ cmd: 'agent.state', state: 'paused', reason: 'break' });
    await r.waitForEvent('agent.state', { state: 'paused' }, 5_000, mark);
    // (A batch in flight when the server went down may have committed and said connected first.)
    const sinceDown = r.eventsSince(mark, 'team.sync');
    const firstOffline = sinceDown.findIndex((e) => e.state === 'offline');
    assert.deepEqual(sinceDown.slice(firstOffline).filter((e) => e.state !== 'offline'), [], 'offline while the database is down');

    await server.start();
    await r.waitForEvent('team.sync', { state: 'connected' }, 20_000, mark);
    const states = r.eventsSince(mark, 'team.sync').map((e) => e.state as string).slice(firstOffline);
    const order = states.filter((s, i) => i === 0 || s !== states[i - 1]);
    assert.deepEqual(order.slice(0, 3), ['offline', 'behind', 'connected'], `team.sync: ${states.join(' ')}`);
    const behind = r.eventsSince(mark, 'team.sync').find((e) => e.state === 'behind')!;
    assert.ok((behind.pending as number) > 0 && (behind.lagMs as number) > 0, JSON.stringify(behind));
    await assertSameRecords();
    const remote = await remoteCalls();
    for (const id of [before, c1, c2, c3]) assert.ok(remote.get(id)?.ended, `${id} ended in PostgreSQL`);
    const paused = await db.admin<{ state: string; reason: string }>("SELECT state, reason FROM linedesk.agent_intervals i JOIN linedesk.desks d USING (desk_id) WHERE d.agent_id = 'olga' AND ended_at IS NULL");
    assert.deepEqual(paused, [{ state: 'paused', reason: 'break' }]);
    // The supervisor's desk lost its connection too; back, it reloads the team and sees the pause made meanwhile.
    await sup.waitFor((e) => e.event === 'team.agents' && (e.agents as { agentId: string; state: string; reason?: string }[]).some((a) => a.agentId === 'olga' && a.state === 'paused' && a.reason === 'break'), 10_000, 'olga paused at the supervisor after the outage');
    await r.stop();
    await sup.stop();
  });

  test('a desk killed (SIGKILL) with records not yet shipped: after restart they arrive once', async () => {
    // On its own even if the test before failed half-way.
    await Promise.allSettled(runners.map((x) => x.stop()));
    await server.start();
    const r = desk();
    await r.registered(['o1', 'o2'], 15_000);
    await r.waitForEvent('team.sync', { state: 'connected' }, 15_000);
    const mark = r.events.length;
    await server.halt();
    await r.waitForEvent('team.sync', { state: 'offline' }, 15_000, mark);
    const done = await call(r, '331', 300);
    await ended(r, done);
    const up = await call(r, '332', 30_000);
    // Let the runner answer one more command, so what it printed before is saved.
    r.send({ cmd: 'status', id: 'barrier' });
    await r.waitForEvent('status', { id: 'barrier' });
    r.child.kill('SIGKILL');
    assert.equal(await r.exited, null);
    const remoteBefore = await (async () => {
      await server.start();
      return remoteCalls();
    })();
    assert.equal(remoteBefore.has(done), false, 'not shipped before the kill');

    const next = desk();
    await next.waitForEvent('team.sync', { state: 'connected' }, 20_000);
    await assertSameRecords();
    const remote = await remoteCalls();
    assert.equal(remote.get(done)?.disposition, 'answered');
    // The call that was up at the kill, closed by the restart's recovery, is closed there too.
    assert.equal(remote.get(up)?.ended, true);
    await next.stop();
  });
});
