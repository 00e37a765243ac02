import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RedirectPlan } from '../../../src-main/calls/redirect-policy.js';

const rules = { maxHops: 3, pbxHosts: ['pbx.example.com', '192.0.2.10', '[2001:db8::1]'] };

describe('RedirectPlan: which 3xx targets a call may follow', () => {
  test('another number of the PBX is followed; the best q first, then the next on the following 3xx', () => {
    const plan = new RedirectPlan('sip:200@pbx.example.com', rules);
    assert.deepEqual(plan.next(['<sip:201@pbx.example.com>;q=0.5, <sip:202@192.0.2.10:5060>;q=0.9']), { ok: true, uri: 'sip:202@192.0.2.10:5060' });
    assert.deepEqual(plan.next([]), { ok: true, uri: 'sip:201@pbx.example.com' }, 'the other target of the first 3xx');
    assert.equal(plan.hops, 2);
  });

  test('hosts that are not the PBX, other schemes and a sips→sip downgrade are refused, saying why', () => {
    const plan = new RedirectPlan('sip:200@pbx.example.com', rules);
    const step = plan.next(['<sip:premium@198.51.100.7>', '<tel:+4990012345>', '<http://evil.example/>']);
    assert.equal(step.ok, false);
    assert.match(step.ok ? '' : step.reason, /198\.51\.100\.7 is not the PBX's.*not a sip: or sips: URI/);
    const secure = new RedirectPlan('sips:200@pbx.example.com', rules);
    const down = secure.next(['<sip:201@pbx.example.com>']);
    assert.match(down.ok ? '' : down.reason, /would leave sips: for sip:/);
  });

  test('URI headers and maddr/method parameters are dropped; IPv6 hosts compare with or without brackets', () => {
    const plan = new RedirectPlan('sip:200@[2001:db8::1]', rules);
    assert.deepEqual(plan.next(['<sip:201@[2001:DB8::1]:5060;maddr=198.51.100.7;user=phone;method=BYE?Replaces=abc%40x&Authorization=x>']), { ok: true, uri: 'sip:201@[2001:DB8::1]:5060;user=phone' });
  });

  test('at most maxHops redirects, never the same target twice, never back to the start', () => {
    const plan = new RedirectPlan('sip:200@pbx.example.com', { ...rules, maxHops: 2 });
    assert.equal(plan.next(['<sip:200@pbx.example.com>']).ok, false, 'back to the original target');
    assert.equal(plan.next(['<sip:201@pbx.example.com>']).ok, true);
    assert.equal(plan.next(['<sip:201@pbx.example.com>']).ok, false, 'a loop');
    assert.equal(plan.next(['<sip:202@pbx.example.com>']).ok, true);
    const third = plan.next(['<sip:203@pbx.example.com>']);
    assert.match(third.ok ? '' : third.reason, /more than 2 redirects/);
  });

  test('maxHops 0: never followed', () => {
    const step = new RedirectPlan('sip:200@pbx.example.com', { ...rules, maxHops: 0 }).next(['<sip:201@pbx.example.com>']);
    assert.match(step.ok ? '' : step.reason, /not followed/);
  });
});
