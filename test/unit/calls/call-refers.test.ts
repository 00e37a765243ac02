import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Call, type CallContext, type ReferHandling } from '../../../src-main/calls/call.js';
import { newDispatchState } from '../../../src-main/calls/call-dispatch.js';
import type { ReferDecision } from '../../../src-main/calls/call-refers.js';
import type { IncomingRefer } from '../../../src-main/calls/incoming-refer.js';
import type { ReferTarget } from '../../../src-main/calls/refer-target.js';
import { reportReferProgress } from '../../../src-main/calls/refer-progress.js';
import { Emitter } from '../../../src-main/common/emitter.js';
import { silentLogger } from '../../../src-main/common/logger.js';
import type { ControlEvent } from '../../../src-main/contract/control-events.js';
import type { LegEvents } from '../../../src-main/calls/leg.js';
import { FakeClock } from '../../support/fake-clock.js';
import { FakeLeg } from '../../support/fake-leg.js';

/** A REFER as the call layer sees it, recording the answers it got. */
class FakeRefer implements IncomingRefer {
  readonly answers: string[] = [];
  readonly target: ReferTarget;
  constructor(
    target: string | { problem: string },
    readonly referTo = typeof target === 'string' ? `<${target}>` : '<sip:x@y?Replaces=1>',
    readonly referredBy?: string,
  ) {
    this.target = typeof target === 'string' ? { ok: true, target } : { ok: false, problem: target.problem };
  }
  accept(): void {
    this.answers.push('202');
  }
  reject(code: number): void {
    this.answers.push(String(code));
  }
  notify(code: number, reason: string): void {
    this.answers.push(`NOTIFY ${code} ${reason}`);
  }
}

type Event<N extends ControlEvent['event']> = Extract<ControlEvent, { event: N }>;

/** An answered inbound call on line l1, whose REFERs `decide` rules on; `carried` lists what was carried out. */
async function answeredCall(decide: (target: string) => ReferDecision = () => ({ kind: 'ask', timeoutMs: 20_000 }), handled = true) {
  const clock = new FakeClock();
  const events: ControlEvent[] = [];
  const carried: string[] = [];
  /** Ends the referred calls placed so far (their `done`). */
  const finished: (() => void)[] = [];
  const handling: ReferHandling = {
    decide: (_call, target) => decide(target),
    carryOut: (_call, _refer, target, done) => {
      carried.push(target);
      finished.push(done);
    },
  };
  const ctx: CallContext = {
    clock,
    log: silentLogger,
    emit: (e) => events.push(e),
    openMedia: () => Promise.reject(new Error('no media in this test')),
    ...(handled ? { referHandling: () => handling } : {}),
  };
  const leg = new FakeLeg('c1', 'l1', '600', () => clock.now());
  const call = Call.inbound(leg, newDispatchState(['l1'], 0), ctx);
  call.ring();
  await call.answer('l1');
  events.length = 0;
  /** The far end sends a REFER in the dialog. */
  const refer = (r: FakeRefer): FakeRefer => (leg.events.emit('refer', r), r);
  const named = <N extends ControlEvent['event']>(name: N): Event<N>[] => events.filter((e): e is Event<N> => e.event === name);
  const endReferredCalls = (): void => finished.splice(0).forEach((done) => done());
  return { clock, events, carried, handling, leg, call, refer, named, endReferredCalls };
}

describe("a call's REFERs (the pending REFER lives on the Call)", () => {
  test('an agent line: the REFER waits for the agent (call.refer) and nothing is called or answered until refer.accept', async () => {
    const t = await answeredCall();
    const r = t.refer(new FakeRefer('sip:999@pbx', '<sip:999@pbx>', 'sip:caller@pbx'));
    assert.deepEqual(r.answers, []);
    assert.deepEqual(t.carried, []);
    assert.deepEqual(t.named('call.refer'), [{ event: 'call.refer', call: 'c1', line: 'l1', target: 'sip:999@pbx', referredBy: 'sip:caller@pbx' }]);
    assert.equal(t.call.refers.pending?.target, 'sip:999@pbx');
    assert.equal(t.call.refers.pending?.referredBy, 'sip:caller@pbx');

    assert.equal(t.call.refers.accept(), 'sip:999@pbx');
    assert.deepEqual(r.answers, ['202']);
    assert.deepEqual(t.carried, ['sip:999@pbx']);
    assert.deepEqual(t.named('call.refer.ended'), [{ event: 'call.refer.ended', call: 'c1', line: 'l1', target: 'sip:999@pbx', outcome: 'accepted', code: 202 }]);
    assert.equal(t.call.refers.pending, undefined);
    assert.throws(() => t.call.refers.accept(), /no REFER waits/);
    assert.throws(() => t.call.refers.decline(), /no REFER waits/);
  });

  test('only one REFER waits per call: a second one gets 491 at once, the first still waits', async () => {
    const t = await answeredCall();
    const first = t.refer(new FakeRefer('sip:1@pbx'));
    const second = t.refer(new FakeRefer('sip:2@pbx'));
    assert.deepEqual(first.answers, []);
    assert.deepEqual(second.answers, ['491']);
    assert.equal(t.call.refers.pending?.target, 'sip:1@pbx');
    assert.deepEqual(
      t.named('call.refer.ended').map((e) => [e.target, e.outcome, e.code]),
      [['sip:2@pbx', 'refused', 491]],
    );
    t.call.refers.decline();
    assert.deepEqual(first.answers, ['603']);
    // with none waiting, the next one is put to the agent again
    t.refer(new FakeRefer('sip:3@pbx'));
    assert.equal(t.call.refers.pending?.target, 'sip:3@pbx');
  });

  test('while a call an earlier REFER asked for is still going, the next REFER gets 491 without asking; once it is over, REFERs are heard again', async () => {
    const t = await answeredCall((target) => ({ kind: 'allow', detail: `allowed ${target}` }));
    const first = t.refer(new FakeRefer('sip:200@pbx'));
    const again = t.refer(new FakeRefer('sip:200@pbx'));
    assert.deepEqual([first.answers, again.answers], [['202'], ['491']]);
    assert.deepEqual(t.carried, ['sip:200@pbx']);
    assert.match(t.named('call.refer.ended').at(-1)!.detail!, /still going/);
    t.endReferredCalls();
    const later = t.refer(new FakeRefer('sip:200@pbx'));
    assert.deepEqual(later.answers, ['202']);
    assert.deepEqual(t.carried, ['sip:200@pbx', 'sip:200@pbx']);
  });

  test('refer.decline answers 603 and calls nobody', async () => {
    const t = await answeredCall();
    const r = t.refer(new FakeRefer('sip:999@pbx'));
    t.call.refers.decline();
    assert.deepEqual(r.answers, ['603']);
    assert.deepEqual(t.carried, []);
    assert.deepEqual(t.named('call.refer.ended').map((e) => [e.outcome, e.code]), [['declined', 603]]);
  });

  test('a REFER nobody answers is declined (603) when its time is up, not before', async () => {
    const t = await answeredCall(() => ({ kind: 'ask', timeoutMs: 20_000 }));
    const r = t.refer(new FakeRefer('sip:999@pbx'));
    t.clock.advance(19_999);
    assert.deepEqual(r.answers, []);
    t.clock.advance(1);
    assert.deepEqual(r.answers, ['603']);
    assert.deepEqual(t.named('call.refer.ended').map((e) => [e.outcome, e.code, e.detail]), [['timeout', 603, 'nobody answered']]);
    assert.equal(t.call.refers.pending, undefined);
    assert.deepEqual(t.carried, []);
  });

  test('the waiting REFER ends with its call: 603 and call.refer.ended before call.ended; later REFERs are refused; its timer is gone', async () => {
    const t = await answeredCall();
    const r = t.refer(new FakeRefer('sip:999@pbx'));
    t.leg.remoteBye();
    assert.deepEqual(r.answers, ['603']);
    assert.deepEqual(
      t.events.filter((e) => e.event.startsWith('call.refer') || e.event === 'call.ended').map((e) => [e.event, 'outcome' in e ? e.outcome : '']),
      [
        ['call.refer', ''],
        ['call.refer.ended', 'call-ended'],
        ['call.ended', ''],
      ],
    );
    assert.equal(t.call.refers.pending, undefined);
    const late = new FakeRefer('sip:1@pbx');
    t.call.refers.receive(late);
    assert.deepEqual(late.answers, ['603']);
    const before = t.events.length;
    t.clock.advance(60_000);
    assert.equal(t.events.length, before, 'no timeout fires after the call ended');
    assert.deepEqual(t.carried, []);
  });

  test('a service line carries out what its allow list names at once, and refuses the rest with 603; nobody is asked', async () => {
    const t = await answeredCall((target) => (target === 'sip:200@pbx' ? { kind: 'allow', detail: 'allowed by sip:200@pbx' } : { kind: 'refuse', detail: 'not allowed' }));
    const ok = t.refer(new FakeRefer('sip:200@pbx'));
    t.endReferredCalls();
    const no = t.refer(new FakeRefer('sip:999@pbx'));
    assert.deepEqual(ok.answers, ['202']);
    assert.deepEqual(no.answers, ['603']);
    assert.deepEqual(t.carried, ['sip:200@pbx']);
    assert.deepEqual(t.named('call.refer'), []);
    assert.deepEqual(
      t.named('call.refer.ended').map((e) => [e.target, e.outcome, e.code, e.detail]),
      [
        ['sip:200@pbx', 'accepted', 202, 'allowed by sip:200@pbx'],
        ['sip:999@pbx', 'refused', 603, 'not allowed'],
      ],
    );
  });

  test('a Refer-To LineDesk will not act on is refused before anyone decides; without a REFER handler every REFER is refused', async () => {
    let asked = 0;
    const t = await answeredCall(() => (asked++, { kind: 'ask', timeoutMs: 1_000 }));
    const r = t.refer(new FakeRefer({ problem: 'the Refer-To carries headers for the INVITE (Replaces)' }));
    assert.deepEqual(r.answers, ['603']);
    assert.equal(asked, 0);
    assert.deepEqual(t.named('call.refer.ended').map((e) => [e.target, e.outcome, e.detail]), [['<sip:x@y?Replaces=1>', 'refused', 'the Refer-To carries headers for the INVITE (Replaces)']]);

    const bare = await answeredCall(undefined, false);
    const r2 = bare.refer(new FakeRefer('sip:999@pbx'));
    assert.deepEqual(r2.answers, ['603']);
    assert.deepEqual(bare.carried, []);
  });

  test('when the referred call cannot be placed, the referrer is told 503 in a final NOTIFY', async () => {
    const t = await answeredCall(() => ({ kind: 'allow', detail: 'ok' }));
    t.handling.carryOut = () => {
      throw new Error('line busy');
    };
    const r = t.refer(new FakeRefer('sip:200@pbx'));
    assert.deepEqual(r.answers, ['202', 'NOTIFY 503 Service Unavailable']);
    t.handling.carryOut = (_call, _refer, _target, done) => done();
    const next = t.refer(new FakeRefer('sip:200@pbx'));
    assert.deepEqual(next.answers, ['202'], 'a failed attempt does not block the next REFER');
  });
});

describe("the referred call's progress, told to the referrer", () => {
  const leg = () => ({ events: new Emitter<LegEvents>() });

  test('one NOTIFY per response after 100 Trying (sent with the 202), the final one last and only once', () => {
    const r = new FakeRefer('sip:200@pbx');
    const l = leg();
    reportReferProgress(r, l);
    l.events.emit('response', 100, 'Trying');
    l.events.emit('response', 180, 'Ringing');
    l.events.emit('response', 200, 'OK');
    l.events.emit('response', 200, 'OK'); // a retransmitted or forked 2xx
    l.events.emit('ended', { reason: 'local-hangup', code: 200 });
    assert.deepEqual(r.answers, ['NOTIFY 180 Ringing', 'NOTIFY 200 OK']);
  });

  test('a refusal is reported as is; a call that ends with no final response reports 487, 408 or 503', () => {
    const refused = new FakeRefer('sip:200@pbx');
    const a = leg();
    reportReferProgress(refused, a);
    a.events.emit('response', 486, 'Busy Here');
    a.events.emit('ended', { reason: 'rejected', code: 486 });
    assert.deepEqual(refused.answers, ['NOTIFY 486 Busy Here']);

    for (const [code, expected] of [
      [487, 'NOTIFY 487 Request Terminated'],
      [408, 'NOTIFY 408 Request Timeout'],
      [0, 'NOTIFY 503 Service Unavailable'],
    ] as const) {
      const r = new FakeRefer('sip:200@pbx');
      const l = leg();
      reportReferProgress(r, l);
      l.events.emit('ended', { reason: 'failed', code });
      assert.deepEqual(r.answers, [expected]);
    }
  });
});
