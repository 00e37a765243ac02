import type { StrategyName } from '../../contract/vocabulary.js';
import type { DispatchStrategy } from '../strategy.js';
import { fewestCalls } from './fewestcalls.js';
import { leastRecent } from './leastrecent.js';
import { linear } from './linear.js';
import { loadAware } from './load.js';
import { randomOrder } from './random.js';
import { ringAll } from './ringall.js';
import { roundRobinMemory } from './rrmemory.js';

/** Every strategy by its config name. A new strategy is one file plus one line here. */
const factories: Record<StrategyName, () => DispatchStrategy> = {
  ringall: ringAll,
  rrmemory: roundRobinMemory,
  leastrecent: leastRecent,
  fewestcalls: fewestCalls,
  random: randomOrder,
  linear,
  load: loadAware,
};

export function createStrategy(name: StrategyName): DispatchStrategy {
  return factories[name]();
}
