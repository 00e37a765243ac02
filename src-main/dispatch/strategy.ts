import type { StrategyName } from '../contract/vocabulary.js';
import type { RosterLine } from './line-roster.js';


export interface StrategyContext {
  /** Uniform random numbers in [0,1); seeded in tests. */
  random(): number;
  /** The host's CPU load as a share of its cores (0 = idle, 1 = saturated), for `load`. */
  cpuLoad(line: RosterLine): number;
}

/**
 * A ring strategy ranks the lines that may take a call now (registered, available, not
 * full, not yet tried for this call). The dispatcher offers to the first, or to all of
 * them at once when `parallel` is set.
 */
export interface DispatchStrategy {
  readonly name: StrategyName;
  readonly parallel: boolean;
  rank(candidates: readonly RosterLine[], ctx: StrategyContext): RosterLine[];
  /** Told when a line is offered a call, for strategies with memory. */
  offered?(line: RosterLine): void;
}

/** Config order: the tie-breaker every strategy falls back to. */
export function byOrder(a: RosterLine, b: RosterLine): number {
  return a.order - b.order;
}
