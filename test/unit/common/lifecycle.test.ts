import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DisposableStore } from '../../../src-main/common/lifecycle.js';

describe('DisposableStore', () => {
  test('ends everything added, last first, exactly once', () => {
    const store = new DisposableStore();
    const order: string[] = [];
    store.add(() => order.push('timer'));
    store.add({ dispose: () => order.push('media') });
    store.add(() => order.push('listener'));
    store.dispose();
    store.dispose();
    assert.deepEqual(order, ['listener', 'media', 'timer']);
    assert.equal(store.isDisposed, true);
  });

  test('one that throws does not keep the others from ending', () => {
    const store = new DisposableStore();
    const order: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = (() => true);
    try {
      store.add(() => order.push('a'));
      store.add(() => {
        throw new Error('boom');
      });
      store.add(() => order.push('c'));
      store.dispose();
    } finally {
      process.stderr.write = original;
    }
    assert.deepEqual(order, ['c', 'a']);
  });

  test('something added after the store was disposed is ended at once', () => {
    const store = new DisposableStore();
    store.dispose();
    let ended = false;
    store.add(() => (ended = true));
    assert.equal(ended, true);
  });
});
