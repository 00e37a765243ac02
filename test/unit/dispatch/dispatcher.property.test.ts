import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { ControlEvent } from '../../../src-main/contract/control-events.js';
import { strategyNames, type StrategyName } from '../../../src-main/contract/vocabulary.js';
import { dispatchHarness } from '../../support/dispatch-harness.js';
import { drain } from '../../support/fake-clock.js';
import { seededRandom } from '../../support/seeded-random.js';
import type { FakeLeg } from '../../support/fake-leg.js';

type Op =
  | { kind: 'fork'; call: number; line: number }
  | { kind: 'accept' | 'decline' | 'hangup'; line: number }
  | { kind: 'cancel' | 'elsewhere' | 'bye'; call: number }
  | { kind: 'dnd' | 'down'; line: number; on: boolean }
  | { kind: 'tick'; ms: number };

const opArb = (calls: number, lines: number): fc.Arbitrary<Op> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('fork' as const), call: fc.nat(calls - 1), line: fc.nat(lines - 1) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom('accept' as const, 'decline' as const, 'hangup' as const), line: fc.nat(lines - 1) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('cancel' as const, 'elsewhere' as const, 'bye' as const), call: fc.nat(calls - 1) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('dnd' as const, 'down' as const), line: fc.nat(lines - 1), on: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 20_000 }) }) },
  );

/** Runs a script against a dispatcher and checks the invariants; returns the events. */
async function run(strategy: StrategyName, lineCount: number, maxCalls: number, calls: number, ops: Op[], queueLength: number): Promise<ControlEvent[]> {
  // Claims outlive the script (the ops tick up to 20 s each): every later fork of a Call-ID
  // is then a fork to refuse. How long an ended Call-ID lingers is tested in call.test.ts.
  const h = dispatchHarness({ lines: Array.from({ length: lineCount }, (_, i) => ({ id: `l${i}`, maxCalls })), strategy, offerTimeoutMs: 5_000, queue: { maxLength: queueLength, maxWaitMs: 40_000 }, random: seededRandom(lineCount * 7919 + calls), lingerMs: 24 * 3_600_000 });
  const forks = new Map<number, FakeLeg[]>();
  const kept = (c: number): FakeLeg | undefined => forks.get(c)?.find((l) => !l.actions.includes('486') || l.actions[0] !== '486');
  for (const op of ops) {
    switch (op.kind) {
      case 'fork': {
        const leg = h.leg(`call-${op.call}`, `l${op.line}`);
        forks.set(op.call, [...(forks.get(op.call) ?? []), leg]);
        h.d.onInvite(leg);
        break;
      }
      case 'accept':
        h.d.accept(`l${op.line}`);
        break;
      case 'decline':
        h.d.decline(`l${op.line}`, 'busy with a customer');
        break;
      case 'hangup':
        h.d.hangup(`l${op.line}`);
        break;
      case 'cancel':
        kept(op.call)?.cancel(false);
        break;
      case 'elsewhere':
        kept(op.call)?.cancel(true);
        break;
      case 'bye':
        kept(op.call)?.remoteBye();
        break;
      case 'dnd':
        h.d.setDnd(`l${op.line}`, op.on);
        break;
      case 'down':
        h.d.setRegistration(`l${op.line}`, op.on ? 'down' : 'registered');
        break;
      case 'tick':
        h.clock.advance(op.ms);
        break;
    }
    await drain();
    checkLineLimits(h.d.status().lines, maxCalls);
  }
  // Let every offer time out, every queue wait expire, then hang up what is still talking.
  for (const l of h.d.status().lines) h.d.setDnd(l.line, false);
  h.clock.advance(200_000);
  await drain();
  for (const legs of forks.values()) for (const leg of legs) leg.remoteBye();
  await drain();

  for (const [c, legs] of forks) {
    const id = `call-${c}`;
    const live = legs.filter((l) => l.actions.includes('180') || l.actions.includes('182'));
    assert.ok(live.length <= 1, `${id}: exactly one fork is kept (kept ${live.length})`);
    assert.equal(legs.filter((l) => l.actions.includes('200')).length <= 1, true, `${id}: answered at most once`);
    assert.equal(legs.filter((l) => l.actions.filter((a) => a === '200').length > 1).length, 0, `${id}: no leg answered twice`);
    const keptLeg = legs.find((l) => l.actions[0] !== '486');
    if (keptLeg) {
      assert.equal(keptLeg.state, 'ended', `${id}: not lost — it ended (${keptLeg.actions.join(',')})`);
      assert.equal(h.events.filter((e) => e.event === 'call.ended' && e.call === id).length, 1, `${id}: exactly one call.ended`);
    }
    for (const l of legs.filter((x) => x !== keptLeg)) assert.deepEqual(l.actions, ['486'], `${id}: a losing fork only ever got 486`);
    assert.ok(h.events.filter((e) => e.event === 'call.answered' && e.call === id).length <= 1, `${id}: one call.answered at most`);
  }
  // Every offer is closed exactly once: by its own end, or by the answer on that line.
  const open = new Map<string, number>();
  for (const e of h.events) {
    if (e.event === 'call.offered') {
      const k = `${e.call}@${e.line}`;
      assert.ok(!open.has(k), `${k} offered twice`);
      open.set(k, 1);
    } else if (e.event === 'call.offer.ended' || e.event === 'call.answered') {
      const k = `${e.call}@${e.line}`;
      assert.ok(open.delete(k), `${k} closed without an open offer`);
    }
  }
  assert.equal(open.size, 0, `offers left open: ${[...open.keys()].join(' ')}`);
  assert.deepEqual(h.d.status().queue, [], 'the queue drained');
  for (const l of h.d.status().lines) assert.deepEqual(l.calls, [], `${l.line} holds no call at the end`);
  return h.events;
}

function checkLineLimits(lines: { line: string; calls: unknown[] }[], maxCalls: number): void {
  for (const l of lines) assert.ok(l.calls.length <= maxCalls, `${l.line} holds ${l.calls.length} calls, more than ${maxCalls}`);
}


describe('Dispatcher properties', () => {
  test('random interleavings of forks, offers, accepts, declines, timeouts, cancels and line changes: no call assigned twice, none lost', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...strategyNames),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 0, max: 4 }),
        fc.array(opArb(12, 5), { minLength: 1, maxLength: 120 }),
        async (strategy, lines, maxCalls, queueLength, ops) => {
          await run(strategy, lines, maxCalls, 12, ops.map((o) => ('line' in o ? { ...o, line: o.line % lines } : o)), queueLength);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('thousands of forks arriving at once, in random order, for every strategy', async () => {
    for (const strategy of strategyNames) {
      const calls = 1000;
      const rnd = seededRandom(strategyNames.indexOf(strategy) + 1);
      const mixed: Op[] = [];
      // Bursts of 50 concurrent calls: their 150 forks (one per line) arrive in a random
      // order within the same instant, with agents accepting, declining and hanging up in
      // between; time passes only between bursts (real forks arrive milliseconds apart).
      for (let first = 0; first < calls; first += 50) {
        const burst: Op[] = [];
        for (let c = first; c < first + 50; c++) for (let line = 0; line < 3; line++) burst.push({ kind: 'fork', call: c, line });
        for (let i = burst.length - 1; i > 0; i--) {
          const j = Math.floor(rnd() * (i + 1));
          [burst[i], burst[j]] = [burst[j]!, burst[i]!];
        }
        for (const op of burst) {
          mixed.push(op);
          const r = rnd();
          if (r < 0.2) mixed.push({ kind: 'accept', line: Math.floor(rnd() * 3) });
          else if (r < 0.3) mixed.push({ kind: 'decline', line: Math.floor(rnd() * 3) });
          else if (r < 0.45) mixed.push({ kind: 'hangup', line: Math.floor(rnd() * 3) });
        }
        mixed.push({ kind: 'tick', ms: 6_000 });
      }
      const events = await run(strategy, 3, 1, calls, mixed, 20);
      const rejected = events.filter((e) => e.event === 'call.rejected' && e.reason === 'fork').length;
      assert.equal(rejected, calls * 2, `${strategy}: two forks of every call refused`);
      assert.equal(events.filter((e) => e.event === 'call.ended').length, calls, `${strategy}: every call ended exactly once`);
    }
  });
});
