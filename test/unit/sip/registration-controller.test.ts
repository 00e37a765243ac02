import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RegistrationController, type RegisterOutcome, type RegistrationAgent, type RegistrationState } from '../../../src-main/sip/line/registration-controller.js';
import { drain, FakeClock } from '../../support/fake-clock.js';

/** A scripted registrar: each call consumes the next scripted outcome (the last one repeats). */
class ScriptedAgent implements RegistrationAgent {
  calls: { at: number; what: 'connect' | 'register' | 'probe'; index: number }[] = [];
  constructor(
    private readonly clock: FakeClock,
    public registerScript: RegisterOutcome[],
    public probeScript: boolean[] = [true],
    public connectFails = false,
  ) {}
  connect(index: number): Promise<void> {
    this.calls.push({ at: this.clock.now(), what: 'connect', index });
    return this.connectFails ? Promise.reject(new Error('ECONNREFUSED')) : Promise.resolve();
  }
  register(index: number): Promise<RegisterOutcome> {
    this.calls.push({ at: this.clock.now(), what: 'register', index });
    return Promise.resolve(this.registerScript.length > 1 ? this.registerScript.shift()! : this.registerScript[0]!);
  }
  probe(index: number): Promise<boolean> {
    this.calls.push({ at: this.clock.now(), what: 'probe', index });
    return Promise.resolve(this.probeScript.length > 1 ? this.probeScript.shift()! : this.probeScript[0]!);
  }
  registers(): { at: number; index: number }[] {
    return this.calls.filter((c) => c.what === 'register').map(({ at, index }) => ({ at, index }));
  }
}

const ok: RegisterOutcome = { ok: true, expiresSec: 600 };
const timeout: RegisterOutcome = { ok: false, kind: 'unreachable', status: 408, reason: '408 Request Timeout' };
const forbidden: RegisterOutcome = { ok: false, kind: 'auth', status: 403, reason: '403 Forbidden' };
const timers = { retryMinMs: 1000, retryMaxMs: 8000, heartbeatMs: 30_000, heartbeatMisses: 2 };

function setup(agent: (c: FakeClock) => ScriptedAgent, registrars = 1) {
  const clock = new FakeClock();
  const a = agent(clock);
  const c = new RegistrationController(a, registrars, clock, timers, () => 0.5);
  const states: RegistrationState[] = [];
  c.events.on('state', (s) => states.push(s));
  return { clock, agent: a, controller: c, states };
}

describe('RegistrationController', () => {
  test('registers at start and heartbeats while registered', async () => {
    const { clock, agent, controller, states } = setup((c) => new ScriptedAgent(c, [ok]));
    controller.start();
    await drain();
    assert.deepEqual(states, ['registered']);
    await clock.advanceAsync(61_000);
    assert.equal(agent.calls.filter((c) => c.what === 'probe').length, 2);
    assert.equal(controller.state, 'registered');
  });

  test('retries a failed registration with exponential backoff capped at retryMaxMs', async () => {
    const { clock, agent, controller, states } = setup((c) => new ScriptedAgent(c, [forbidden, forbidden, forbidden, forbidden, forbidden, ok]));
    controller.start();
    await clock.advanceAsync(40_000);
    assert.deepEqual(agent.registers().map((r) => r.at), [0, 1000, 3000, 7000, 15000, 23000]);
    assert.equal(states.at(-1), 'registered');
    assert.equal(states.filter((s) => s === 'failed').length, 5);
  });

  test('an auth failure does not switch registrar; an unreachable one moves to the next backup, in order', async () => {
    const { clock, agent, controller } = setup((c) => new ScriptedAgent(c, [forbidden, timeout, timeout, ok]), 3);
    const failedAt: number[] = [];
    controller.events.on('state', (s, d) => s === 'failed' && failedAt.push(d.registrar));
    controller.start();
    await clock.advanceAsync(20_000);
    assert.deepEqual(agent.registers().map((r) => r.index), [0, 0, 1, 2]);
    assert.deepEqual(failedAt, [0, 0, 1], 'each failure names the registrar that failed');
    assert.equal(controller.registrar, 2);
    assert.equal(controller.state, 'registered');
  });

  test('honours Retry-After when it is longer than the backoff', async () => {
    const { clock, agent, controller } = setup((c) => new ScriptedAgent(c, [{ ok: false, kind: 'unreachable', status: 503, retryAfterSec: 20, reason: '503' }, ok]));
    controller.start();
    await clock.advanceAsync(25_000);
    assert.deepEqual(agent.registers().map((r) => r.at), [0, 20_000]);
  });

  test('two unanswered heartbeats mark the line down, then it re-registers', async () => {
    const { clock, agent, controller, states } = setup((c) => new ScriptedAgent(c, [ok], [true, false, false, true]));
    controller.start();
    await clock.advanceAsync(95_000);
    assert.deepEqual(states, ['registered', 'down', 'registered']);
    const probes = agent.calls.filter((c) => c.what === 'probe').map((c) => c.at);
    assert.deepEqual(probes.slice(0, 3), [30_000, 60_000, 90_000]);
    assert.equal(agent.registers().at(-1)!.at, 90_000, 're-registers as soon as the line is declared down');
  });

  test('a lost transport marks the line down and reconnects quickly', async () => {
    const { clock, agent, controller, states } = setup((c) => new ScriptedAgent(c, [ok]));
    controller.start();
    await drain();
    controller.transportLost('connection reset');
    assert.equal(controller.state, 'down');
    await clock.advanceAsync(1000);
    assert.deepEqual(states, ['registered', 'down', 'registered']);
    assert.equal(agent.calls.filter((c) => c.what === 'connect').length, 2);
  });

  test('a connect failure counts as unreachable and backs off', async () => {
    const { clock, agent, controller, states } = setup((c) => new ScriptedAgent(c, [ok], [true], true));
    controller.start();
    await clock.advanceAsync(3_500);
    assert.deepEqual(agent.calls.filter((c) => c.what === 'connect').map((c) => c.at), [0, 1000, 3000]);
    assert.deepEqual(states, ['failed', 'failed', 'failed']);
    agent.connectFails = false;
    await clock.advanceAsync(5_000);
    assert.equal(controller.state, 'registered');
  });

  test('a refresh failure (registration lost) retries', async () => {
    const { clock, controller, states } = setup((c) => new ScriptedAgent(c, [ok]));
    controller.start();
    await drain();
    controller.registrationLost('refresh got 500', 500);
    assert.equal(controller.state, 'failed');
    await clock.advanceAsync(2_000);
    assert.deepEqual(states, ['registered', 'failed', 'registered']);
  });

  test('stop cancels every timer and reports unregistered', async () => {
    const { clock, controller, states } = setup((c) => new ScriptedAgent(c, [forbidden]));
    controller.start();
    await drain();
    controller.stop();
    assert.equal(clock.pendingCount, 0);
    assert.equal(states.at(-1), 'unregistered');
  });

  test('an unreachable target hands over at once to the next DNS target, then to the backup; a full round backs off', async () => {
    const clock = new FakeClock();
    const agent = new ScriptedAgent(clock, [timeout, timeout, timeout, timeout, ok]);
    // Registrar 0 has two DNS targets (the first failure moves to the second), registrar 1 one.
    const left = new Map([[0, 1], [1, 0]]);
    const failovers: number[] = [];
    (agent as RegistrationAgent).failover = (index) => {
      failovers.push(index);
      const n = left.get(index) ?? 0;
      if (n > 0) {
        left.set(index, n - 1);
        return true;
      }
      left.set(index, index === 0 ? 1 : 0); // a new round starts with every target again
      return false;
    };
    const c = new RegistrationController(agent, 2, clock, timers, () => 0.5);
    c.start();
    await clock.advanceAsync(10_000);
    assert.deepEqual(agent.registers(), [
      { at: 0, index: 0 },
      { at: 0, index: 0 }, // the second DNS target of the primary, at once
      { at: 0, index: 1 }, // then the backup, at once
      { at: 1000, index: 0 }, // every target failed: back off, start over
      { at: 1000, index: 0 },
    ]);
    assert.deepEqual(failovers, [0, 0, 1, 0]);
    assert.equal(c.state, 'registered');
  });

  test('a target found failing by another line moves a registered line on at once', async () => {
    const { clock, agent, controller, states } = setup((c) => new ScriptedAgent(c, [ok]));
    controller.start();
    await drain();
    controller.targetFailed('udp:192.0.2.1:5060 failed for another line');
    assert.equal(controller.state, 'down');
    await clock.advanceAsync(0);
    assert.deepEqual(states, ['registered', 'down', 'registered']);
    assert.equal(agent.registers().length, 2);
  });
});
