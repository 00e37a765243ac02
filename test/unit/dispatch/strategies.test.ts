import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createRosterLine, ineligibility, type RosterLine } from '../../../src-main/dispatch/line-roster.js';
import { createStrategy } from '../../../src-main/dispatch/strategies/index.js';
import { strategyNames } from '../../../src-main/contract/vocabulary.js';
import type { StrategyContext } from '../../../src-main/dispatch/strategy.js';

const lines = (n: number): RosterLine[] =>
  Array.from({ length: n }, (_, i) => Object.assign(createRosterLine(`l${i + 1}`, i, 1), { registration: 'registered' as const }));
const ctx = (over: Partial<StrategyContext> = {}): StrategyContext => ({ random: () => 0.5, cpuLoad: () => 0, ...over });
const ids = (ls: RosterLine[]): string[] => ls.map((l) => l.id);

describe('strategies', () => {
  test('every name in the config enum has a strategy', () => {
    for (const name of strategyNames) assert.equal(createStrategy(name).name, name);
  });

  test('ringall offers to every line at once, in config order', () => {
    const s = createStrategy('ringall');
    assert.equal(s.parallel, true);
    const ls = lines(3);
    assert.deepEqual(ids(s.rank([ls[2]!, ls[0]!, ls[1]!], ctx())), ['l1', 'l2', 'l3']);
  });

  test('linear always starts with the first line in config order', () => {
    const s = createStrategy('linear');
    const ls = lines(4);
    assert.deepEqual(ids(s.rank([ls[3]!, ls[1]!], ctx())), ['l2', 'l4']);
    s.offered?.(ls[1]!);
    assert.deepEqual(ids(s.rank(ls, ctx())), ['l1', 'l2', 'l3', 'l4']);
  });

  test('rrmemory continues after the last line offered and wraps around', () => {
    const s = createStrategy('rrmemory');
    const ls = lines(4);
    const order: string[] = [];
    for (let i = 0; i < 9; i++) {
      const pick = s.rank(ls, ctx())[0]!;
      s.offered?.(pick);
      order.push(pick.id);
    }
    assert.deepEqual(order, ['l1', 'l2', 'l3', 'l4', 'l1', 'l2', 'l3', 'l4', 'l1']);
    s.offered?.(ls[1]!);
    assert.deepEqual(ids(s.rank([ls[0]!, ls[1]!, ls[3]!], ctx())), ['l4', 'l1', 'l2'], 'skips lines that are not candidates, keeps the rotation');
  });

  test('leastrecent prefers lines never used, then the one idle longest', () => {
    const s = createStrategy('leastrecent');
    const ls = lines(4);
    ls[0]!.lastCallEndedAt = 300;
    ls[1]!.lastCallEndedAt = 100;
    ls[3]!.lastCallEndedAt = 200;
    assert.deepEqual(ids(s.rank(ls, ctx())), ['l3', 'l2', 'l4', 'l1']);
  });

  test('fewestcalls prefers the line with the fewest completed calls, ties in config order', () => {
    const s = createStrategy('fewestcalls');
    const ls = lines(3);
    ls[0]!.callsTaken = 5;
    ls[1]!.callsTaken = 2;
    ls[2]!.callsTaken = 2;
    assert.deepEqual(ids(s.rank(ls, ctx())), ['l2', 'l3', 'l1']);
  });

  test('random draws from the random source and covers every line', () => {
    const s = createStrategy('random');
    const ls = lines(4);
    let seed = 1;
    const rnd = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const firsts = new Map<string, number>();
    for (let i = 0; i < 4000; i++) {
      const id = s.rank(ls, ctx({ random: rnd }))[0]!.id;
      firsts.set(id, (firsts.get(id) ?? 0) + 1);
    }
    assert.equal(firsts.size, 4);
    for (const n of firsts.values()) assert.ok(n > 850 && n < 1150, `roughly uniform: ${[...firsts.entries()].join(' ')}`);
    assert.deepEqual(ids(s.rank(ls, ctx({ random: () => 0 }))), ['l2', 'l3', 'l4', 'l1'], 'a fixed source gives a fixed order');
  });

  test('load prefers fewer media streams and a less loaded host', () => {
    const s = createStrategy('load');
    const ls = lines(3);
    ls[0]!.mediaStreams = 2;
    ls[1]!.mediaStreams = 0;
    ls[2]!.mediaStreams = 1;
    assert.deepEqual(ids(s.rank(ls, ctx())), ['l2', 'l3', 'l1']);
    const hostLoad = (l: RosterLine): number => (l.id === 'l2' ? 0.9 : 0.1);
    assert.deepEqual(ids(s.rank(ls, ctx({ cpuLoad: hostLoad }))), ['l3', 'l1', 'l2'], 'a saturated host outweighs stream counts');
  });
});

describe('eligibility', () => {
  test('down, DND, paused and full lines are not eligible', () => {
    const l = createRosterLine('x', 0, 2);
    assert.equal(ineligibility(l), 'down');
    l.registration = 'registered';
    assert.equal(ineligibility(l), undefined);
    l.dnd = true;
    assert.equal(ineligibility(l), 'dnd');
    l.dnd = false;
    l.paused = true;
    assert.equal(ineligibility(l), 'paused');
    l.paused = false;
    l.activeCalls = 2;
    assert.equal(ineligibility(l), 'busy');
    l.registration = 'failed';
    assert.equal(ineligibility(l), 'down');
  });
});
