import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PcmFifo } from '../../../src-main/media/dsp/pcm-fifo.js';
import { Resampler } from '../../../src-main/media/dsp/resampler.js';
import { concat, rmsDbfs, sine, toneFrequency } from '../../support/tone.js';

/** Feeds `x` in 20 ms chunks of the input rate, as a call does. */
function stream(r: Resampler, x: Int16Array, chunk: number): Int16Array {
  const parts: Int16Array[] = [];
  for (let i = 0; i < x.length; i += chunk) parts.push(r.process(x.subarray(i, i + chunk)));
  return concat(parts);
}

describe('Resampler', () => {
  for (const [from, to] of [
    [8000, 48000],
    [48000, 8000],
    [16000, 48000],
    [48000, 16000],
  ] as const) {
    test(`${from} → ${to}: a 1 kHz tone keeps its frequency (±0.1 Hz) and level (±0.1 dB), streamed in 20 ms frames`, () => {
      const r = new Resampler(from, to);
      const y = stream(r, sine(1000, from, from), from / 50);
      assert.ok(Math.abs(y.length - to) <= 1, `one second in, one second out (${y.length})`);
      assert.ok(Math.abs(toneFrequency(y.subarray(200), to) - 1000) < 0.1, `frequency ${toneFrequency(y.subarray(200), to)}`);
      const db = 20 * Math.log10(10 ** (rmsDbfs(y.subarray(400)) / 20) / 10 ** (rmsDbfs(sine(1000, from, from)) / 20));
      assert.ok(Math.abs(db) < 0.1, `level ${db.toFixed(3)} dB`);
    });
  }

  test('downsampling to 8 kHz removes a 6 kHz tone (no aliasing to 2 kHz above −60 dB)', () => {
    const y = stream(new Resampler(48000, 8000), sine(6000, 48000, 48000), 960);
    const db = 20 * Math.log10(10 ** (rmsDbfs(y.subarray(200)) / 20) / 10 ** (rmsDbfs(sine(6000, 48000, 48000)) / 20));
    assert.ok(db < -60, `alias at ${db.toFixed(1)} dB`);
  });

  test('frame boundaries do not click: chunked and whole-signal output match', () => {
    const x = sine(700, 8000, 8000);
    const a = stream(new Resampler(8000, 48000), x, 160);
    const b = stream(new Resampler(8000, 48000), x, 8000);
    assert.deepEqual(a, b);
  });

  test('same rate is a copy', () => {
    const x = sine(440, 48000, 960);
    assert.deepEqual(new Resampler(48000, 48000).process(x), x);
  });
});

describe('PcmFifo', () => {
  test('keeps order across wrap-around and pads an underrun with zeros', () => {
    const f = new PcmFifo(8);
    f.push(Int16Array.from([1, 2, 3, 4, 5]));
    const out = new Int16Array(3);
    assert.equal(f.shift(3, out), 3);
    assert.deepEqual([...out], [1, 2, 3]);
    f.push(Int16Array.from([6, 7, 8, 9, 10]));
    const all = new Int16Array(9);
    assert.equal(f.shift(9, all), 7);
    assert.deepEqual([...all], [4, 5, 6, 7, 8, 9, 10, 0, 0]);
  });

  test('an overflow drops the oldest samples, never grows', () => {
    const f = new PcmFifo(4);
    f.push(Int16Array.from([1, 2, 3]));
    f.push(Int16Array.from([4, 5, 6]));
    assert.equal(f.length, 4);
    const out = new Int16Array(4);
    f.shift(4, out);
    assert.deepEqual([...out], [3, 4, 5, 6]);
  });

  test('before anything was pushed it reads as silence (its buffer comes with the first push)', () => {
    const f = new PcmFifo(48_000);
    const out = Int16Array.from([9, 9, 9]);
    assert.equal(f.shift(3, out), 0);
    assert.deepEqual([...out], [0, 0, 0]);
    f.clear();
    f.push(Int16Array.from([1, 2]));
    assert.equal(f.shift(3, out), 2);
    assert.deepEqual([...out], [1, 2, 0]);
  });

  test('it starts small and grows only as far as the audio needs, keeping the queued samples in order', () => {
    const f = new PcmFifo(48_000, 16);
    let next = 0;
    let expected = 0;
    const out = new Int16Array(160);
    // A device taking 10 ms frames of 8 kHz audio while 30 ms packets arrive: it never holds more than ~40 ms.
    for (let i = 0; i < 300; i++) {
      if (i % 3 === 0) f.push(Int16Array.from({ length: 240 }, () => next++ % 32768));
      if (f.length >= 80) {
        const n = f.shift(80, out.subarray(0, 80));
        for (let j = 0; j < n; j++) assert.equal(out[j], expected++ % 32768);
      }
    }
    assert.ok(f.capacity <= 512, `capacity ${f.capacity} samples, not 48000`);
    f.push(new Int16Array(100_000));
    assert.equal(f.capacity, 48_000, 'at most maxCapacity');
    assert.equal(f.length, 48_000);
  });
});
