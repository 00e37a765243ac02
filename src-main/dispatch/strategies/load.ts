import { byOrder, type DispatchStrategy } from '../strategy.js';

/**
 * Prefers lines whose host is less loaded: each running media stream counts as one
 * unit, and the host's CPU load (0-1 of its cores) as up to four. Lines on one desktop
 * share the CPU term, so there the line with the fewest streams wins.
 */
export function loadAware(): DispatchStrategy {
  return {
    name: 'load',
    parallel: false,
    rank(candidates, ctx) {
      const score = new Map(candidates.map((l) => [l, l.mediaStreams + 4 * Math.min(1, Math.max(0, ctx.cpuLoad(l)))] as const));
      return [...candidates].sort((a, b) => score.get(a)! - score.get(b)! || byOrder(a, b));
    },
  };
}
