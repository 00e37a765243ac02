import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CallClaims } from '../../../src-main/dispatch/call-claims.js';
import { FakeClock } from '../../support/fake-clock.js';

describe('CallClaims', () => {
  test('the first claim of a Call-ID wins; later ones get the owner back', () => {
    const c = new CallClaims<string>(new FakeClock());
    assert.equal(c.claim('x', 'a'), 'a');
    assert.equal(c.claim('x', 'b'), 'a');
    assert.equal(c.claim('y', 'b'), 'b');
    assert.equal(c.active, 2);
  });

  test('a released claim keeps refusing late forks for the linger time, then is forgotten', () => {
    const clock = new FakeClock();
    const c = new CallClaims<string>(clock, 32_000);
    c.claim('x', 'a');
    c.release('x');
    assert.equal(c.active, 0);
    clock.advance(31_999);
    for (let i = 0; i < 300; i++) c.claim(`filler-${i}`, 'f'); // enough to trigger a sweep
    assert.equal(c.claim('x', 'b'), 'a', 'still refused inside the linger time');
    // Sweeps run at most once a second: the claim is gone within lingerMs + 1 s.
    clock.advance(1_001);
    for (let i = 300; i < 600; i++) c.claim(`filler-${i}`, 'f');
    assert.equal(c.claim('x', 'b'), 'b', 'a new call may reuse the Call-ID afterwards');
    assert.ok(c.size < 700, 'memory stays bounded');
  });
});
