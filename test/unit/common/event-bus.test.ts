import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EventBus } from '../../../src-main/common/event-bus.js';

describe('EventBus', () => {
  test('every module sees an event before any front end does', () => {
    const bus = new EventBus<string>();
    const seen: string[] = [];
    bus.published.on('event', (e) => seen.push(`front:${e}`));
    bus.subscribe((e) => seen.push(`m1:${e}`));
    bus.subscribe((e) => seen.push(`m2:${e}`));
    bus.emit('a');
    assert.deepEqual(seen, ['m1:a', 'm2:a', 'front:a']);
  });

  test('an event emitted while another is delivered waits until that one reached everyone (causal order)', () => {
    const bus = new EventBus<string>();
    const seen: string[] = [];
    // m1 reacts to "ended" with "wrapup"; m2 (installed after it) must still see "ended" first.
    bus.subscribe((e) => {
      seen.push(`m1:${e}`);
      if (e === 'ended') bus.emit('wrapup');
    });
    bus.subscribe((e) => seen.push(`m2:${e}`));
    bus.published.on('event', (e) => seen.push(`front:${e}`));
    bus.emit('ended');
    assert.deepEqual(seen, ['m1:ended', 'm2:ended', 'front:ended', 'm1:wrapup', 'm2:wrapup', 'front:wrapup']);
  });

  test('a front end that reacts with a new event does not reorder what the others see', () => {
    const bus = new EventBus<string>();
    const seen: string[] = [];
    bus.published.on('event', (e) => {
      if (e === 'x') bus.emit('y');
    });
    bus.published.on('event', (e) => seen.push(e));
    bus.emit('x');
    assert.deepEqual(seen, ['x', 'y']);
  });

  test('a subscriber that throws does not stop delivery', () => {
    const bus = new EventBus<string>();
    const seen: string[] = [];
    const errors: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => (errors.push(String(s)), true));
    try {
      bus.subscribe(() => {
        throw new Error('boom');
      });
      bus.subscribe((e) => seen.push(e));
      bus.emit('a');
      bus.emit('b');
    } finally {
      process.stderr.write = original;
    }
    assert.deepEqual(seen, ['a', 'b']);
    assert.equal(errors.length, 2);
  });
});
