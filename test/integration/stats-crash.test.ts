import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CallStore } from '../../src-main/stats/call-store.js';
import { HeadlessRunner } from '../support/headless-runner.js';
import { peerSkipReason, startKamailio, type Kamailio } from '../support/kamailio.js';
import { runnerConfig } from '../support/linedesk-config.js';
import { startSipp, type RunningSipp } from '../support/sipp.js';

const skip = peerSkipReason('kamailio', 'sipp', 'timeout');

/**
 * Calls in every state, then SIGKILL: the database must already hold every call as it
 * was at the kill (no clean stop, no recovery run before we look).
 */
describe('call records survive SIGKILL of the runner', { skip, timeout: 120_000 }, () => {
  let k: Kamailio;
  let runner: HeadlessRunner;
  let dir: string;
  let dbFile: string;
  const sipps: RunningSipp[] = [];
  const lines = [
    { id: 'c1', ext: '214' },
    { id: 'c2', ext: '215' },
    { id: 'c3', ext: '216' },
    { id: 'c4', ext: '217' },
  ];
  /** Call-ID by extension. */
  const callOf = new Map<string, string>();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'linedesk-stats-crash-'));
    dbFile = join(dir, 'records.sqlite');
    k = await startKamailio({ auth: true });
    runner = new HeadlessRunner({
      ...runnerConfig(k, lines, { dispatch: { offerTimeoutMs: 60_000 } }),
      agent: { wrapupSeconds: 60, pauseReasons: ['break'], initialState: 'available' },
      store: { path: dbFile, synchronous: 'NORMAL' },
    });
    await runner.registered(lines.map((l) => l.id));
  });
  after(async () => {
    for (const s of sipps) s.kill();
    await Promise.allSettled(sipps.map((s) => s.done));
    await runner?.stop();
    await k?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const call = async (ext: string, scenario: string, opts: { answer: boolean; durationMs?: number }): Promise<string> => {
    const sipp = startSipp({ scenario, target: `127.0.0.1:${k.udpPort}`, service: ext, durationMs: opts.durationMs ?? 60_000, timeoutMs: 90_000 });
    sipps.push(sipp);
    const offer = await runner.waitForEvent('call.offered', { to: ext });
    const id = offer.call as string;
    callOf.set(ext, id);
    if (opts.answer) {
      runner.send({ cmd: 'accept', line: offer.line as string });
      await runner.waitForEvent('call.answered', { call: id });
    }
    return id;
  };

  test('two calls talking, one ringing, one finished (agent in wrap-up), then SIGKILL: every record is in the database as it was', async () => {
    const talking1 = await call('214', 'uac-call.xml', { answer: true });
    const talking2 = await call('215', 'uac-call.xml', { answer: true });
    const ringing = await call('216', 'uac-final.xml', { answer: false });
    const finished = await call('217', 'uac-call.xml', { answer: true, durationMs: 300 });
    await runner.waitForEvent('call.ended', { call: finished });
    await runner.waitFor((e) => e.event === 'agent.state' && e.state === 'wrapup', 5_000, 'wrap-up after the finished call');
    // No barrier needed: modules handle each event before it reaches stdout (the protocol
    // doc's promise), so every event seen so far is already saved when we kill.

    runner.child.kill('SIGKILL');
    const code = await runner.exited;
    assert.equal(code, null, 'killed by a signal, no clean stop');
    assert.equal(runner.eventsNamed('stopped').length, 0);

    const store = CallStore.open(dbFile);
    try {
      for (const id of [talking1, talking2]) {
        const r = store.readCall(id);
        assert.ok(r, `record of ${id}`);
        assert.equal(r.disposition, 'active');
        assert.equal(r.direction, 'in');
        assert.equal(r.from, 'sipp');
        assert.ok(r.answeredAt !== null && r.answeredAt >= r.offeredAt);
        assert.equal(r.endedAt, null);
        assert.deepEqual(r.attempts.map((a) => a.outcome), ['answered']);
      }
      assert.equal(store.readCall(talking1)?.line, 'c1');
      assert.equal(store.readCall(talking2)?.line, 'c2');

      const ring = store.readCall(ringing);
      assert.ok(ring);
      assert.deepEqual([ring.disposition, ring.line, ring.answeredAt, ring.endedAt, ring.to], ['ringing', 'c3', null, null, '216']);
      assert.deepEqual(ring.attempts.map((a) => [a.line, a.outcome, a.endedAt]), [['c3', null, null]]);

      const done = store.readCall(finished);
      assert.ok(done);
      assert.equal(done.disposition, 'answered');
      assert.equal(done.endReason, 'remote-hangup');
      assert.ok(done.talkMs >= 200 && done.talkMs < 5_000, `talk ${done.talkMs}`);
      assert.equal(store.countCalls(), 4);

      // The agent's current state (wrap-up for the finished call) is there, still open.
      const open = store.db.prepare<{ state: string; ended_at: number | null; call: number | null }>('SELECT state, ended_at, call FROM agent_intervals WHERE ended_at IS NULL').all();
      assert.deepEqual(open, [{ state: 'wrapup', ended_at: null, call: done.id }]);
    } finally {
      store.close();
    }
  });

  test('the next start closes what the killed run left open', async () => {
    const next = new HeadlessRunner({
      ...runnerConfig(k, [{ id: 'c1', ext: '214' }]),
      store: { path: dbFile, synchronous: 'NORMAL' },
    });
    try {
      await next.waitForEvent('ready');
      assert.ok(next.stderr.some((l) => /closed the calls and agent state a previous run left open/.test(l)), next.stderr.join('\n'));
      next.send({ cmd: 'history', id: 'after' });
      const h = await next.waitForEvent('history', { id: 'after' });
      const byCall = new Map((h.records as { call: string; disposition: string; endedAt: number | null }[]).map((r) => [r.call, r]));
      assert.equal(byCall.get(callOf.get('214')!)?.disposition, 'answered');
      assert.ok(byCall.get(callOf.get('214')!)?.endedAt);
      assert.equal(byCall.get(callOf.get('216')!)?.disposition, 'failed');
    } finally {
      await next.stop();
    }
  });
});
