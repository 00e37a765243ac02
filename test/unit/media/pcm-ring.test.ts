import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { describe, test } from 'node:test';
import { PcmRing } from '../../../src-main/media/worker/pcm-ring.js';

const ramp = (from: number, n: number): Int16Array => Int16Array.from({ length: n }, (_, i) => from + i);

describe('PcmRing: PCM between the sound card and a media worker', () => {
  test('samples come out in order across the wrap-around; a full ring takes what fits', () => {
    const ring = new PcmRing(PcmRing.allocate(10));
    const out = new Int16Array(7);
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 20; round++) {
      next += ring.write(ramp(next, 7));
      const n = ring.read(out);
      for (let i = 0; i < n; i++) assert.equal(out[i], expected++);
    }
    assert.equal(ring.write(ramp(0, 25)), 10, 'no more than the capacity');
    assert.equal(ring.write(ramp(0, 1)), 0);
  });

  test('a short read is silence, counted as an underrun only when asked', () => {
    const ring = new PcmRing(PcmRing.allocate(16));
    ring.write(Int16Array.of(5, 6, 7));
    const out = new Int16Array(5).fill(-1);
    assert.equal(ring.read(out, true), 3);
    assert.deepEqual([...out], [5, 6, 7, 0, 0]);
    assert.equal(ring.underruns, 1);
    ring.read(out);
    assert.equal(ring.underruns, 1);
  });

  test('the other thread sees the samples and can wait for them (Atomics.waitAsync), and close wakes it', async () => {
    const ring = new PcmRing(PcmRing.allocate(64));
    // A worker that waits for 32 samples, sums them and reports; then waits again until closed.
    const worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       parentPort.on('message', () => {}); // a pending Atomics.waitAsync does not keep a thread alive; a listened port does
       const head = new Int32Array(workerData, 0, 4);
       const data = new Int16Array(workerData, 16);
       (async () => {
         let read = 0;
         for (;;) {
           const written = Atomics.load(head, 0);
           if (Atomics.load(head, 3) !== 0) { parentPort.postMessage({ closed: true }); return; }
           if (written - read >= 32) {
             let sum = 0;
             for (let i = 0; i < 32; i++) sum += data[(read + i) % 64];
             read += 32;
             Atomics.store(head, 1, read);
             parentPort.postMessage({ sum });
             continue;
           }
           const w = Atomics.waitAsync(head, 0, written, 50); // bounded: a close between the check and the wait notifies nobody
           if (w.async) await w.value;
         }
       })();`,
      { eval: true, workerData: ring.buffer },
    );
    const messages: Array<{ sum?: number; closed?: boolean }> = [];
    const next = (): Promise<{ sum?: number; closed?: boolean }> => new Promise((r) => worker.once('message', (m: { sum?: number }) => (messages.push(m), r(m))));
    try {
      let got = next();
      ring.write(ramp(0, 32));
      assert.equal((await got).sum, (31 * 32) / 2);
      got = next();
      ring.write(ramp(100, 32));
      assert.equal((await got).sum, 100 * 32 + (31 * 32) / 2);
      assert.equal(ring.available, 0, 'the worker moved the read index');
      got = next();
      ring.close();
      assert.equal((await got).closed, true);
    } finally {
      await worker.terminate();
    }
  });
});
