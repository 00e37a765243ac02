import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Command } from '../../../src-main/contract/commands.js';
import type { ControlEvent } from '../../../src-main/contract/control-events.js';
import { CallNotifications, type CallNotification } from '../../../src-main/electron-main/call-notifications.js';

/** A notification that records what was done to it; `close()` does not report back (the OS does that later, if at all). */
class FakeNotification implements CallNotification {
  shown = false;
  closed = false;
  readonly listeners = new Map<string, (details?: unknown, actionIndex?: number) => void>();
  constructor(readonly title: string) {}
  on(event: 'action', listener: (details: unknown, actionIndex: number) => void): this;
  on(event: 'click' | 'close', listener: () => void): this;
  on(event: string, listener: (details: unknown, actionIndex: number) => void): this {
    this.listeners.set(event, listener as (details?: unknown, actionIndex?: number) => void);
    return this;
  }
  show(): void {
    this.shown = true;
  }
  close(): void {
    this.closed = true;
  }
  emit(event: string, details?: unknown, actionIndex?: number): void {
    this.listeners.get(event)?.(details, actionIndex);
  }
}

function setup(supported = true) {
  const shown: FakeNotification[] = [];
  const executed: Command[] = [];
  const raised: string[] = [];
  const focused: string[] = [];
  const n = new CallNotifications({
    execute: (cmd) => executed.push(cmd),
    bringToFront: (line) => raised.push(line),
    focusLine: (line) => focused.push(line),
    locale: () => 'en',
    notify: (o) => {
      if (!supported) return undefined;
      const f = new FakeNotification(String(o.title));
      shown.push(f);
      return f;
    },
  });
  let ts = 0;
  const send = (e: ControlEvent): void => n.onEvent({ ...e, ts: ++ts });
  const offer = (call: string, line: string, attempt = 1): void => send({ event: 'call.offered', call, line, from: '5550101', to: '300', attempt });
  const open = (): string[] => shown.filter((f) => !f.closed).map((f) => f.title);
  return { shown, executed, raised, focused, send, offer, open };
}

describe('call notifications', () => {
  test('a call rung on several lines has one notification per line; declining on one leaves the others', () => {
    const t = setup();
    t.offer('c1', 'l1');
    t.offer('c1', 'l2');
    assert.deepEqual(t.open(), ['Incoming call on line l1', 'Incoming call on line l2']);
    assert.deepEqual(t.raised, ['l1', 'l2']);
    t.send({ event: 'call.offer.ended', call: 'c1', line: 'l1', attempt: 1, reason: 'declined' });
    assert.deepEqual(t.open(), ['Incoming call on line l2']);
    t.send({ event: 'call.answered', call: 'c1', line: 'l2' });
    assert.deepEqual(t.open(), []);
  });

  test('the end of the call, or its answer elsewhere, closes every line\'s notification of it (and only of it)', () => {
    const t = setup();
    t.offer('c1', 'l1');
    t.offer('c1', 'l2');
    t.offer('c2', 'l3');
    t.send({ event: 'call.answered_elsewhere', call: 'c1' });
    assert.deepEqual(t.open(), ['Incoming call on line l3']);
    t.offer('c3', 'l1');
    t.offer('c3', 'l2');
    t.send({ event: 'call.ended', call: 'c3', reason: 'caller-cancelled', code: 487 });
    assert.deepEqual(t.open(), ['Incoming call on line l3']);
  });

  test('a late "close" of a replaced notification does not forget the newer one', () => {
    const t = setup();
    t.offer('c1', 'l1');
    t.offer('c1', 'l1', 2);
    const [first, second] = t.shown;
    assert.equal(first!.closed, true);
    first!.emit('close');
    t.send({ event: 'call.offer.ended', call: 'c1', line: 'l1', attempt: 2, reason: 'timeout' });
    assert.equal(second!.closed, true);
  });

  test('buttons accept or decline on the notification\'s line; a click focuses the line', () => {
    const t = setup();
    t.offer('c1', 'l1');
    t.offer('c1', 'l2');
    t.shown[1]!.emit('action', {}, 0);
    t.shown[0]!.emit('action', {}, 1);
    t.shown[0]!.emit('click');
    assert.deepEqual(t.executed, [
      { cmd: 'accept', line: 'l2' },
      { cmd: 'decline', line: 'l1', reason: 'notification' },
    ]);
    assert.deepEqual(t.focused, ['l1']);
  });

  test('without OS notifications the line window still comes forward', () => {
    const t = setup(false);
    t.offer('c1', 'l1');
    t.send({ event: 'call.ended', call: 'c1', reason: 'caller-cancelled', code: 487 });
    assert.deepEqual(t.raised, ['l1']);
  });
});
