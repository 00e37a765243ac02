import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dispatchHarness } from '../../support/dispatch-harness.js';
import { drain } from '../../support/fake-clock.js';

describe('Dispatcher: claim by Call-ID', () => {
  test('the first fork is kept and offered; later forks of the same Call-ID get 486 naming the line that holds it (the Reason header itself is checked on the wire in test/integration/dispatch)', () => {
    const h = dispatchHarness({ lines: 3 });
    const a = h.leg('c1', 'l1');
    const b = h.leg('c1', 'l2');
    const c = h.leg('c1', 'l3');
    h.d.onInvite(b);
    h.d.onInvite(a);
    h.d.onInvite(c);
    assert.deepEqual(b.actions, ['180']);
    assert.deepEqual(a.actions, ['486']);
    assert.deepEqual(c.actions, ['486']);
    assert.equal(a.end?.reason, 'rejected');
    assert.match(a.end?.detail ?? '', /taken by line l1/);
    assert.deepEqual(
      h.named('call.rejected').map((e) => [e.line, e.code, e.reason]),
      [
        ['l1', 486, 'fork'],
        ['l3', 486, 'fork'],
      ],
    );
    assert.equal(h.named('call.offered').length, 1);
  });

  test('an offer the media cannot take is refused with 488 and its Warning before anything rings; call.rejected carries the code and why; later forks get 486', () => {
    const h = dispatchHarness({
      lines: 2,
      screen: (leg) => (leg.callId === 'c1' ? { code: 488, reason: 'srtp-refused', detail: 'm= line 1 asks for SRTP (RTP/SAVP); encryption is off for this line', warning: { code: 302, text: 'SRTP refused' } } : undefined),
    });
    const a = h.leg('c1', 'l2');
    h.d.onInvite(a);
    assert.deepEqual(a.actions, ['488 (Warning: 302 SRTP refused)']);
    assert.deepEqual(h.trace(), ['call.rejected c1 l2 srtp-refused', 'call.ended c1 rejected']);
    const rejected = h.named('call.rejected')[0]!;
    assert.equal(rejected.code, 488);
    assert.match(rejected.detail ?? '', /encryption is off/);
    assert.deepEqual([h.named('call.ended')[0]?.code, h.named('call.ended')[0]?.detail], [488, 'm= line 1 asks for SRTP (RTP/SAVP); encryption is off for this line']);
    const fork = h.leg('c1', 'l1');
    h.d.onInvite(fork);
    assert.deepEqual(fork.actions, ['486']);
    const b = h.leg('c2', 'l1');
    h.d.onInvite(b);
    assert.deepEqual(b.actions, ['180'], 'an acceptable offer rings as before');
  });

  test('a fork arriving after the call ended is still refused', () => {
    const h = dispatchHarness();
    const a = h.leg('c1', 'l1');
    h.d.onInvite(a);
    a.cancel();
    const late = h.leg('c1', 'l2');
    h.d.onInvite(late);
    assert.deepEqual(late.actions, ['486']);
  });
});

describe('Dispatcher: a serial hunt brings a call back', () => {
  test('after the PBX rang it out on one line, the same Call-ID on another line is a new offer, never to the line that let it ring', () => {
    const h = dispatchHarness({ lines: 3 });
    const first = h.leg('c1', 'l1', '601');
    h.d.onInvite(first);
    assert.deepEqual(h.named('call.offered').map((e) => e.line), ['l1']);
    first.ringOut();
    assert.equal(h.named('call.ended')[0]?.reason, 'ring-timeout');
    assert.deepEqual(h.named('call.offer.ended').map((e) => [e.line, e.reason]), [['l1', 'timeout']]);
    // The hunt moves on (another device), then comes back to this desk on line 3.
    h.clock.advance(3_000);
    const again = h.leg('c1', 'l3', '601');
    h.d.onInvite(again);
    assert.deepEqual(again.actions, ['180'], 'offered, not refused as a late fork');
    assert.deepEqual(h.named('call.offered').map((e) => e.line), ['l1', 'l2'], 'linear picks l2: l1 let it ring out');
  });

  test('a call that was cancelled by its caller, answered elsewhere or refused still refuses its late forks', () => {
    const h = dispatchHarness({ lines: 2 });
    const a = h.leg('c1', 'l1');
    h.d.onInvite(a);
    a.cancel(true);
    const late = h.leg('c1', 'l2');
    h.d.onInvite(late);
    assert.deepEqual(late.actions, ['486']);
  });

  test('when only the line that let it ring out is left, the returning call is refused (480) so the PBX hunts on', () => {
    const h = dispatchHarness({ lines: 1 });
    const first = h.leg('c1', 'l1', '601');
    h.d.onInvite(first);
    first.ringOut();
    const again = h.leg('c1', 'l1', '601');
    h.d.onInvite(again);
    assert.deepEqual(again.actions, ['480']);
    assert.equal(h.named('call.rejected').at(-1)?.reason, 'no line left');
  });
});

describe('Dispatcher: offers', () => {
  test('accept answers the call on the line it was offered to', async () => {
    const h = dispatchHarness();
    const a = h.leg('c1');
    h.d.onInvite(a);
    assert.equal(h.d.accept('l2'), 'line l2 has no call ringing');
    assert.equal(h.d.accept('l1'), undefined);
    await drain();
    assert.deepEqual(a.actions, ['180', '200']);
    assert.deepEqual(h.trace(), ['call.offered c1 l1', 'call.answered c1 l1']);
    a.remoteBye();
    assert.equal(h.named('call.ended')[0]?.reason, 'remote-hangup');
    assert.equal(h.named('call.ended')[0]?.line, 'l1');
  });

  test('decline moves the call to the next line at once, with the attempt number; a line never gets it twice', () => {
    const h = dispatchHarness({ lines: 3 });
    const a = h.leg('c1');
    h.d.onInvite(a);
    h.d.decline('l1', 'on a break');
    h.d.decline('l2');
    assert.deepEqual(
      h.named('call.offered').map((e) => [e.line, e.attempt]),
      [
        ['l1', 1],
        ['l2', 2],
        ['l3', 3],
      ],
    );
    assert.equal(h.named('call.offer.ended')[0]?.detail, 'on a break');
    h.d.decline('l3');
    assert.deepEqual(a.actions, ['180', '480'], 'no line left: 480 Temporarily Unavailable');
    assert.deepEqual(h.trace().slice(-2), ['call.rejected c1 no line left', 'call.ended c1 l3 rejected']);
  });

  test('an unanswered offer times out after offerTimeoutMs, to the millisecond, and moves on', () => {
    const h = dispatchHarness({ lines: 2, offerTimeoutMs: 1234 });
    h.d.onInvite(h.leg('c1'));
    h.clock.advance(1233);
    assert.equal(h.named('call.offered').length, 1);
    h.clock.advance(1);
    assert.deepEqual(h.trace(), ['call.offered c1 l1', 'call.offer.ended c1 l1 timeout', 'call.offered c1 l2']);
  });

  test('ringall offers to every idle line at once; the first accept wins and the others stop ringing', async () => {
    const h = dispatchHarness({ lines: 3, strategy: 'ringall' });
    const a = h.leg('c1');
    h.d.onInvite(a);
    assert.deepEqual(
      h.named('call.offered').map((e) => [e.line, e.attempt]),
      [
        ['l1', 1],
        ['l2', 1],
        ['l3', 1],
      ],
    );
    assert.equal(h.d.accept('l2'), undefined);
    assert.match(h.d.accept('l3') ?? '', /no call ringing/, 'the second accept is refused');
    await drain();
    assert.deepEqual(
      h.named('call.offer.ended').map((e) => [e.line, e.reason]),
      [
        ['l1', 'taken-by-other-line'],
        ['l3', 'taken-by-other-line'],
      ],
    );
    assert.deepEqual(a.actions, ['180', '200']);
    assert.equal(h.named('call.answered')[0]?.line, 'l2');
  });

  test('auto-answer lines accept by themselves after autoAnswerMs', async () => {
    const h = dispatchHarness({ lines: [{ id: 'svc', autoAnswerMs: 250, maxCalls: 10 }] });
    const a = h.leg('c1', 'svc');
    h.d.onInvite(a);
    h.clock.advance(249);
    assert.deepEqual(a.actions, ['180']);
    h.clock.advance(1);
    await drain();
    assert.deepEqual(a.actions, ['180', '200']);
  });

  test('a CANCEL with cause=200 while ringing is answered elsewhere, not missed', () => {
    const h = dispatchHarness();
    const a = h.leg('c1');
    h.d.onInvite(a);
    a.cancel(true);
    assert.deepEqual(h.trace(), ['call.offered c1 l1', 'call.offer.ended c1 l1 answered-elsewhere', 'call.answered_elsewhere c1 l1', 'call.ended c1 l1 answered-elsewhere']);
  });

  test('a failed answer ends the call and frees the line', async () => {
    const h = dispatchHarness({ lines: 1 });
    const a = h.leg('c1');
    a.failAccept = true;
    h.d.onInvite(a);
    h.d.accept('l1');
    await drain();
    assert.equal(h.named('call.ended')[0]?.reason, 'failed');
    const b = h.leg('c2');
    h.d.onInvite(b);
    assert.deepEqual(b.actions, ['180'], 'the line takes the next call');
  });
});

describe('Dispatcher: eligibility', () => {
  test('down, DND and full lines are never offered a call', () => {
    const h = dispatchHarness({ lines: 4 });
    h.d.setRegistration('l1', 'failed');
    h.d.setRegistration('l2', 'down');
    h.d.setDnd('l3', true);
    h.d.onInvite(h.leg('c1'));
    assert.deepEqual(h.named('call.offered').map((e) => e.line), ['l4']);
    h.d.onInvite(h.leg('c2'));
    assert.deepEqual(h.trace().slice(-1), ['call.queued c2 #1'], 'l4 is busy: queue');
  });

  test('with no eligible line at all the caller gets 480 at once', () => {
    const h = dispatchHarness({ lines: 2, registered: false });
    const a = h.leg('c1');
    h.d.onInvite(a);
    assert.deepEqual(a.actions, ['480']);
    assert.equal(h.named('call.rejected')[0]?.reason, 'no line available');
  });

  test('turning DND off serves the queue', () => {
    const h = dispatchHarness({ lines: 2 });
    h.d.setDnd('l2', true);
    h.d.onInvite(h.leg('c1'));
    const b = h.leg('c2');
    h.d.onInvite(b);
    assert.deepEqual(b.actions, ['182']);
    h.d.setDnd('l2', false);
    assert.deepEqual(b.actions, ['182', '180']);
    assert.deepEqual(h.trace().slice(-3), ['line.dnd l2', 'call.dequeued c2', 'call.offered c2 l2']);
  });
});

describe('Dispatcher: FIFO queue', () => {
  test('with every line busy calls queue in order (182) and are served in arrival order', async () => {
    const h = dispatchHarness({ lines: 2 });
    const legs = ['c1', 'c2', 'c3', 'c4', 'c5'].map((id) => h.leg(id));
    for (const l of legs) h.d.onInvite(l);
    h.d.accept('l1');
    h.d.accept('l2');
    await drain();
    assert.deepEqual(
      h.named('call.queued').map((e) => [e.call, e.position]),
      [
        ['c3', 1],
        ['c4', 2],
        ['c5', 3],
      ],
    );
    assert.deepEqual(legs[2]!.actions, ['182']);
    legs[1]!.remoteBye(); // l2 frees up
    assert.deepEqual(h.trace().slice(-2), ['call.dequeued c3', 'call.offered c3 l2']);
    legs[0]!.remoteBye();
    assert.deepEqual(h.trace().slice(-2), ['call.dequeued c4', 'call.offered c4 l1']);
  });

  test('a caller who hangs up while queued leaves cleanly: abandoned, position freed', () => {
    const h = dispatchHarness({ lines: 1 });
    h.d.onInvite(h.leg('c1'));
    const b = h.leg('c2');
    const c = h.leg('c3');
    h.d.onInvite(b);
    h.d.onInvite(c);
    h.clock.advance(5_000);
    b.cancel();
    const ended = h.named('call.ended').find((e) => e.call === 'c2')!;
    assert.equal(ended.reason, 'caller-cancelled');
    assert.equal(ended.line, undefined, 'it never reached a line');
    assert.equal(ended.queuedMs, 5_000);
    assert.deepEqual(h.d.status().queue.map((q) => [q.call, q.position]), [['c3', 1]]);
  });

  test('past maxWaitMs the caller gets 486, or a 302 to the overflow URI', async () => {
    const h = dispatchHarness({ lines: 1, queue: { maxWaitMs: 30_000 } });
    h.d.onInvite(h.leg('c1'));
    h.d.accept('l1');
    const b = h.leg('c2');
    h.d.onInvite(b);
    h.clock.advance(29_999);
    assert.deepEqual(b.actions, ['182']);
    h.clock.advance(1);
    assert.deepEqual(b.actions, ['182', '486']);
    assert.equal(h.named('call.rejected').at(-1)?.reason, 'queue-timeout');
    const h2 = dispatchHarness({ lines: 1, queue: { maxWaitMs: 30_000, overflowUri: 'sip:voicemail@pbx' } });
    h2.d.onInvite(h2.leg('c1'));
    h2.d.accept('l1');
    await drain();
    const c = h2.leg('c2');
    h2.d.onInvite(c);
    h2.clock.advance(30_000);
    assert.deepEqual(c.actions, ['182', '302 sip:voicemail@pbx']);
  });

  test('past maxLength the caller gets 486 at once; with maxLength 0 there is no queue', () => {
    const h = dispatchHarness({ lines: 1, queue: { maxLength: 1 } });
    h.d.onInvite(h.leg('c1'));
    h.d.onInvite(h.leg('c2'));
    const c = h.leg('c3');
    h.d.onInvite(c);
    assert.deepEqual(c.actions, ['486']);
    assert.equal(h.named('call.rejected').at(-1)?.reason, 'queue-full');
    const h0 = dispatchHarness({ lines: 1, queue: { maxLength: 0 } });
    h0.d.onInvite(h0.leg('c1'));
    const d = h0.leg('c2');
    h0.d.onInvite(d);
    assert.deepEqual(d.actions, ['486'], 'every line busy: 486');
  });

  test('a declined call whose remaining lines are busy waits in the queue, ahead of later callers', async () => {
    const h = dispatchHarness({ lines: 2 });
    const a = h.leg('c1');
    const b = h.leg('c2');
    h.d.onInvite(a); // l1
    h.d.onInvite(b); // l2
    h.d.accept('l2');
    await drain();
    const c = h.leg('c3');
    h.d.onInvite(c); // queued
    h.d.decline('l1'); // c1 moves on: l2 is busy → it waits, ahead of c3 (it arrived first) …
    assert.deepEqual(h.named('call.queued').map((e) => [e.call, e.position]), [
      ['c3', 1],
      ['c1', 1],
    ]);
    // … while c3, which may still use l1, takes the line the decline freed.
    assert.deepEqual(h.trace().slice(-2), ['call.dequeued c3', 'call.offered c3 l1']);
    assert.deepEqual(h.d.status().queue.map((q) => q.call), ['c1']);
    b.remoteBye();
    assert.deepEqual(h.trace().slice(-2), ['call.dequeued c1', 'call.offered c1 l2']);
  });
});

describe('Dispatcher: which lines a call may reach', () => {
  test('a call dialled to one extension is offered only to lines of that extension', () => {
    const h = dispatchHarness({ lines: 3 });
    const direct = h.leg('c1', 'l2', 'l2'); // the harness AORs are sip:<id>@pbx
    h.d.onInvite(direct);
    assert.deepEqual(h.named('call.offered').map((e) => e.line), ['l2']);
    h.d.decline('l2');
    assert.deepEqual(direct.actions, ['180', '480'], 'no other extension takes it');
  });

  test('a call to a number no line is registered as (a ring group) may go to any line', () => {
    const h = dispatchHarness({ lines: 3 });
    h.d.onInvite(h.leg('c1', 'l3')); // To: 600
    h.d.decline('l1');
    h.d.decline('l2');
    assert.deepEqual(h.named('call.offered').map((e) => e.line), ['l1', 'l2', 'l3']);
  });
});

describe('Dispatcher: the line a call is on', () => {
  test('status shows offered and active calls per line and the queue', async () => {
    const h = dispatchHarness({ lines: 2 });
    h.d.onInvite(h.leg('c1'));
    h.d.onInvite(h.leg('c2'));
    h.d.onInvite(h.leg('c3'));
    h.d.accept('l1');
    await drain();
    const s = h.d.status();
    assert.deepEqual(
      s.lines.map((l) => [l.line, l.calls.map((c) => `${c.call}:${c.state}`)]),
      [
        ['l1', ['c1:active']],
        ['l2', ['c2:ringing']],
      ],
    );
    assert.deepEqual(s.queue.map((q) => q.call), ['c3']);
    assert.equal(h.calls.get('c2')?.line, 'l2');
  });
});
