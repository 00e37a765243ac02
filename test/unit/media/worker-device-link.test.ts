import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { systemClock } from '../../../src-main/common/clock.js';
import { createLogger } from '../../../src-main/common/logger.js';
import type { DeviceClient } from '../../../src-main/media/audio-router.js';
import { DeviceBridge } from '../../../src-main/media/worker/device-bridge.js';
import { WorkerDeviceLink } from '../../../src-main/media/worker/worker-device-link.js';
import { until } from '../../support/until.js';

/*
 * Both ends of a device-mode call's PCM in one thread (Atomics.waitAsync wakes the same thread
 * too): the bridge as the sound card's callbacks use it, the link as the worker drives the
 * call. The call here numbers its frames, so what the card gets shows what was rendered when.
 */

const FRAME = 480;

/** A call that fills each playout frame with its running number, and keeps the captured frames. */
class NumberedCall implements DeviceClient {
  rendered = 0;
  readonly captured: number[] = [];
  renderPlayout(out: Int16Array): void {
    out.fill(++this.rendered);
  }
  takeCapture(frame: Int16Array): void {
    this.captured.push(frame[0]!);
  }
}

function setup(): { bridge: DeviceBridge; call: NumberedCall; link: WorkerDeviceLink; stop: () => void; logs: string[]; read(): number } {
  const bridge = new DeviceBridge({ frameSamples: FRAME, sampleRate: 48_000 });
  const call = new NumberedCall();
  const logs: string[] = [];
  const link = new WorkerDeviceLink(bridge.rings, call, systemClock, createLogger('info', (l) => logs.push(l)));
  const stop = link.start();
  const out = new Int16Array(FRAME);
  return {
    bridge,
    call,
    link,
    logs,
    stop: () => {
      stop();
      bridge.close();
    },
    read: () => {
      bridge.renderPlayout(out);
      return out[0]!;
    },
  };
}

describe('a device-mode call across threads: the card reads its frames from a ring the worker fills', () => {
  test('each read is answered with the next frame at once: one frame waits in the ring, no more', async () => {
    const s = setup();
    try {
      await until(() => s.call.rendered === 1, 1000, 'the first frame');
      const got: number[] = [];
      for (let i = 0; i < 20; i++) {
        got.push(s.read());
        await delay(3);
      }
      assert.deepEqual(got, Array.from({ length: 20 }, (_, i) => i + 1), 'frames in order, none missing');
      assert.ok(s.call.rendered <= 21 + 1, `no more than one frame ahead (${s.call.rendered} rendered for 20 read)`);
      assert.equal(s.bridge.underruns, 0);
      assert.equal(s.link.aheadFrames, 1);
    } finally {
      s.stop();
    }
  });

  test('while the main thread stalls, frames are rendered ahead, so the burst of reads after it finds them all', async () => {
    const s = setup();
    try {
      await until(() => s.call.rendered === 1, 1000, 'the first frame');
      for (let i = 0; i < 10; i++) {
        s.read();
        await delay(10);
      }
      await delay(45); // the card's callbacks wait: audify plays its queue meanwhile
      const burst = [s.read(), s.read(), s.read(), s.read()];
      assert.deepEqual(burst, [11, 12, 13, 14], 'the frames the card asks for at once are there');
      assert.equal(s.bridge.underruns, 0);
      // And the extra frames drain: reads at the card's pace leave one frame ahead again.
      for (let i = 0; i < 8; i++) {
        s.read();
        await delay(10);
      }
      assert.ok(s.call.rendered - (14 + 8) <= 2, `back to a frame or so ahead (${s.call.rendered - 22})`);
    } finally {
      s.stop();
    }
  });

  test('a read that found the ring short (the worker was late) keeps one more frame ahead from then on', async () => {
    const s = setup();
    try {
      await until(() => s.call.rendered === 1, 1000, 'the first frame');
      for (let i = 0; i < 9; i++) {
        s.read();
        await delay(5);
      }
      // Two reads faster than the worker can answer: the second finds nothing.
      s.read();
      assert.equal(s.read(), 0, 'silence for the frame that was not there');
      assert.equal(s.bridge.underruns, 1);
      await until(() => s.link.aheadFrames === 2, 1000, 'two frames ahead');
      assert.ok(s.logs.some((l) => l.includes('keeping 2 frames ahead')));
    } finally {
      s.stop();
    }
  });

  test('captured frames reach the call in order', async () => {
    const s = setup();
    try {
      for (let i = 1; i <= 12; i++) {
        s.bridge.takeCapture(new Int16Array(FRAME).fill(i));
        await delay(2);
      }
      await until(() => s.call.captured.length === 12, 1000, 'the captured frames');
      assert.deepEqual(s.call.captured, Array.from({ length: 12 }, (_, i) => i + 1));
    } finally {
      s.stop();
    }
  });
});
