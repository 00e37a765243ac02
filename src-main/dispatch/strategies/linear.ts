import { byOrder, type DispatchStrategy } from '../strategy.js';

/** Fixed priority: always the first free line in config order. */
export function linear(): DispatchStrategy {
  return { name: 'linear', parallel: false, rank: (c) => [...c].sort(byOrder) };
}
