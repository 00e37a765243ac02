import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HistoryQueries } from '../../../src-main/stats/history-queries.js';
import type { ControlEvent } from '../../../src-main/contract/control-events.js';
import type { CallRecord } from '../../../src-main/stats/call-record.js';
import { CallRecorder } from '../../../src-main/stats/call-recorder.js';
import { CallStore } from '../../../src-main/stats/call-store.js';
import { dispatchHarness } from '../../support/dispatch-harness.js';
import { drain, FakeClock } from '../../support/fake-clock.js';

const EPOCH = 1_700_000_000_000;

/** A recorder over an in-memory store; `feed` plays events, `at` moves the clock to t ms. */
function recorder() {
  const clock = new FakeClock(0, EPOCH);
  const store = CallStore.open(':memory:');
  const ended: CallRecord[] = [];
  let saves = 0;
  const rec = new CallRecorder({
    sink: {
      nextCallId: () => store.nextCallId(),
      save: (r) => {
        saves++;
        store.saveCall(r);
      },
    },
    now: () => clock.wallNow(),
    lineNumbers: new Map([
      ['l1', '200'],
      ['l2', '201'],
    ]),
    onAnsweredCallEnded: (r) => ended.push(r),
    isAgentLine: (line) => !line.startsWith('s'),
  });
  const feed = (...events: ControlEvent[]): void => events.forEach((e) => rec.onEvent(e));
  const at = (ms: number): void => clock.advance(ms - clock.now());
  const read = (call: string): CallRecord => {
    const r = store.readCall(call);
    assert.ok(r, `a record for ${call}`);
    return r;
  };
  return { clock, store, rec, feed, at, read, ended, saves: () => saves };
}

const offered = (call: string, line: string, attempt: number, extra: { from?: string; fromName?: string; to?: string } = {}): ControlEvent => {
  const e: ControlEvent = { event: 'call.offered', call, line, from: extra.from ?? '5551234', to: extra.to ?? '600', attempt };
  if (extra.fromName) e.fromName = extra.fromName;
  return e;
};

describe('CallRecorder: one record per call, from scripted events', () => {
  test('answered: times, hold (local and remote overlapping count once), talk without hold, worst and last quality', () => {
    const h = recorder();
    h.feed(offered('c1', 'l1', 1, { fromName: 'Ada' }));
    h.at(3_000);
    h.feed({ event: 'call.answered', call: 'c1', line: 'l1' });
    h.at(10_000);
    h.feed({ event: 'call.held', call: 'c1', line: 'l1', on: true, by: 'local' });
    h.at(12_000);
    h.feed({ event: 'call.held', call: 'c1', line: 'l1', on: true, by: 'remote' });
    h.at(15_000);
    h.feed({ event: 'call.held', call: 'c1', line: 'l1', on: false, by: 'local' });
    h.at(20_000);
    h.feed({ event: 'call.held', call: 'c1', line: 'l1', on: false, by: 'remote' }); // held 10 s..20 s
    h.feed({ event: 'call.quality', call: 'c1', line: 'l1', codec: 'PCMA', lossPct: 0.5, jitterMs: 12, mos: 4.2, rttMs: 40 });
    h.feed({ event: 'call.quality', call: 'c1', line: 'l1', codec: 'PCMA', lossPct: 3, jitterMs: 30, mos: 3.1 });
    h.feed({ event: 'call.quality', call: 'c1', line: 'l1', codec: 'PCMA', lossPct: 1, jitterMs: 8, mos: 3.9 });
    h.at(63_000);
    h.feed({ event: 'call.ended', call: 'c1', line: 'l1', reason: 'remote-hangup', code: 200, talkMs: 60_000 });

    const r = h.read('c1');
    assert.equal(r.disposition, 'answered');
    assert.equal(r.direction, 'in');
    assert.deepEqual([r.line, r.from, r.fromName, r.to], ['l1', '5551234', 'Ada', '600']);
    assert.deepEqual([r.offeredAt, r.answeredAt, r.endedAt], [EPOCH, EPOCH + 3_000, EPOCH + 63_000]);
    assert.equal(r.holdMs, 10_000); // 20 s − 10 s
    assert.equal(r.talkMs, 50_000); // talkMs 60 s − 10 s hold
    assert.equal(r.holdSince, null);
    assert.deepEqual(r.quality, { codec: 'PCMA', mosLast: 3.9, mosWorst: 3.1, lossLast: 1, lossWorst: 3, jitterLast: 8, jitterWorst: 30, rttLast: 40, encrypted: null });
    assert.deepEqual(
      r.attempts.map((a) => [a.line, a.attempt, a.offeredAt, a.endedAt, a.outcome]),
      [['l1', 1, EPOCH, EPOCH + 3_000, 'answered']],
    );
    assert.deepEqual([r.endReason, r.endCode], ['remote-hangup', 200]);
    assert.equal(h.ended.length, 1, 'wrap-up is told about the answered call');
    assert.equal(h.store.countCalls(), 1);
  });

  test('encrypted: SRTP from the answer on stays encrypted; one report of plain RTP (a re-INVITE without keys) makes the record not encrypted', () => {
    const h = recorder();
    const quality = (call: string, encrypted: boolean): ControlEvent => ({ event: 'call.quality', call, line: 'l1', codec: 'PCMU', lossPct: 0, jitterMs: 1, mos: 4.3, encrypted });
    for (const call of ['srtp', 'dropped']) {
      h.feed(offered(call, 'l1', 1));
      h.feed({ event: 'call.answered', call, line: 'l1', encrypted: true });
    }
    h.feed(quality('srtp', true));
    h.feed(quality('dropped', false));
    h.feed(quality('dropped', true));
    for (const call of ['srtp', 'dropped']) h.feed({ event: 'call.ended', call, line: 'l1', reason: 'remote-hangup', code: 200 });
    assert.equal(h.read('srtp').quality.encrypted, true);
    assert.equal(h.read('dropped').quality.encrypted, false);
    assert.deepEqual(new HistoryQueries(h.store.db).history().map((v) => [v.call, v.encrypted]).sort(), [['dropped', false], ['srtp', true]]);
  });

  test('declined on line 1, then answered on line 2: answered, with one declined attempt', () => {
    const h = recorder();
    h.feed(offered('c1', 'l1', 1));
    h.at(2_000);
    h.feed({ event: 'call.offer.ended', call: 'c1', line: 'l1', attempt: 1, reason: 'declined', detail: 'busy with a customer' });
    h.feed(offered('c1', 'l2', 2));
    h.at(5_000);
    h.feed({ event: 'call.answered', call: 'c1', line: 'l2' });
    h.at(35_000);
    h.feed({ event: 'call.ended', call: 'c1', line: 'l2', reason: 'local-hangup', code: 200, talkMs: 30_000 });
    const r = h.read('c1');
    assert.equal(r.disposition, 'answered');
    assert.equal(r.declineReason, null);
    assert.equal(r.line, 'l2');
    assert.deepEqual(
      r.attempts.map((a) => [a.seq, a.line, a.attempt, a.outcome, a.detail, a.endedAt! - a.offeredAt]),
      [
        [1, 'l1', 1, 'declined', 'busy with a customer', 2_000],
        [2, 'l2', 2, 'answered', null, 3_000],
      ],
    );
    assert.equal(h.store.countCalls(), 1, 'still one record');
  });

  test('every offer timed out, then 480: missed', () => {
    const h = recorder();
    h.feed(offered('c1', 'l1', 1));
    h.at(15_000);
    h.feed({ event: 'call.offer.ended', call: 'c1', line: 'l1', attempt: 1, reason: 'timeout' }, offered('c1', 'l2', 2));
    h.at(30_000);
    h.feed(
      { event: 'call.offer.ended', call: 'c1', line: 'l2', attempt: 2, reason: 'timeout' },
      { event: 'call.rejected', call: 'c1', code: 480, reason: 'no line left' },
      { event: 'call.ended', call: 'c1', line: 'l2', reason: 'rejected', code: 480, detail: 'no line left' },
    );
    const r = h.read('c1');
    assert.equal(r.disposition, 'missed');
    assert.deepEqual(r.attempts.map((a) => a.outcome), ['timeout', 'timeout']);
    assert.deepEqual([r.endReason, r.endCode, r.endDetail], ['rejected', 480, 'no line left']);
    assert.equal(r.answeredAt, null);
    assert.equal(h.ended.length, 0);
  });

  test('declined on line 1, timed out on line 2: the last offer decides (missed); declined everywhere: declined with the last reason', () => {
    const h = recorder();
    h.feed(offered('c1', 'l1', 1), { event: 'call.offer.ended', call: 'c1', line: 'l1', attempt: 1, reason: 'declined', detail: 'lunch' }, offered('c1', 'l2', 2));
    h.at(15_000);
    h.feed({ event: 'call.offer.ended', call: 'c1', line: 'l2', attempt: 2, reason: 'timeout' }, { event: 'call.ended', call: 'c1', line: 'l2', reason: 'rejected', code: 480 });
    assert.equal(h.read('c1').disposition, 'missed');

    h.feed(offered('c2', 'l1', 1), { event: 'call.offer.ended', call: 'c2', line: 'l1', attempt: 1, reason: 'declined', detail: 'first' });
    h.feed(offered('c2', 'l2', 2), { event: 'call.offer.ended', call: 'c2', line: 'l2', attempt: 2, reason: 'declined', detail: 'second' });
    h.feed({ event: 'call.ended', call: 'c2', line: 'l2', reason: 'rejected', code: 480 });
    const r = h.read('c2');
    assert.deepEqual([r.disposition, r.declineReason], ['declined', 'second']);
  });

  test('CANCEL while queued: abandoned, never offered, its queue wait kept; the parties learnt from call.queued', () => {
    const h = recorder();
    h.feed({ event: 'call.queued', call: 'q1', position: 1, from: '5559876', to: '600' });
    h.at(8_000);
    h.feed({ event: 'call.ended', call: 'q1', reason: 'caller-cancelled', code: 487, queuedMs: 8_000 });
    const r = h.read('q1');
    assert.deepEqual([r.disposition, r.line, r.attempts.length, r.queuedMs, r.from, r.to], ['abandoned', null, 0, 8_000, '5559876', '600']);
  });

  test('queued without parties, then offered: the offer fills them in; CANCEL while ringing is abandoned too', () => {
    const h = recorder();
    h.feed({ event: 'call.queued', call: 'q2', position: 2 });
    h.at(4_000);
    h.feed({ event: 'call.dequeued', call: 'q2', waitedMs: 4_000 }, offered('q2', 'l1', 1, { from: '777', to: '601' }));
    h.at(6_000);
    h.feed({ event: 'call.offer.ended', call: 'q2', line: 'l1', attempt: 1, reason: 'caller-cancelled' }, { event: 'call.ended', call: 'q2', line: 'l1', reason: 'caller-cancelled', code: 487 });
    const r = h.read('q2');
    assert.deepEqual([r.disposition, r.from, r.to, r.queuedMs, r.offeredAt], ['abandoned', '777', '601', 4_000, EPOCH]);
    assert.deepEqual(r.attempts.map((a) => a.outcome), ['caller-cancelled']);
  });

  test('CANCEL with cause=200: answered elsewhere, not missed', () => {
    const h = recorder();
    h.feed(offered('c1', 'l1', 1));
    h.at(4_000);
    h.feed(
      { event: 'call.offer.ended', call: 'c1', line: 'l1', attempt: 1, reason: 'answered-elsewhere' },
      { event: 'call.answered_elsewhere', call: 'c1', line: 'l1' },
      { event: 'call.ended', call: 'c1', line: 'l1', reason: 'answered-elsewhere', code: 487, detail: 'SIP;cause=200;text="Call completed elsewhere"' },
    );
    const r = h.read('c1');
    assert.equal(r.disposition, 'answered-elsewhere');
    assert.deepEqual(r.attempts.map((a) => a.outcome), ['answered-elsewhere']);
  });

  test('CANCEL from a PBX ring timeout (a hunt group moving on): missed, not abandoned', () => {
    const h = recorder();
    h.feed(offered('c1', 'l1', 1));
    h.at(3_000);
    h.feed({ event: 'call.offer.ended', call: 'c1', line: 'l1', attempt: 1, reason: 'timeout' }, { event: 'call.ended', call: 'c1', line: 'l1', reason: 'ring-timeout', code: 487 });
    const r = h.read('c1');
    assert.equal(r.disposition, 'missed');
    assert.deepEqual(r.attempts.map((a) => a.outcome), ['timeout']);
  });

  test('failed: the answer could not be sent', () => {
    const h = recorder();
    h.feed(offered('c1', 'l1', 1), { event: 'call.ended', call: 'c1', line: 'l1', reason: 'failed', code: 488, detail: 'no common codec' });
    const r = h.read('c1');
    assert.deepEqual([r.disposition, r.endCode, r.endDetail], ['failed', 488, 'no common codec']);
    assert.deepEqual(r.attempts.map((a) => a.outcome), ['failed'], 'the open offer is closed by the end');
  });

  test('calls refused without an offer (a fork, every line paused) get no record', () => {
    const h = recorder();
    h.feed(
      { event: 'call.rejected', call: 'f1', line: 'l2', code: 486, reason: 'fork' },
      { event: 'call.rejected', call: 'p1', code: 480, reason: 'no line available' },
      { event: 'call.ended', call: 'p1', reason: 'rejected', code: 480 },
    );
    assert.equal(h.store.countCalls(), 0);
    assert.equal(h.saves(), 0);
  });

  test('calls first offered to a service line (auto-answer), or dialled from one, are not the agent’s: no record', () => {
    const h = recorder();
    h.feed(offered('e1', 's1', 1), { event: 'call.answered', call: 'e1', line: 's1' }, { event: 'call.ended', call: 'e1', line: 's1', reason: 'remote-hangup', code: 200 });
    h.feed({ event: 'call.dialing', call: 'e2', line: 's1', to: '9' }, { event: 'call.ended', call: 'e2', line: 's1', reason: 'failed', code: 503 });
    assert.equal(h.store.countCalls(), 0);
    assert.equal(h.ended.length, 0);
  });

  test('queued, then the queue gave up (486): rejected', () => {
    const h = recorder();
    h.feed({ event: 'call.queued', call: 'q1', position: 1 });
    h.at(60_000);
    h.feed({ event: 'call.rejected', call: 'q1', code: 486, reason: 'queue-timeout' }, { event: 'call.ended', call: 'q1', reason: 'rejected', code: 486, queuedMs: 60_000 });
    assert.equal(h.read('q1').disposition, 'rejected');
  });

  test('outbound: direction out, from the line’s own number, answered', () => {
    const h = recorder();
    h.feed({ event: 'call.dialing', call: 'o1', line: 'l2', to: '5550000' }, { event: 'call.progress', call: 'o1', line: 'l2', code: 180 });
    h.at(4_000);
    h.feed({ event: 'call.answered', call: 'o1', line: 'l2' });
    h.at(10_000);
    h.feed({ event: 'call.ended', call: 'o1', line: 'l2', reason: 'local-hangup', code: 200, talkMs: 6_000 });
    const r = h.read('o1');
    assert.deepEqual([r.direction, r.from, r.to, r.disposition, r.talkMs, r.attempts.length], ['out', '201', '5550000', 'answered', 6_000, 0]);
    h.feed({ event: 'call.dialing', call: 'o2', line: 'l1', to: '5550001' }, { event: 'call.ended', call: 'o2', line: 'l1', reason: 'failed', code: 486 });
    assert.equal(h.read('o2').disposition, 'failed');
  });

  test('each change is saved as it happens: a call ringing, then up, is in the store at each step', () => {
    const h = recorder();
    h.feed(offered('c1', 'l1', 1));
    assert.deepEqual([h.read('c1').disposition, h.read('c1').attempts[0]?.outcome], ['ringing', null]);
    h.at(1_000);
    h.feed({ event: 'call.answered', call: 'c1', line: 'l1' });
    assert.equal(h.read('c1').disposition, 'active');
    h.feed({ event: 'call.held', call: 'c1', line: 'l1', on: true, by: 'local' });
    assert.equal(h.read('c1').holdSince, EPOCH + 1_000);
    assert.equal(h.rec.liveCount, 1);
  });

  test('a Call-ID seen again after its call ended is a new record', () => {
    const h = recorder();
    h.feed(offered('c1', 'l1', 1), { event: 'call.ended', call: 'c1', line: 'l1', reason: 'caller-cancelled', code: 487 });
    h.feed(offered('c1', 'l1', 1), { event: 'call.answered', call: 'c1', line: 'l1' });
    assert.equal(h.store.countCalls(), 2);
    assert.equal(h.read('c1').disposition, 'active');
  });
});

describe('CallRecorder: sequences from the real dispatcher', () => {
  function replay(events: ControlEvent[]) {
    const h = recorder();
    for (const e of events) h.feed(e);
    return h;
  }

  test('declined on l1, answered on l2', async () => {
    const d = dispatchHarness({ lines: 2, strategy: 'linear' });
    const leg = d.leg('c1', 'l1');
    d.d.onInvite(leg);
    d.d.decline('l1', 'busy');
    d.d.accept('l2');
    await drain();
    leg.remoteBye();
    const r = replay(d.events).read('c1');
    assert.equal(r.disposition, 'answered');
    assert.deepEqual(r.attempts.map((a) => [a.line, a.outcome, a.detail]), [
      ['l1', 'declined', 'busy'],
      ['l2', 'answered', null],
    ]);
  });

  test('ringall: the other line’s offer is taken by the line that answered', async () => {
    const d = dispatchHarness({ lines: 2, strategy: 'ringall' });
    const leg = d.leg('c1', 'l1');
    d.d.onInvite(leg);
    d.d.accept('l2');
    await drain();
    leg.remoteBye();
    const r = replay(d.events).read('c1');
    assert.deepEqual(r.attempts.map((a) => [a.line, a.attempt, a.outcome]), [
      ['l1', 1, 'taken-by-other-line'],
      ['l2', 1, 'answered'],
    ]);
  });

  test('every offer times out: missed', () => {
    const d = dispatchHarness({ lines: 2, offerTimeoutMs: 1_000 });
    d.d.onInvite(d.leg('c1', 'l1'));
    d.clock.advance(2_000);
    const r = replay(d.events).read('c1');
    assert.equal(r.disposition, 'missed');
    assert.equal(r.endCode, 480);
  });

  test('the caller gives up while queued behind a busy line: abandoned', async () => {
    const d = dispatchHarness({ lines: 1 });
    const first = d.leg('c1', 'l1');
    d.d.onInvite(first);
    d.d.accept('l1');
    await drain();
    const waiting = d.leg('c2', 'l1');
    d.d.onInvite(waiting);
    d.clock.advance(5_000);
    waiting.cancel();
    const h = replay(d.events);
    assert.equal(h.read('c2').disposition, 'abandoned');
    assert.equal(h.read('c2').queuedMs, 5_000);
    assert.equal(h.read('c1').disposition, 'active');
  });
});
