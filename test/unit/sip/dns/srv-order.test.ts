import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { orderSrv, type SrvRecord } from '../../../../src-main/sip/dns/srv-order.js';
import { TargetBlacklist } from '../../../../src-main/sip/dns/target-blacklist.js';
import type { SipTarget } from '../../../../src-main/sip/dns/sip-target.js';
import { FakeClock } from '../../../support/fake-clock.js';
import { seededRandom } from '../../../support/seeded-random.js';

const srv = (name: string, priority: number, weight: number): SrvRecord => ({ name, port: 5060, priority, weight });

describe('SRV order (RFC 2782)', () => {
  test('lower priority first, whatever the weights', () => {
    const out = orderSrv([srv('c', 30, 100), srv('a', 10, 1), srv('b', 20, 50)], seededRandom(1));
    assert.deepEqual(out.map((r) => r.name), ['a', 'b', 'c']);
  });

  test('within one priority the first pick follows the weights (60:20:20 over 10 000 draws)', () => {
    const random = seededRandom(7);
    const first = new Map<string, number>();
    for (let i = 0; i < 10_000; i++) {
      const out = orderSrv([srv('a', 10, 60), srv('b', 10, 20), srv('c', 10, 20)], random);
      assert.equal(out.length, 3);
      first.set(out[0]!.name, (first.get(out[0]!.name) ?? 0) + 1);
    }
    const share = (n: string): number => (first.get(n) ?? 0) / 10_000;
    assert.ok(Math.abs(share('a') - 0.6) < 0.03, `a first ${share('a')}`);
    assert.ok(Math.abs(share('b') - 0.2) < 0.03, `b first ${share('b')}`);
    assert.ok(Math.abs(share('c') - 0.2) < 0.03, `c first ${share('c')}`);
  });

  test('a weight-0 record comes first only rarely; all records are kept', () => {
    const random = seededRandom(3);
    let zeroFirst = 0;
    for (let i = 0; i < 2_000; i++) {
      const out = orderSrv([srv('z', 1, 0), srv('w', 1, 100)], random);
      assert.deepEqual(out.map((r) => r.name).sort(), ['w', 'z']);
      if (out[0]!.name === 'z') zeroFirst++;
    }
    assert.ok(zeroFirst > 0 && zeroFirst < 60, `weight 0 first ${zeroFirst} times in 2000`);
  });

  test('a single "." target means no service', () => {
    assert.deepEqual(orderSrv([srv('.', 0, 0)]), []);
  });
});

describe('failed targets (blacklist with expiry)', () => {
  const t = (host: string): SipTarget => ({ host, port: 5060, protocol: 'udp', name: host });

  test('a failed target goes last until its skip ends; when all failed, the soonest back comes first', () => {
    const clock = new FakeClock();
    const bl = new TargetBlacklist(clock, 30_000);
    const [a, b, c] = [t('192.0.2.1'), t('192.0.2.2'), t('192.0.2.3')];
    const failed: string[] = [];
    bl.events.on('failed', (x) => failed.push(x.host));
    bl.fail(a, 'timeout');
    assert.deepEqual(bl.order([a, b, c]).map((x) => x.host), ['192.0.2.2', '192.0.2.3', '192.0.2.1']);
    clock.advance(10_000);
    bl.fail(b, '503', 60_000); // Retry-After 60
    bl.fail(c, 'refused');
    assert.deepEqual(bl.order([a, b, c]).map((x) => x.host), ['192.0.2.1', '192.0.2.3', '192.0.2.2']);
    clock.advance(20_001);
    assert.equal(bl.isFailed(a), false, 'skipped 30 s, then usable again');
    assert.deepEqual(bl.order([a, b, c]).map((x) => x.host), ['192.0.2.1', '192.0.2.3', '192.0.2.2']);
    bl.succeed(c);
    assert.equal(bl.isFailed(c), false);
    bl.fail(b, 'again');
    assert.deepEqual(failed, ['192.0.2.1', '192.0.2.2', '192.0.2.3'], 'one event per failure, not per report while failed');
  });
});
