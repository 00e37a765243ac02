import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Clock, TimerHandle } from '../../../src-main/common/clock.js';
import { FramePacer, NullAudioDevices } from '../../../src-main/media/audio/null-devices.js';
import { FakeClock } from '../../support/fake-clock.js';

const format20 = { sampleRate: 48000, frameSamples: 960 };
const format10 = { sampleRate: 48000, frameSamples: 480 };

/**
 * A clock whose interval timers fire late, like Node's under load: each tick comes `lateBy`
 * times the asked interval after the previous one (time itself is right).
 */
class LateTimerClock implements Clock {
  constructor(
    private readonly inner: FakeClock,
    private readonly lateBy: number,
  ) {}
  now(): number {
    return this.inner.now();
  }
  wallNow(): number {
    return this.inner.wallNow();
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.inner.setTimeout(fn, ms);
  }
  setInterval(fn: () => void, ms: number): TimerHandle {
    return this.inner.setInterval(fn, ms * this.lateBy);
  }
}

/** A clock whose interval timers stop firing between two instants (a blocked event loop). */
class StallingClock extends LateTimerClock {
  constructor(
    private readonly fake: FakeClock,
    private readonly stallFrom: number,
    private readonly stallTo: number,
  ) {
    super(fake, 1);
  }
  override setInterval(fn: () => void, ms: number): TimerHandle {
    return this.fake.setInterval(() => {
      const t = this.fake.now();
      if (t < this.stallFrom || t >= this.stallTo) fn();
    }, ms);
  }
}

describe('NullAudioDevices', () => {
  test('lists one input and one output named "null"', () => {
    const devices = new NullAudioDevices({ clock: new FakeClock(), format: format20 });
    assert.equal(devices.backend, 'null');
    assert.deepEqual(devices.list(), {
      inputs: [{ name: 'null', isDefault: true, channels: 1 }],
      outputs: [{ name: 'null', isDefault: true, channels: 1 }],
    });
    assert.deepEqual(devices.format, format20);
  });

  test('playback pulls exactly one frame per 20 ms period, on time', () => {
    const clock = new FakeClock();
    const devices = new NullAudioDevices({ clock, format: format20 });
    const pulledAt: number[] = [];
    const stream = devices.openPlayback('Any Headset', () => {
      pulledAt.push(clock.now());
      return new Int16Array(960);
    });
    assert.equal(stream.device, 'null');
    assert.equal(stream.latencyMs, 0);
    clock.advance(10_000);
    assert.equal(pulledAt.length, 500);
    pulledAt.forEach((t, i) => assert.equal(t, (i + 1) * 20, `frame ${i}`));
    stream.close();
    clock.advance(1000);
    assert.equal(pulledAt.length, 500, 'no pulls after close');
    assert.equal(clock.pendingCount, 0, 'no timer left behind');
  });

  test('capture pushes a fresh frame of silence per 10 ms period', () => {
    const clock = new FakeClock();
    const devices = new NullAudioDevices({ clock, format: format10 });
    const frames: Int16Array[] = [];
    const stream = devices.openCapture(null, (f) => frames.push(f));
    clock.advance(1000);
    assert.equal(frames.length, 100);
    assert.ok(frames.every((f) => f.length === 480 && f.every((v) => v === 0)));
    assert.notEqual(frames[0], frames[1], 'each frame is its own array');
    stream.close();
  });

  test('late timers are compensated: frames still average one per period', () => {
    for (const lateBy of [1.07, 1.5, 1.9]) {
      const fake = new FakeClock();
      const devices = new NullAudioDevices({ clock: new LateTimerClock(fake, lateBy), format: format20 });
      const pulledAt: number[] = [];
      devices.openPlayback(null, () => {
        pulledAt.push(fake.now());
        return new Int16Array(960);
      });
      fake.advance(60_000);
      assert.ok(Math.abs(pulledAt.length - 3000) <= 1, `lateBy ${lateBy}: ${pulledAt.length} frames in 60 s`);
      // No frame runs more than one (late) tick after it fell due.
      pulledAt.forEach((t, i) => assert.ok(t - (i + 1) * 20 <= 20 * lateBy, `lateBy ${lateBy}: frame ${i} at ${t}`));
      devices.close();
    }
  });

  test('after a stall, at most 5 overdue frames run at once, then the cadence resumes', () => {
    const fake = new FakeClock();
    const devices = new NullAudioDevices({ clock: new StallingClock(fake, 1000, 2000), format: format20 });
    const pulledAt: number[] = [];
    devices.openPlayback(null, () => {
      pulledAt.push(fake.now());
      return new Int16Array(960);
    });
    fake.advance(3000);
    const burst = pulledAt.filter((t) => t === 2000).length;
    assert.equal(burst, 5, 'five overdue frames at the end of the stall');
    assert.equal(pulledAt.filter((t) => t > 2000).length, 50, 'one per period afterwards');
    assert.equal(pulledAt.filter((t) => t < 1000).length, 49);
    devices.close();
  });

  test('a callback that throws is reported and does not stop the stream', () => {
    const clock = new FakeClock();
    const errors: unknown[] = [];
    const devices = new NullAudioDevices({ clock, format: format20, onCallbackError: (e) => errors.push(e) });
    let calls = 0;
    devices.openPlayback(null, () => {
      calls++;
      throw new Error('jitter buffer bug');
    });
    clock.advance(200);
    assert.equal(calls, 10);
    assert.equal(errors.length, 10);
  });

  test('close() stops every stream; closing a stream twice is harmless', () => {
    const clock = new FakeClock();
    const devices = new NullAudioDevices({ clock, format: format20 });
    let pulls = 0;
    let pushes = 0;
    const playback = devices.openPlayback(null, () => {
      pulls++;
      return new Int16Array(960);
    });
    devices.openCapture(null, () => pushes++);
    clock.advance(100);
    devices.close();
    playback.close();
    clock.advance(1000);
    assert.equal(pulls, 5);
    assert.equal(pushes, 5);
    assert.equal(clock.pendingCount, 0);
  });
});

describe('FramePacer', () => {
  test('starts counting from start(), and stop/start restarts the cadence', () => {
    const clock = new FakeClock(12_345);
    const at: number[] = [];
    const pacer = new FramePacer(clock, 10, () => at.push(clock.now()));
    pacer.start();
    pacer.start(); // idempotent
    clock.advance(35);
    assert.deepEqual(at, [12_355, 12_365, 12_375]);
    pacer.stop();
    clock.advance(3);
    pacer.start();
    clock.advance(20);
    assert.deepEqual(at.slice(3), [12_393, 12_403]);
    pacer.stop();
    assert.equal(pacer.running, false);
  });
});
