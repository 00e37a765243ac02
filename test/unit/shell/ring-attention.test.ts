import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ControlEvent, Stamped } from '../../../src-main/contract/control-events.js';
import { RingAttention, type RingWindow } from '../../../src-main/electron-main/ring-attention.js';
import { deskModelOf } from '../../../src-main/contract/desk-model.js';

/** A window that logs what is done to it. It has no event methods: ringing cannot leave listeners behind. */
class FakeWindow implements RingWindow {
  readonly calls: string[] = [];
  constructor(public focused = false) {}
  isDestroyed = () => false;
  isFocused = () => this.focused;
  showInactive = () => void this.calls.push('showInactive');
  moveTop = () => void this.calls.push('moveTop');
  flashFrame = (on: boolean) => void this.calls.push(`flash ${on}`);
}

let ts = 0;
const ev = (e: ControlEvent): Stamped<ControlEvent> => ({ ...e, ts: ++ts });
const ringingOn = (...lines: string[]) => deskModelOf([ev({ event: 'ready', lines: ['l1', 'l2'], transports: [] }), ...lines.map((line) => ev({ event: 'call.offered', call: 'c1', line, from: '1', to: '2', attempt: 1 }))]);

describe('ringing line windows', () => {
  test('an unfocused window comes to the top and flashes without being given the keyboard', () => {
    const a = new RingAttention();
    const w = new FakeWindow();
    a.ring('l1', w);
    assert.deepEqual(w.calls, ['showInactive', 'moveTop', 'flash true']);
  });

  test('a window that already has the focus is left alone', () => {
    const a = new RingAttention();
    const w = new FakeWindow(true);
    a.ring('l1', w);
    a.follow(ringingOn());
    assert.deepEqual(w.calls, []);
  });

  test('the flashing stops when the offer ends unanswered, and not while the line still rings', () => {
    const a = new RingAttention();
    const [w1, w2] = [new FakeWindow(), new FakeWindow()];
    a.ring('l1', w1);
    a.ring('l2', w2);
    a.follow(ringingOn('l1', 'l2'));
    a.follow(ringingOn('l2'));
    assert.deepEqual(w1.calls.at(-1), 'flash false');
    assert.deepEqual(w2.calls.at(-1), 'flash true');
    a.follow(ringingOn());
    assert.deepEqual(w2.calls.at(-1), 'flash false');
    a.follow(ringingOn());
    assert.equal(w2.calls.filter((c) => c === 'flash false').length, 1, 'stopped once');
  });

  test('the flashing stops when the window gets the focus', () => {
    const a = new RingAttention();
    const w = new FakeWindow();
    a.ring('l1', w);
    a.focused('l1');
    a.follow(ringingOn());
    assert.deepEqual(w.calls, ['showInactive', 'moveTop', 'flash true', 'flash false']);
  });
});
