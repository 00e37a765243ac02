import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LoopedPcm } from '../../../src-main/media/dsp/looped-pcm.js';

const ramp = (n: number): Int16Array => Int16Array.from({ length: n }, (_, i) => i);

describe('LoopedPcm (a file line\'s audio)', () => {
  test('plays the file frame by frame and loops at its end', () => {
    const f = new LoopedPcm(ramp(5), 8000);
    assert.deepEqual([...f.next(3)], [0, 1, 2]);
    assert.deepEqual([...f.next(4)], [3, 4, 0, 1]);
    assert.deepEqual([...f.next(5)], [2, 3, 4, 0, 1]);
  });

  test('no file, or an empty one, is silence of the asked length', () => {
    assert.deepEqual([...new LoopedPcm(undefined, 8000).next(3)], [0, 0, 0]);
    assert.deepEqual([...new LoopedPcm(new Int16Array(0), 8000).next(2)], [0, 0]);
  });

  test('a codec change carries on from the same point in time at the new rate', () => {
    const at8k = new LoopedPcm(ramp(8000), 8000);
    at8k.next(2000); // a quarter of a second in
    const at48k = at8k.switchTo(ramp(48_000), 48_000);
    assert.equal(at48k.next(1)[0], 12_000, 'a quarter of a second in at 48 kHz');
    const back = at48k.switchTo(ramp(8000), 8000);
    assert.equal(back.next(1)[0], 2000, 'and back (12 001 samples at 48 kHz round to 2000 at 8 kHz)');
  });

  test('a switch to a shorter file, or to none, starts from its beginning', () => {
    const long = new LoopedPcm(ramp(1000), 8000);
    long.next(900);
    assert.equal(long.switchTo(ramp(100), 8000).next(1)[0], 0);
    assert.deepEqual([...long.switchTo(undefined, 16_000).next(2)], [0, 0]);
  });
});
