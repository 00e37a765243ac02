import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { installOrder } from '../../../src-main/core/install-order.js';
import { defaultModules } from '../../../src-main/core/default-modules.js';
import type { CoreModule } from '../../../src-main/modules/module-api.js';
import { serviceId } from '../../../src-main/modules/services.js';

const A = serviceId<number>('a');
const B = serviceId<number>('b');
const mod = (name: string, needs: ReturnType<typeof serviceId<number>>[] = [], provides: ReturnType<typeof serviceId<number>>[] = []): CoreModule => ({ name, needs, provides, install: () => {} });

describe('installOrder', () => {
  test('each module comes after the providers of what it needs; ties keep the given order', () => {
    const order = installOrder([mod('stats'), mod('c', [B]), mod('b', [A], [B]), mod('a', [], [A])]).map((m) => m.name);
    assert.deepEqual(order, ['stats', 'a', 'b', 'c']);
  });

  test('a need nobody provides stops the start, naming the module and the service', () => {
    assert.throws(() => installOrder([mod('agent', [A])]), /module agent needs "a", which no installed module provides/);
  });

  test('two providers of one service are refused', () => {
    assert.throws(() => installOrder([mod('x', [], [A]), mod('y', [], [A])]), /modules x and y both provide "a"/);
  });

  test('a cycle of needs is an error that names it', () => {
    assert.throws(() => installOrder([mod('x', [B], [A]), mod('y', [A], [B])]), /cycle: x → y → x/);
  });

  test("LineDesk's own modules: devices before media before calls; outbound and agent after calls", () => {
    const order = installOrder(defaultModules()).map((m) => m.name);
    const at = (n: string): number => order.indexOf(n);
    assert.equal(order.length, defaultModules().length);
    assert.ok(at('devices') < at('media') && at('media') < at('calls'), order.join(', '));
    assert.ok(at('calls') < at('outbound') && at('calls') < at('agent'), order.join(', '));
  });
});
