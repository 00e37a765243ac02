import { byOrder, type DispatchStrategy } from '../strategy.js';

/** Every free line rings at once; the first to accept wins and the others stop ringing. */
export function ringAll(): DispatchStrategy {
  return { name: 'ringall', parallel: true, rank: (c) => [...c].sort(byOrder) };
}
