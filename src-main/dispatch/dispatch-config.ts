import type { StrategyName } from '../contract/vocabulary.js';

export interface DispatchConfig {
  strategy: StrategyName;
  /** How long one offer rings on a line before it moves on. */
  offerTimeoutMs: number;
  queue: {
    /** 0 disables queueing: a call that finds every line busy gets 486 at once. */
    maxLength: number;
    maxWaitMs: number;
    /** Where to send callers the queue cannot take (302); 486 when null. */
    overflowUri: string | null;
  };
}

export const defaultDispatchConfig: DispatchConfig = {
  strategy: 'rrmemory',
  offerTimeoutMs: 15_000,
  queue: { maxLength: 10, maxWaitMs: 60_000, overflowUri: null },
};
