import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { agentModule } from '../../../src-main/modules/agent-module.js';
import { AgentStateError, AgentStateMachine, type AgentSnapshot } from '../../../src-main/agent/agent-state-machine.js';
import type { AgentStateName } from '../../../src-main/contract/control-events.js';
import { dispatchHarness } from '../../support/dispatch-harness.js';
import { drain, FakeClock } from '../../support/fake-clock.js';
import { FakeCoreHost, testConfig } from '../stats/fake-core-host.js';

const EPOCH = 1_700_000_000_000;
const reasons = ['break', 'lunch', 'training'];

function machine(opts: { wrapupMs?: number; initial?: 'available' | 'offline' } = {}) {
  const clock = new FakeClock(0, EPOCH);
  const m = new AgentStateMachine({ clock, wrapupMs: opts.wrapupMs ?? 30_000, pauseReasons: reasons, initial: opts.initial ?? 'available' });
  const changes: AgentSnapshot[] = [];
  m.events.on('change', (s) => changes.push(s));
  return { m, clock, changes };
}

/** A machine brought into `state` through its ordinary inputs. */
function machineIn(state: AgentStateName) {
  const h = machine({ initial: state === 'offline' ? 'offline' : 'available' });
  if (state === 'paused') h.m.request({ state: 'paused', reason: 'break' });
  if (state === 'wrapup') h.m.answeredCallEnded();
  if (state === 'dnd') h.m.setAllLinesDnd(true);
  assert.equal(h.m.state, state);
  return h;
}

const states: AgentStateName[] = ['available', 'paused', 'wrapup', 'dnd', 'offline'];
// The table of agent-state-machine.ts, written out again: any drift fails a test.
const allowed: Record<AgentStateName, AgentStateName[]> = {
  available: ['paused', 'wrapup', 'dnd', 'offline'],
  paused: ['available', 'paused', 'wrapup', 'dnd', 'offline'],
  wrapup: ['available', 'paused', 'wrapup', 'dnd', 'offline'],
  dnd: ['available', 'paused', 'wrapup', 'offline'],
  offline: ['available', 'paused', 'dnd'],
};

describe('AgentStateMachine: the transition table', () => {
  for (const from of states) {
    for (const to of states) {
      const ok = allowed[from].includes(to);
      test(`${from} → ${to} ${ok ? 'is allowed' : 'throws'}`, () => {
        const { m, changes } = machineIn(from);
        const before = changes.length;
        const reason = to === 'paused' ? 'lunch' : undefined;
        if (ok) {
          m.transition(to, reason);
          assert.equal(m.state, to);
          assert.equal(changes.length, before + 1, 'one change event');
          assert.equal(changes.at(-1)?.state, to);
        } else {
          assert.throws(() => m.transition(to, reason), new RegExp(`Invalid agent state transition from ${from} to ${to}`));
          assert.equal(m.state, from, 'the state is unchanged');
          assert.equal(changes.length, before, 'no change event');
        }
      });
    }
  }

  test('paused → paused needs another reason; a request for a pause needs a configured reason, checked once by request()', () => {
    const { m, changes } = machineIn('paused');
    assert.throws(() => m.transition('paused', 'break'), /already paused for break/);
    const before = changes.length;
    assert.throws(() => m.request({ state: 'paused', reason: 'smoking' }), (e: unknown) => e instanceof AgentStateError && /"smoking" is not a pause reason; allowed: break, lunch, training/.test(e.message));
    assert.throws(() => m.request({ state: 'paused' }), (e: unknown) => e instanceof AgentStateError && /a pause needs a reason, one of: break, lunch, training/.test(e.message));
    assert.throws(() => m.request({ state: 'offline', reason: 'lunch' }), (e: unknown) => e instanceof AgentStateError && /only a pause takes a reason/.test(e.message));
    assert.equal(changes.length, before, 'a refused request changes nothing');
    assert.deepEqual([m.state, m.snapshot.reason], ['paused', 'break']);
  });
});

describe('AgentStateMachine: requests', () => {
  test('available → paused with a reason → available; each change stamped with the wall clock', () => {
    const { m, clock, changes } = machine();
    clock.advance(1_000);
    assert.equal(m.request({ state: 'paused', reason: 'lunch' }), 'changed');
    assert.deepEqual(m.snapshot, { state: 'paused', reason: 'lunch', since: EPOCH + 1_000 });
    clock.advance(60_000);
    assert.equal(m.request({ state: 'paused', reason: 'break' }), 'changed', 'another reason is a change');
    assert.equal(m.request({ state: 'paused', reason: 'break' }), 'unchanged');
    assert.equal(m.request({ state: 'available' }), 'changed');
    assert.deepEqual(changes.map((c) => [c.state, c.reason, c.since]), [
      ['paused', 'lunch', EPOCH + 1_000],
      ['paused', 'break', EPOCH + 61_000],
      ['available', undefined, EPOCH + 61_000],
    ]);
  });

  test('an unknown pause reason is refused with the allowed ones, and changes nothing', () => {
    const { m, changes } = machine();
    assert.throws(() => m.request({ state: 'paused', reason: 'nap' }), /"nap" is not a pause reason; allowed: break, lunch, training/);
    assert.equal(m.state, 'available');
    assert.equal(changes.length, 0);
  });

  test('offline and back: logging in may go straight to a pause', () => {
    const { m } = machine({ initial: 'offline' });
    assert.equal(m.state, 'offline');
    assert.equal(m.request({ state: 'offline' }), 'unchanged');
    m.request({ state: 'paused', reason: 'training' });
    assert.equal(m.state, 'paused');
    m.request({ state: 'offline' });
    m.request({ state: 'available' });
    assert.equal(m.state, 'available');
  });
});

describe('AgentStateMachine: wrap-up on the clock', () => {
  test('an answered call ending starts wrap-up for wrapupSeconds, then back to available', () => {
    const { m, clock, changes } = machine();
    clock.advance(5_000);
    m.answeredCallEnded();
    assert.deepEqual(m.snapshot, { state: 'wrapup', since: EPOCH + 5_000, wrapupEndsAt: EPOCH + 35_000 });
    clock.advance(29_999);
    assert.equal(m.state, 'wrapup', 'not a millisecond early');
    clock.advance(1);
    assert.deepEqual(m.snapshot, { state: 'available', since: EPOCH + 35_000 });
    assert.equal(changes.length, 2);
  });

  test('wrapup.extend moves the end later (announced, same since); the timer follows', () => {
    const { m, clock, changes } = machine();
    m.answeredCallEnded();
    clock.advance(10_000);
    m.extendWrapup(20);
    assert.deepEqual(changes.at(-1), { state: 'wrapup', since: EPOCH, wrapupEndsAt: EPOCH + 50_000 });
    clock.advance(39_999);
    assert.equal(m.state, 'wrapup');
    clock.advance(1);
    assert.equal(m.state, 'available');
    assert.equal(m.snapshot.since, EPOCH + 50_000);
  });

  test('wrapup.end ends it at once; the old timer does nothing later', () => {
    const { m, clock, changes } = machine();
    m.answeredCallEnded();
    clock.advance(5_000);
    m.endWrapup();
    assert.deepEqual(m.snapshot, { state: 'available', since: EPOCH + 5_000 });
    clock.advance(60_000);
    assert.equal(changes.length, 2, 'no further change');
    assert.equal(clock.pendingCount, 0);
  });

  test('a pause asked for during wrap-up is applied when wrap-up ends (timer or wrapup.end)', () => {
    const { m, clock } = machine();
    m.answeredCallEnded();
    assert.equal(m.request({ state: 'paused', reason: 'lunch' }), 'deferred');
    assert.equal(m.state, 'wrapup');
    assert.deepEqual(m.pending, { state: 'paused', reason: 'lunch' });
    clock.advance(30_000);
    assert.deepEqual(m.snapshot, { state: 'paused', reason: 'lunch', since: EPOCH + 30_000 });

    const second = machine();
    second.m.answeredCallEnded();
    second.m.request({ state: 'offline' });
    second.m.endWrapup();
    assert.equal(second.m.state, 'offline');
  });

  test('a call ending while paused wraps up, then returns to the same pause', () => {
    const { m, clock } = machine();
    m.request({ state: 'paused', reason: 'training' });
    m.answeredCallEnded();
    assert.equal(m.state, 'wrapup');
    clock.advance(30_000);
    assert.deepEqual([m.state, m.snapshot.reason], ['paused', 'training']);
  });

  test('another answered call ending during wrap-up restarts it (an extension already granted is kept)', () => {
    const { m, clock, changes } = machine();
    m.answeredCallEnded();
    clock.advance(20_000);
    m.answeredCallEnded();
    assert.deepEqual(changes.at(-1), { state: 'wrapup', since: EPOCH + 20_000, wrapupEndsAt: EPOCH + 50_000 });
    m.extendWrapup(100); // ends at 150 s
    clock.advance(1_000);
    m.answeredCallEnded(); // fresh would end at 51 s: the later end stays
    assert.equal(m.snapshot.wrapupEndsAt, EPOCH + 150_000);
    clock.advance(128_999);
    assert.equal(m.state, 'wrapup');
    clock.advance(1);
    assert.equal(m.state, 'available');
  });

  test('no wrap-up while offline, nor when wrapupSeconds is 0', () => {
    const off = machine({ initial: 'offline' });
    off.m.answeredCallEnded();
    assert.equal(off.m.state, 'offline');
    const none = machine({ wrapupMs: 0 });
    none.m.answeredCallEnded();
    assert.equal(none.m.state, 'available');
    assert.equal(none.changes.length, 0);
  });

  test('wrapup.extend and wrapup.end outside wrap-up are refused', () => {
    const { m } = machine();
    assert.throws(() => m.extendWrapup(10), /not in wrap-up \(the agent is available\)/);
    assert.throws(() => m.endWrapup(), /not in wrap-up/);
  });
});

describe('AgentStateMachine: DND', () => {
  test('every line in DND makes an available agent dnd; a line leaving DND makes it available', () => {
    const { m } = machine();
    m.setAllLinesDnd(true);
    assert.equal(m.state, 'dnd');
    assert.equal(m.request({ state: 'available' }), 'unchanged', 'available while every line is DND is dnd');
    m.setAllLinesDnd(false);
    assert.equal(m.state, 'available');
  });

  test('a paused agent stays paused when every line goes DND; asking for available then lands in dnd', () => {
    const { m } = machine();
    m.request({ state: 'paused', reason: 'break' });
    m.setAllLinesDnd(true);
    assert.equal(m.state, 'paused');
    m.request({ state: 'available' });
    assert.equal(m.state, 'dnd');
  });

  test('wrap-up ending while every line is in DND goes to dnd', () => {
    const { m, clock } = machine();
    m.answeredCallEnded();
    m.setAllLinesDnd(true);
    assert.equal(m.state, 'wrapup');
    clock.advance(30_000);
    assert.equal(m.state, 'dnd');
  });
});

describe('agent module', () => {
  async function installed(agent: object = {}, lines = 2) {
    const clock = new FakeClock(0, EPOCH);
    const host = new FakeCoreHost(testConfig({ lines, agent }), clock);
    await host.install(agentModule);
    return { host, clock };
  }

  test('eligibility: every line is paused for the dispatcher in any state but available', async () => {
    const { host, clock } = await installed();
    assert.deepEqual(host.paused, [
      ['l1', false],
      ['l2', false],
    ]);
    host.paused.length = 0;
    await host.run({ cmd: 'agent.state', state: 'paused', reason: 'lunch' });
    assert.deepEqual(host.paused, [
      ['l1', true],
      ['l2', true],
    ]);
    host.paused.length = 0;
    await host.run({ cmd: 'agent.state', state: 'available' });
    host.emit({ event: 'call.answered', call: 'c1', line: 'l1' });
    host.emit({ event: 'call.ended', call: 'c1', line: 'l1', reason: 'remote-hangup', code: 200, talkMs: 5_000 });
    assert.deepEqual(host.paused.slice(-2), [
      ['l1', true],
      ['l2', true],
    ], 'wrap-up pauses the lines');
    clock.advance(30_000);
    assert.deepEqual(host.paused.slice(-2), [
      ['l1', false],
      ['l2', false],
    ], 'and frees them when it ends');
  });

  test('offline at start: lines paused before they start, agent.state announced at ready', async () => {
    const { host } = await installed({ initialState: 'offline' });
    assert.deepEqual(host.paused, [
      ['l1', true],
      ['l2', true],
    ]);
    assert.equal(host.named('agent.state').length, 0, 'nothing before ready');
    host.emit({ event: 'ready', lines: ['l1', 'l2'], transports: [] });
    host.emit({ event: 'ready', lines: ['l1', 'l2'], transports: [] });
    assert.deepEqual(host.named('agent.state'), [{ event: 'agent.state', state: 'offline', since: EPOCH }]);
  });

  test('commands: agent.state answers with the state; a bad pause reason is an error naming the allowed ones', async () => {
    const { host } = await installed();
    const bad = await host.run({ cmd: 'agent.state', state: 'paused', reason: 'nap' });
    assert.deepEqual(bad, { ok: false, error: '"nap" is not a pause reason; allowed: break, lunch, training' });
    const missing = await host.run({ cmd: 'agent.state', state: 'paused' });
    assert.equal(missing.ok, false);
    const stray = await host.run({ cmd: 'agent.state', state: 'available', reason: 'lunch' });
    assert.deepEqual(stray, { ok: false, error: 'only a pause takes a reason (got "lunch" with available)' });
    const ok = await host.run({ cmd: 'agent.state', state: 'paused', reason: 'break' });
    assert.deepEqual(ok, { ok: true, value: { state: 'paused', reason: 'break', since: EPOCH, outcome: 'changed' } });
    assert.deepEqual(host.named('agent.state').at(-1), { event: 'agent.state', state: 'paused', reason: 'break', since: EPOCH });
    const notWrapping = await host.run({ cmd: 'wrapup.end' });
    assert.deepEqual(notWrapping, { ok: false, error: 'not in wrap-up (the agent is paused)' });
  });

  test('wrap-up through commands: extend, a deferred pause, end', async () => {
    const { host, clock } = await installed();
    host.emit({ event: 'call.answered', call: 'c1', line: 'l2' });
    host.emit({ event: 'call.ended', call: 'c1', line: 'l2', reason: 'local-hangup', code: 200, talkMs: 1_000 });
    assert.deepEqual(host.named('agent.state').at(-1), { event: 'agent.state', state: 'wrapup', since: EPOCH, wrapupEndsAt: EPOCH + 30_000 });
    const ext = await host.run({ cmd: 'wrapup.extend', seconds: 60 });
    assert.equal(ext.ok, true);
    assert.equal(host.named('agent.state').at(-1)?.wrapupEndsAt, EPOCH + 90_000);
    const refused = await host.run({ cmd: 'agent.state', state: 'paused', reason: 'nap' });
    assert.deepEqual(refused, { ok: false, error: '"nap" is not a pause reason; allowed: break, lunch, training' }, 'checked before it is deferred');
    const deferred = await host.run({ cmd: 'agent.state', state: 'paused', reason: 'training' });
    assert.deepEqual(deferred, { ok: true, value: { state: 'wrapup', since: EPOCH, wrapupEndsAt: EPOCH + 90_000, outcome: 'deferred', pending: { state: 'paused', reason: 'training' } } });
    clock.advance(10_000);
    await host.run({ cmd: 'wrapup.end' });
    assert.deepEqual(host.named('agent.state').at(-1), { event: 'agent.state', state: 'paused', reason: 'training', since: EPOCH + 10_000 });
  });

  test('a call that was never answered starts no wrap-up', async () => {
    const { host } = await installed();
    host.emit({ event: 'call.offered', call: 'c1', line: 'l1', from: '555', to: '200', attempt: 1 });
    host.emit({ event: 'call.ended', call: 'c1', line: 'l1', reason: 'caller-cancelled', code: 487 });
    assert.equal(host.named('agent.state').length, 0);
  });

  test('every line in DND (line.dnd events) → dnd; one back → available', async () => {
    const { host } = await installed();
    host.emit({ event: 'line.dnd', line: 'l1', on: true });
    assert.equal(host.named('agent.state').length, 0, 'one line of two is not enough');
    host.emit({ event: 'line.dnd', line: 'l2', on: true });
    assert.equal(host.named('agent.state').at(-1)?.state, 'dnd');
    host.emit({ event: 'line.dnd', line: 'l1', on: false });
    assert.equal(host.named('agent.state').at(-1)?.state, 'available');
  });

  test('at stop the agent goes offline and the wrap-up timer is gone', async () => {
    const { host, clock } = await installed();
    host.emit({ event: 'call.answered', call: 'c1', line: 'l1' });
    host.emit({ event: 'call.ended', call: 'c1', line: 'l1', reason: 'remote-hangup', code: 200 });
    await host.stop();
    assert.equal(host.named('agent.state').at(-1)?.state, 'offline');
    assert.equal(clock.pendingCount, 0);
  });

  test('service lines (auto-answer) are outside the workflow: never paused, no wrap-up, not needed for dnd', async () => {
    const clock = new FakeClock(0, EPOCH);
    const host = new FakeCoreHost(testConfig({ lines: 2, serviceLines: 1 }), clock);
    await host.install(agentModule);
    await host.run({ cmd: 'agent.state', state: 'paused', reason: 'break' });
    assert.deepEqual(host.paused.filter(([, on]) => on).map(([l]) => l), ['l1', 'l2'], 's1 is never paused');
    await host.run({ cmd: 'agent.state', state: 'available' });
    host.emit({ event: 'call.answered', call: 'echo', line: 's1' });
    host.emit({ event: 'call.ended', call: 'echo', line: 's1', reason: 'remote-hangup', code: 200 });
    assert.equal(host.named('agent.state').at(-1)?.state, 'available', 'no wrap-up after a service call');
    host.emit({ event: 'line.dnd', line: 'l1', on: true });
    host.emit({ event: 'line.dnd', line: 'l2', on: true });
    assert.equal(host.named('agent.state').at(-1)?.state, 'dnd', 'every agent line in DND is enough');
  });

  test('with the real dispatcher: a pause keeps a ringing call ringing (it can still be accepted) but new calls are not offered', async () => {
    const h = dispatchHarness({ lines: 2 });
    const host = new FakeCoreHost(testConfig({ lines: 2 }), h.clock);
    host.onSetLinePaused = (line, paused) => h.d.setPaused(line, paused);
    await host.install(agentModule);
    const ringing = h.leg('c1', 'l1');
    h.d.onInvite(ringing);
    assert.equal(h.named('call.offered')[0]?.line, 'l1');
    await host.run({ cmd: 'agent.state', state: 'paused', reason: 'break' });
    assert.equal(h.d.accept('l1'), undefined, 'the call ringing before the pause is still offered');
    await drain();
    assert.equal(ringing.state, 'active');
    const next = h.leg('c2', 'l2');
    h.d.onInvite(next);
    assert.equal(h.named('call.offered').length, 1, 'no new offer while paused');
    assert.equal(next.end?.code, 480);
    await host.run({ cmd: 'agent.state', state: 'available' });
    const third = h.leg('c3', 'l2');
    h.d.onInvite(third);
    assert.equal(h.named('call.offered').at(-1)?.call, 'c3', 'offered again once available');
  });
});
