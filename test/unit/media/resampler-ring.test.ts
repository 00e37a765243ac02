import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Resampler } from '../../../src-main/media/dsp/resampler.js';
import { seededRandom } from '../../support/seeded-random.js';

/**
 * The resampler as it was before its ring buffer: history shifted by copyWithin per input
 * sample, outputs gathered in a number[]. The ring buffer must give the same bits.
 */
function referenceProcess(r: Resampler, state: { history: Float32Array; phase: number }, input: Int16Array): Int16Array {
  const out: number[] = [];
  const h = state.history;
  const n = r.tapsPerPhase;
  for (let i = 0; i < input.length; i++) {
    h.copyWithin(1, 0, n - 1);
    h[0] = input[i]!;
    while (state.phase < r.up) {
      const taps = tapsOf(r)[state.phase]!;
      let acc = 0;
      for (let k = 0; k < n; k++) acc += taps[k]! * h[k]!;
      out.push(acc);
      state.phase += r.down;
    }
    state.phase -= r.up;
  }
  return Int16Array.from(out, (v) => {
    const x = Math.round(v);
    return x > 32767 ? 32767 : x < -32768 ? -32768 : x;
  });
}

/** The polyphase taps, rebuilt exactly as the constructor builds them. */
const tapsCache = new WeakMap<Resampler, Float32Array[]>();
function tapsOf(r: Resampler): Float32Array[] {
  let phases = tapsCache.get(r);
  if (phases) return phases;
  const cutoff = (0.45 * Math.min(1, r.up / r.down)) / r.up;
  const total = r.tapsPerPhase * r.up;
  const proto = new Float32Array(total);
  const mid = (total - 1) / 2;
  for (let n = 0; n < total; n++) {
    const x = n - mid;
    const sinc = x === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
    const w = 0.42 - 0.5 * Math.cos((2 * Math.PI * n) / (total - 1)) + 0.08 * Math.cos((4 * Math.PI * n) / (total - 1));
    proto[n] = sinc * w * r.up;
  }
  phases = Array.from({ length: r.up }, (_, p) => {
    const f = new Float32Array(r.tapsPerPhase);
    for (let k = 0; k < r.tapsPerPhase; k++) f[k] = proto[p + k * r.up] ?? 0;
    return f;
  });
  tapsCache.set(r, phases);
  return phases;
}

describe('Resampler ring buffer', () => {
  for (const [from, to] of [
    [8000, 48000],
    [48000, 8000],
    [16000, 48000],
    [48000, 16000],
    [8000, 16000],
    [32000, 48000],
  ] as const) {
    test(`${from} → ${to}: bit-identical to the shifting implementation, in chunks of any size`, () => {
      const rand = seededRandom(from + to);
      const r = new Resampler(from, to);
      const state = { history: new Float32Array(r.tapsPerPhase), phase: 0 };
      for (let chunk = 0; chunk < 60; chunk++) {
        const len = chunk % 7 === 0 ? 0 : Math.floor(rand() * 400) + 1;
        // Loud noise with clipping peaks: the clamp must agree too.
        const input = Int16Array.from({ length: len }, () => Math.round((rand() * 2 - 1) * 32767));
        const got = r.process(input);
        const want = referenceProcess(r, state, input);
        assert.deepEqual(got, want, `chunk ${chunk} (${len} samples)`);
      }
    });
  }
});
