import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { OpusCodec, opusUnavailableReason } from '../../../src-main/media/codec/opus-codec.js';

const skip = opusUnavailableReason();

function speechLike(n: number, seed = 1): Int16Array {
  // A tone plus noise: enough content for the bit rate to matter.
  let s = seed;
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    out[i] = Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / 48000) + ((s / 0x7fffffff) * 2 - 1) * 4000);
  }
  return out;
}

describe('OpusCodec', { skip }, () => {
  test('the bit rate given to the constructor reaches the encoder', () => {
    const bytes = (bitrate: number): number => {
      const codec = new OpusCodec(bitrate);
      const pcm = speechLike(960 * 50);
      let total = 0;
      for (let i = 0; i < 50; i++) total += codec.encode(pcm.subarray(i * 960, (i + 1) * 960)).length;
      return total / 50;
    };
    const low = bytes(12_000);
    const high = bytes(64_000);
    // 12 kb/s is 30 bytes per 20 ms packet, 64 kb/s is 160.
    assert.ok(low < 45, `12 kb/s gave ${low} bytes a packet`);
    assert.ok(high > 2 * low, `64 kb/s gave ${high} bytes a packet, 12 kb/s ${low}`);
  });

  test('decodes a packet to exactly the samples it holds, as an Int16Array of the right values', () => {
    const codec = new OpusCodec();
    for (const frame of [480, 960, 1920, 2880]) {
      const pcm = speechLike(frame);
      const out = codec.decode(codec.encode(pcm));
      assert.ok(out instanceof Int16Array);
      assert.equal(out.length, frame);
    }
    assert.equal(codec.conceal(960).length, 960);
  });

  test('decoding does not leak the 120 ms output buffer per packet (audify allocates it per call)', () => {
    const codec = new OpusCodec();
    const packet = codec.encode(speechLike(960));
    const packets = 60_000;
    for (let i = 0; i < 1000; i++) codec.decode(packet);
    const before = process.memoryUsage().rss;
    for (let i = 0; i < packets; i++) codec.decode(packet);
    const grown = process.memoryUsage().rss - before;
    // Asking audify for 5760 samples a packet grew RSS by ~6.3 KB per packet; the packet's
    // own 960 by ~2.2 KB (130 MB here) with audify 1.10.1 as published. With
    // patches/optional/audify+1.10.1.patch compiled in (scripts/postinstall.cjs) RSS levels
    // off at ~12 MB of garbage not yet collected.
    assert.ok(grown < 50e6, `RSS grew ${(grown / 1e6).toFixed(1)} MB over ${packets} packets: is the audify patch built? (node scripts/postinstall.cjs)`);
  });

  test('terminating a worker thread in the middle of Opus calls does not abort the process', () => {
    // The pool terminates media workers (shutdown, a watchdog); one that is inside an Opus call
    // then made node-addon-api throw into the stopping thread, and the C++ runtime aborted the
    // whole app. The audify patch builds it to return instead. A child process holds the test.
    const codec = fileURLToPath(new URL('../../../src-main/media/codec/opus-codec.js', import.meta.url));
    const worker = `import(${JSON.stringify(codec)}).then(({ OpusCodec }) => { const c = new OpusCodec(); const pcm = new Int16Array(960); require('node:worker_threads').parentPort.postMessage('busy'); for (;;) c.decode(c.encode(pcm)); })`;
    const main = `
      const { Worker } = require('node:worker_threads');
      let n = 0;
      const one = () => {
        const w = new Worker(${JSON.stringify(worker)}, { eval: true });
        w.on('error', () => {});
        w.on('message', () => setTimeout(() => w.terminate().then(() => (++n < 60 ? one() : console.log('terminated', n))), Math.random() * 5));
      };
      one();`;
    const r = spawnSync(process.execPath, ['-e', main], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.signal, null, `the process died of ${r.signal}: ${r.stderr.trim()} (is the audify patch built? node scripts/postinstall.cjs)`);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /terminated 60/);
  });
});
