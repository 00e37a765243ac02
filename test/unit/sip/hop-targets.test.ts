import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TargetBlacklist } from '../../../src-main/sip/dns/target-blacklist.js';
import type { SipTarget } from '../../../src-main/sip/dns/sip-target.js';
import { HopTargets } from '../../../src-main/sip/line/hop-targets.js';
import { FakeClock } from '../../support/fake-clock.js';

const t = (host: string, port = 5060): SipTarget => ({ host, port, protocol: 'udp', name: 'pbx.test' });

describe('HopTargets: one line walking the DNS targets of one server', () => {
  test('keeps its target while it works; on failure moves along the list once, then starts a new round', async () => {
    const clock = new FakeClock();
    const bl = new TargetBlacklist(clock, 30_000);
    const list = [t('192.0.2.1'), t('192.0.2.2'), t('192.0.2.3')];
    const hops = new HopTargets(() => Promise.resolve(list), bl);
    assert.equal((await hops.pick()).host, '192.0.2.1');
    assert.equal((await hops.pick()).host, '192.0.2.1', 'the same target while nothing failed');
    assert.equal(hops.fail('timeout'), true);
    assert.equal((await hops.pick()).host, '192.0.2.2');
    assert.equal(hops.fail('503'), true);
    assert.equal((await hops.pick()).host, '192.0.2.3');
    assert.equal(hops.fail('refused'), false, 'every target tried');
    assert.equal((await hops.pick()).host, '192.0.2.1', 'a new round starts with the one whose skip ends first');
  });

  test('a target another line found failing is skipped at the next pick; a success clears it', async () => {
    const clock = new FakeClock();
    const bl = new TargetBlacklist(clock, 30_000);
    const list = [t('192.0.2.1'), t('192.0.2.2')];
    const mine = new HopTargets(() => Promise.resolve(list), bl);
    const other = new HopTargets(() => Promise.resolve(list), bl);
    await mine.pick();
    await other.pick();
    other.fail('timeout');
    assert.equal((await mine.pick()).host, '192.0.2.2');
    clock.advance(31_000);
    assert.equal((await mine.pick()).host, '192.0.2.2', 'no flapping back once the skip ends');
    mine.succeeded();
    assert.equal(bl.isFailed(list[1]!), false);
  });

  test('follows the resolver when the list changes (TTL refresh) and keeps a target still listed', async () => {
    const bl = new TargetBlacklist(new FakeClock(), 30_000);
    let list = [t('192.0.2.1'), t('192.0.2.2')];
    const hops = new HopTargets(() => Promise.resolve(list), bl);
    await hops.pick();
    hops.fail('timeout');
    assert.equal((await hops.pick()).host, '192.0.2.2');
    list = [t('192.0.2.9'), t('192.0.2.2')];
    assert.equal((await hops.pick()).host, '192.0.2.2');
    list = [t('192.0.2.9')];
    assert.equal((await hops.pick()).host, '192.0.2.9', 'a target gone from DNS is left');
  });

  test('a failure that is not the server being down (a 500 for this user) moves only this line on', async () => {
    const bl = new TargetBlacklist(new FakeClock(), 30_000);
    const list = [t('192.0.2.1'), t('192.0.2.2')];
    const hops = new HopTargets(() => Promise.resolve(list), bl);
    await hops.pick();
    assert.equal(hops.fail('500 Server Internal Error', undefined, false), true);
    assert.equal((await hops.pick()).host, '192.0.2.2');
    assert.equal(bl.isFailed(list[0]!), false, 'other lines keep using it');
  });
});
