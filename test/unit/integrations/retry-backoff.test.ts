import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { retryDelayMs } from '../../../src-main/integrations/retry-backoff.js';

describe('webhook retry backoff', () => {
  const bounds = { minMs: 1_000, maxMs: 60_000 };

  test('doubles from minMs up to maxMs; the jitter keeps each wait in the upper half of its step', () => {
    const low = [1, 2, 3, 4, 5, 6, 7, 8, 20, 2_000].map((n) => retryDelayMs(n, bounds, () => 0));
    const high = [1, 2, 3, 4, 5, 6, 7, 8, 20, 2_000].map((n) => retryDelayMs(n, bounds, () => 1));
    assert.deepEqual(high, [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000]);
    assert.deepEqual(low, [500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000, 30_000]);
  });

  test('is random within the bounds (two desks that failed together do not retry together)', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const d = retryDelayMs(3, bounds);
      assert.ok(d >= 2_000 && d <= 4_000, `wait ${d}`);
      seen.add(d);
    }
    assert.ok(seen.size > 50, `only ${seen.size} distinct waits`);
  });

  test('treats a zero or fractional failure count as the first retry', () => {
    assert.equal(retryDelayMs(0, bounds, () => 1), 1_000);
    assert.equal(retryDelayMs(2.7, bounds, () => 1), 2_000);
  });
});
