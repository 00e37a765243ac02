import { byOrder, type DispatchStrategy } from '../strategy.js';

/** The line whose last call ended longest ago goes first; lines never used before all others. */
export function leastRecent(): DispatchStrategy {
  return {
    name: 'leastrecent',
    parallel: false,
    rank: (c) => [...c].sort((a, b) => (a.lastCallEndedAt ?? -Infinity) - (b.lastCallEndedAt ?? -Infinity) || byOrder(a, b)),
  };
}
