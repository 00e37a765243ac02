import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ControlEvent, Stamped } from '../../../src-main/contract/control-events.js';
import { applyEvent, currentCall, deskModelOf, emptyDeskModel, freeLines, referringCall, ringingLines, snapshotOf, type DeskModel } from '../../../src-main/contract/desk-model.js';

let clock = 1_000;
const at = <E extends ControlEvent>(e: E): Stamped<ControlEvent> => ({ ...e, ts: (clock += 10) });

function busyDesk(): Stamped<ControlEvent>[] {
  clock = 1_000;
  return [
    at({ event: 'ready', lines: ['l1', 'l2', 'l3'], transports: [{ protocol: 'udp', local: '127.0.0.1:5060' }] }),
    at({ event: 'line.state', line: 'l1', state: 'registered', registrar: 'sip:pbx' }),
    at({ event: 'line.state', line: 'l2', state: 'registered' }),
    at({ event: 'line.state', line: 'l3', state: 'failed', reason: '401 Unauthorized', status: 401 }),
    at({ event: 'line.dnd', line: 'l2', on: true }),
    at({ event: 'call.offered', call: 'c1', line: 'l1', from: '100', fromName: 'Ann', to: '300', attempt: 1 }),
    at({ event: 'call.answered', call: 'c1', line: 'l1', encrypted: true }),
    at({ event: 'call.held', call: 'c1', line: 'l1', on: true, by: 'local' }),
    at({ event: 'call.quality', call: 'c1', line: 'l1', codec: 'PCMU', lossPct: 0.5, jitterMs: 3, mos: 4.3 }),
    at({ event: 'call.dialing', call: 'c2', line: 'l1', to: '400' }),
    at({ event: 'call.progress', call: 'c2', line: 'l1', code: 180 }),
    at({ event: 'call.offered', call: 'c3', line: 'l2', from: '101', to: '300', attempt: 2 }),
    at({ event: 'call.queued', call: 'c4', position: 1, from: '102', to: '300' }),
    at({ event: 'call.queued', call: 'c5', position: 2, from: '103', to: '300' }),
    at({ event: 'agent.state', state: 'paused', reason: 'lunch', since: 900 }),
  ];
}

const withoutTransient = (m: DeskModel): DeskModel => ({ ...m, lines: m.lines.map(({ lastEnded: _drop, ...l }) => l) });

describe('the desk model', () => {
  test('folds lines, offers, calls, the queue and the agent', () => {
    const m = deskModelOf(busyDesk());
    assert.deepEqual(m.lines.map((l) => [l.id, l.registration, l.dnd]), [['l1', 'registered', false], ['l2', 'registered', true], ['l3', 'failed', false]]);
    assert.equal(m.lines[2]!.reason, '401 Unauthorized');
    const l1 = m.lines[0]!;
    assert.deepEqual(l1.offers, []);
    assert.deepEqual(l1.calls.map((c) => [c.call, c.direction, c.phase, c.held]), [['c1', 'in', 'active', true], ['c2', 'out', 'early', false]]);
    assert.equal(l1.calls[0]!.fromName, 'Ann', 'the caller carries over from the offer');
    assert.equal(currentCall(l1)?.call, 'c2', 'the call not on hold is the current one');
    assert.deepEqual(ringingLines(m).map((r) => r.offer.call), ['c3']);
    assert.deepEqual(m.queue.map((q) => [q.call, q.position]), [['c4', 1], ['c5', 2]]);
    assert.deepEqual(m.agent, { state: 'paused', reason: 'lunch', since: 900 });
  });

  test('whether a call is encrypted comes with its answer and follows each quality report', () => {
    let m = deskModelOf(busyDesk());
    assert.equal(m.lines[0]!.calls[0]!.encrypted, true);
    assert.equal(m.lines[0]!.calls[1]!.encrypted, undefined, 'not known before the answer');
    m = applyEvent(m, at({ event: 'call.quality', call: 'c1', line: 'l1', codec: 'PCMU', lossPct: 0, jitterMs: 2, mos: 4.3, encrypted: false }));
    assert.equal(m.lines[0]!.calls[0]!.encrypted, false, 'a re-INVITE without keys');
    assert.equal(deskModelOf(snapshotOf(m, 99_999)).lines[0]!.calls[0]!.encrypted, false, 'the snapshot carries it');
  });

  test('recording: the lines that record come with ready, the file being recorded shows on its call, and a snapshot keeps both', () => {
    let m = deskModelOf([at({ event: 'ready', lines: ['l1', 'l2'], transports: [], recording: { l1: 'on-demand' } }), ...busyDesk().slice(1)]);
    assert.equal(m.lines[0]!.recording, 'on-demand');
    assert.equal(applyEvent(m, at({ event: 'ready', lines: ['l1'], transports: [] })).lines[0]!.recording, undefined, 'a ready without it: recording is off');
    m = applyEvent(m, at({ event: 'ready', lines: ['l1', 'l2', 'l3'], transports: [], recording: { l1: 'on-demand', l3: 'all' } }));
    assert.deepEqual(m.lines.map((l) => l.recording), ['on-demand', undefined, 'all']);
    m = applyEvent(m, at({ event: 'recording.started', call: 'c1', line: 'l1', file: '/r/a.wav' }));
    assert.equal(m.lines[0]!.calls[0]!.recording, '/r/a.wav');
    const again = deskModelOf(snapshotOf(m, 99_999));
    assert.equal(again.lines[0]!.calls[0]!.recording, '/r/a.wav');
    assert.deepEqual(again.lines.map((l) => l.recording), ['on-demand', undefined, 'all']);
    m = applyEvent(m, at({ event: 'recording.stopped', call: 'c1', line: 'l1', file: '/r/other.wav' }));
    assert.equal(m.lines[0]!.calls[0]!.recording, '/r/a.wav', 'another file stopping leaves it');
    m = applyEvent(m, at({ event: 'recording.stopped', call: 'c1', line: 'l1', file: '/r/a.wav' }));
    assert.equal(m.lines[0]!.calls[0]!.recording, undefined);
  });

  test('a snapshot folded into an empty model gives the same model', () => {
    const m = deskModelOf(busyDesk());
    const again = deskModelOf(snapshotOf(m, 99_999));
    assert.deepEqual(withoutTransient(again), withoutTransient(m));
  });

  test('an offer that moves on, a call that ends and a dequeued call leave the model', () => {
    let m = deskModelOf(busyDesk());
    m = applyEvent(m, at({ event: 'call.offer.ended', call: 'c3', line: 'l2', attempt: 2, reason: 'declined', detail: 'busy' }));
    assert.deepEqual(m.lines[1]!.offers, []);
    assert.deepEqual(m.lines[1]!.lastEnded?.reason, 'declined');
    m = applyEvent(m, at({ event: 'call.ended', call: 'c1', reason: 'remote-hangup', code: 200, talkMs: 5000 }));
    assert.deepEqual(m.lines[0]!.calls.map((c) => c.call), ['c2'], 'found without a line in the event');
    m = applyEvent(m, at({ event: 'call.dequeued', call: 'c4', waitedMs: 100 }));
    m = applyEvent(m, at({ event: 'call.offered', call: 'c5', line: 'l2', from: '103', to: '300', attempt: 1 }));
    assert.deepEqual(m.queue, [], 'an offered call is no longer queued');
  });

  test('a status answer resynchronises lines and the queue', () => {
    const m = applyEvent(
      deskModelOf(busyDesk()),
      at({
        event: 'status',
        lines: [{ line: 'l1', aor: 'sip:300@pbx', state: 'down', dnd: false, paused: false, calls: [{ call: 'c9', state: 'ringing', from: '7', to: '300' }] }],
        queue: [],
      }),
    );
    const l1 = m.lines[0]!;
    assert.equal(l1.registration, 'down');
    assert.deepEqual(l1.offers.map((o) => o.call), ['c9']);
    assert.deepEqual(l1.calls, []);
    assert.deepEqual(m.queue, []);
  });

  test('free lines are the registered ones with nothing ringing or up, in config order', () => {
    const desk = busyDesk();
    assert.deepEqual(freeLines(deskModelOf(desk)).map((l) => l.id), [], 'l1 has calls, l2 rings, l3 is not registered');
    const later = deskModelOf([...desk, at({ event: 'call.answered_elsewhere', call: 'c3', line: 'l2' }), at({ event: 'line.state', line: 'l3', state: 'registered' })]);
    assert.deepEqual(freeLines(later).map((l) => l.id), ['l2', 'l3']);
  });

  test("a REFER waiting for the agent shows on its call until it ends, and survives a window's snapshot", () => {
    const events = [...busyDesk(), at({ event: 'call.refer', call: 'c1', line: 'l1', target: 'sip:999@pbx', referredBy: 'sip:100@pbx' })];
    const m = deskModelOf(events);
    const l1 = m.lines[0]!;
    assert.deepEqual(referringCall(l1)?.call, 'c1');
    assert.deepEqual(l1.calls[0]!.refer, { target: 'sip:999@pbx', referredBy: 'sip:100@pbx', since: events.at(-1)!.ts });
    assert.deepEqual(deskModelOf(snapshotOf(m, 5_000)).lines, m.lines.map((l) => ({ ...l })));
    const done = applyEvent(m, at({ event: 'call.refer.ended', call: 'c1', line: 'l1', target: 'sip:999@pbx', outcome: 'declined', code: 603 }));
    assert.equal(referringCall(done.lines[0]!), undefined);
    assert.equal('refer' in done.lines[0]!.calls[0]!, false);
    // a REFER refused without asking (no call.refer before it) changes nothing shown
    assert.equal(applyEvent(done, at({ event: 'call.refer.ended', call: 'c1', line: 'l1', target: 'x', outcome: 'refused', code: 603 })), done);
  });

  test('events for nothing shown leave the model untouched', () => {
    const m = deskModelOf(busyDesk());
    assert.equal(applyEvent(m, at({ event: 'error', message: 'x' })), m);
    assert.equal(applyEvent(m, at({ event: 'call.muted', call: 'nope', line: 'l1', on: true })), m);
    assert.deepEqual(emptyDeskModel.lines, []);
  });
});
