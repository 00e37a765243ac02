import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { StatsSummary, TeamAgent, TeamAgentFigures, TeamFigures } from '../../src-main/contract/control-events.js';
import { HeadlessRunner, type RunnerEvent } from '../support/headless-runner.js';
import { peerSkipReason, startKamailio, type Kamailio } from '../support/kamailio.js';
import { runnerConfig } from '../support/linedesk-config.js';
import { postgresSkipReason, startPostgres, type Postgres } from '../support/postgres.js';
import { startSipp, type RunningSipp } from '../support/sipp.js';
import { initTeamDb, type TeamDb } from '../support/team-db.js';

const skip = peerSkipReason('kamailio', 'sipp', 'timeout') ?? postgresSkipReason();

/**
 * Two agents' desks and a supervisor's, three headless runners on one Kamailio and one
 * PostgreSQL: sipp calls both agents; the supervisor sees their states change live and
 * team figures that are the sum of the two desks' own statistics.
 */
describe('team: two desks and a supervisor on a shared PostgreSQL', { skip, timeout: 180_000 }, () => {
  let k: Kamailio;
  let server: Postgres;
  let db: TeamDb;
  let dir: string;
  let alice: HeadlessRunner;
  let bob: HeadlessRunner;
  let sup: HeadlessRunner;
  const sipps: RunningSipp[] = [];

  const desk = (user: string, line: { id: string; ext: string }, role: 'agent' | 'supervisor', name: string): HeadlessRunner =>
    new HeadlessRunner({
      ...runnerConfig(k, [line], { store: { path: join(dir, `${user}.sqlite`) } }),
      agent: { wrapupSeconds: 0, pauseReasons: ['break', 'lunch'], id: user, name },
      team: { database: db.database(user), role, retryMaxMs: 500 },
    });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'linedesk-team-'));
    server = await startPostgres();
    db = await initTeamDb(server);
    await db.addUser('alice', 'agent');
    await db.addUser('bob', 'agent');
    await db.addUser('sue', 'supervisor');
    k = await startKamailio();
    alice = desk('alice', { id: 'a1', ext: '321' }, 'agent', 'Alice A.');
    bob = desk('bob', { id: 'b1', ext: '322' }, 'agent', 'Bob B.');
    sup = desk('sue', { id: 's1', ext: '323' }, 'supervisor', 'Sue S.');
    await Promise.all([alice.registered(['a1'], 15_000), bob.registered(['b1'], 15_000), sup.registered(['s1'], 15_000)]);
    for (const r of [alice, bob, sup]) await r.waitForEvent('team.sync', { state: 'connected' }, 15_000);
  });
  after(async () => {
    for (const s of sipps) s.kill();
    await Promise.allSettled(sipps.map((s) => s.done));
    await Promise.allSettled([alice?.stop(), bob?.stop(), sup?.stop()]);
    await k?.stop();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const agentsIn = (e: RunnerEvent): TeamAgent[] => e.agents as TeamAgent[];
  const agentOf = (e: RunnerEvent, id: string): TeamAgent | undefined => agentsIn(e).find((a) => a.agentId === id);
  /** The supervisor's first pushed team.agents (after `mark`) in which `pred` holds for agent `id`. */
  const supervisorSees = (id: string, pred: (a: TeamAgent) => boolean, mark: number, what: string): Promise<RunnerEvent> =>
    sup.waitFor((e) => e.event === 'team.agents' && e.id === undefined && (() => {
      const a = agentOf(e, id);
      return a !== undefined && pred(a);
    })(), 10_000, what, mark);

  test('the supervisor sees both agents, and each state change within 1 s', async (t) => {
    sup.send({ cmd: 'team.agents', id: 'all' });
    const all = await sup.waitForEvent('team.agents', { id: 'all' });
    const ids = agentsIn(all).map((a) => a.agentId).sort();
    assert.deepEqual(ids, ['alice', 'bob', 'sue']);
    assert.equal(agentOf(all, 'alice')?.name, 'Alice A.');
    assert.deepEqual(agentOf(all, 'alice')?.lines.map((l) => [l.line, l.state]), [['a1', 'registered']]);

    for (const [runner, id, reason] of [[alice, 'alice', 'break'], [bob, 'bob', 'lunch']] as const) {
      const mark = sup.events.length;
      const deskMark = runner.events.length;
      runner.send({ cmd: 'agent.state', state: 'paused', reason });
      const changed = await runner.waitForEvent('agent.state', { state: 'paused' }, 5_000, deskMark);
      const seen = await supervisorSees(id, (a) => a.state === 'paused' && a.reason === reason, mark, `${id} paused at the supervisor`);
      const delay = seen.ts - changed.ts;
      assert.ok(delay < 1_000, `${id}'s pause reached the supervisor after ${delay} ms`);
      t.diagnostic(`${id} paused → supervisor: ${Math.round(delay)} ms`);
      assert.equal(agentOf(seen, id)?.since, changed.since);

      const mark2 = sup.events.length;
      const deskMark2 = runner.events.length;
      runner.send({ cmd: 'agent.state', state: 'available' });
      const back = await runner.waitForEvent('agent.state', { state: 'available' }, 5_000, deskMark2);
      const seen2 = await supervisorSees(id, (a) => a.state === 'available', mark2, `${id} available again`);
      assert.ok(seen2.ts - back.ts < 1_000, `${id}'s return reached the supervisor after ${seen2.ts - back.ts} ms`);
      t.diagnostic(`${id} available → supervisor: ${Math.round(seen2.ts - back.ts)} ms`);
    }
  });

  const call = async (runner: HeadlessRunner, ext: string, how: 'answer' | 'decline', talkMs = 600): Promise<string> => {
    const mark = runner.events.length;
    const sipp = startSipp({ scenario: how === 'answer' ? 'uac-call.xml' : 'uac-final.xml', target: `127.0.0.1:${k.udpPort}`, service: ext, durationMs: talkMs, timeoutMs: 30_000 });
    sipps.push(sipp);
    const offer = await runner.waitForEvent('call.offered', { to: ext }, 10_000, mark);
    const id = offer.call as string;
    if (how === 'answer') {
      runner.send({ cmd: 'accept', line: offer.line as string });
      await runner.waitForEvent('call.answered', { call: id }, 10_000, mark);
    } else {
      runner.send({ cmd: 'decline', line: offer.line as string, reason: 'busy with a customer' });
    }
    return id;
  };

  test('calls on both desks: the supervisor sees them on the lines, then figures equal to the sum of both desks', async () => {
    const mark = sup.events.length;
    const a1 = await call(alice, '321', 'answer', 2_000);
    const onLine = await supervisorSees('alice', (a) => a.lines[0]?.call?.call === a1 && a.lines[0].call.phase === 'active', mark, "alice's call on a1");
    assert.equal(agentOf(onLine, 'alice')?.lines[0]?.call?.direction, 'in');
    await alice.waitForEvent('call.ended', { call: a1 }, 15_000);
    await supervisorSees('alice', (a) => a.lines[0]?.call === undefined, mark, "alice's line free again");

    const a2 = await call(alice, '321', 'answer', 300);
    const b1 = await call(bob, '322', 'answer', 500);
    const b2Mark = bob.events.length;
    const b2 = await call(bob, '322', 'decline');
    await Promise.all([alice.waitForEvent('call.ended', { call: a2 }, 15_000), bob.waitForEvent('call.ended', { call: b1 }, 15_000), bob.waitForEvent('call.ended', { call: b2 }, 15_000, b2Mark)]);

    // Both desks have shipped everything.
    const deadline = Date.now() + 10_000;
    while ((await db.admin<{ n: string }>('SELECT count(*) AS n FROM linedesk.calls WHERE ended_at IS NOT NULL'))[0]!.n !== '4') {
      assert.ok(Date.now() < deadline, 'the four calls reach PostgreSQL');
      await new Promise((r) => setTimeout(r, 50));
    }
    const figures = async (r: HeadlessRunner, id: string): Promise<StatsSummary> => {
      r.send({ cmd: 'stats', range: 'today', id });
      return (await r.waitForEvent('stats', { id })).stats as StatsSummary;
    };
    const sa = await figures(alice, 'sa');
    const sb = await figures(bob, 'sb');
    const ss = await figures(sup, 'ss');
    sup.send({ cmd: 'team.stats', range: 'today', id: 'team' });
    const ts = await sup.waitForEvent('team.stats', { id: 'team' });
    const team = ts.team as TeamFigures;
    const perAgent = new Map((ts.agents as TeamAgentFigures[]).map((a) => [a.agentId, a]));
    assert.deepEqual([sa.offered, sa.answered, sb.offered, sb.answered, sb.declined], [2, 2, 2, 1, 1]);

    const summed = ['offered', 'answered', 'declined', 'missed', 'abandoned', 'answeredElsewhere', 'failed', 'rejected', 'talkMs', 'holdMs', 'wrapupMs'] as const;
    for (const key of summed) {
      assert.equal(team[key], sa[key] + sb[key] + ss[key], `team ${key}`);
      assert.equal(perAgent.get('alice')?.[key], sa[key], `alice ${key}`);
      assert.equal(perAgent.get('bob')?.[key], sb[key], `bob ${key}`);
    }
    assert.deepEqual(team.declinedByReason, { 'busy with a customer': 1 });
    assert.deepEqual(team.callsPerHour, sa.callsPerHour.map((n, h) => n + sb.callsPerHour[h]! + ss.callsPerHour[h]!));
    assert.equal(perAgent.get('alice')?.averageSpeedOfAnswerMs, sa.averageSpeedOfAnswerMs);
    assert.equal(perAgent.get('bob')?.averageHandleTimeMs, sb.averageHandleTimeMs);
    // Every answered call was answered within 20 s here.
    assert.equal(team.serviceLevelSeconds, 20);
    assert.equal(team.answeredWithinServiceLevel, 3);
    assert.equal(team.serviceLevel, 3 / 4);
    assert.equal(team.abandonRate, 0);
    assert.equal(perAgent.get('alice')?.name, 'Alice A.');

    // An agent's desk asking for team figures gets its own only (row-level security).
    alice.send({ cmd: 'team.stats', range: 'today', id: 'mine' });
    const mine = await alice.waitForEvent('team.stats', { id: 'mine' });
    assert.deepEqual((mine.agents as TeamAgentFigures[]).map((a) => a.agentId), ['alice']);
    assert.equal((mine.team as TeamFigures).offered, sa.offered);
  });

  test('every record is in PostgreSQL once, with its offer attempts', async () => {
    const rows = await db.admin<{ agent_id: string; call_id: string; disposition: string; attempts: number; n: string }>(
      `SELECT d.agent_id, c.call_id, c.disposition, c.attempts, (SELECT count(*) FROM linedesk.offers o WHERE o.desk_id = c.desk_id AND o.call = c.id) AS n
         FROM linedesk.calls c JOIN linedesk.desks d USING (desk_id) ORDER BY c.offered_at`,
    );
    assert.deepEqual(rows.map((r) => [r.agent_id, r.disposition]), [['alice', 'answered'], ['alice', 'answered'], ['bob', 'answered'], ['bob', 'declined']]);
    for (const r of rows) assert.equal(Number(r.n), r.attempts, `offers of ${r.call_id}`);
    const owners = await db.admin<{ owner: string; n: string }>('SELECT owner, count(*) AS n FROM linedesk.calls GROUP BY owner ORDER BY owner');
    assert.deepEqual(owners.map((o) => [o.owner, Number(o.n)]), [['alice', 2], ['bob', 2]]);
  });

  test('a clean stop ships the final offline state', async () => {
    const mark = sup.events.length;
    const code = await bob.stop();
    assert.equal(code, 0);
    await supervisorSees('bob', (a) => a.state === 'offline' && a.lines.every((l) => l.state === 'unregistered'), mark, 'bob offline at the supervisor');
  });
});
