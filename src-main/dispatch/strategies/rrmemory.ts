import { byOrder, type DispatchStrategy } from '../strategy.js';

/** Round robin that remembers where it stopped: the line after the last one offered goes first. */
export function roundRobinMemory(): DispatchStrategy {
  let last = -1;
  return {
    name: 'rrmemory',
    parallel: false,
    rank(candidates) {
      // Lines after the last one offered, in order, then the ones before it (wrapping).
      return [...candidates].sort((a, b) => (a.order > last ? 0 : 1) - (b.order > last ? 0 : 1) || byOrder(a, b));
    },
    offered(line) {
      last = line.order;
    },
  };
}
