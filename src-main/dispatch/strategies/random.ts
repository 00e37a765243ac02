import type { DispatchStrategy } from '../strategy.js';

/** A uniformly random order (Fisher-Yates), drawn afresh for every offer. */
export function randomOrder(): DispatchStrategy {
  return {
    name: 'random',
    parallel: false,
    rank(candidates, ctx) {
      const out = [...candidates];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(ctx.random() * (i + 1));
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    },
  };
}
