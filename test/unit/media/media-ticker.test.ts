import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createLogger } from '../../../src-main/common/logger.js';
import { MediaTicker } from '../../../src-main/media/media-ticker.js';
import { FakeClock } from '../../support/fake-clock.js';

describe('MediaTicker', () => {
  test('one call per frame to every subscriber; a subscriber that throws is logged and does not starve the others', () => {
    const clock = new FakeClock();
    const lines: string[] = [];
    const ticker = new MediaTicker(clock, 20, createLogger('debug', (l) => lines.push(l)));
    let good = 0;
    const offBad = ticker.subscribe(() => {
      throw new Error('corrupt packet');
    });
    const offGood = ticker.subscribe(() => good++);
    assert.doesNotThrow(() => clock.advance(1000));
    assert.equal(good, 50);
    // The first failure at once, then at most one line every 10 s.
    assert.equal(lines.filter((l) => /a media frame failed.*corrupt packet/.test(l)).length, 1);
    clock.advance(10_000);
    assert.equal(lines.filter((l) => /a media frame failed/.test(l)).length, 2);
    offBad();
    offGood();
    assert.equal(clock.pendingCount, 0, 'stops with its last subscriber');
  });

});
