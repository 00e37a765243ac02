import { byOrder, type DispatchStrategy } from '../strategy.js';

/** The line that has completed the fewest calls goes first. */
export function fewestCalls(): DispatchStrategy {
  return { name: 'fewestcalls', parallel: false, rank: (c) => [...c].sort((a, b) => a.callsTaken - b.callsTaken || byOrder(a, b)) };
}
