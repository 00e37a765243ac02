import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Emitter } from '../../../src-main/common/emitter.js';
import type { AudioDeviceEvents, AudioDevices, PlaybackStream } from '../../../src-main/media/audio/audio-device.js';
import { NullAudioDevices } from '../../../src-main/media/audio/null-devices.js';
import { playTestTone, Ringer, TwoToneRing } from '../../../src-main/media/audio/ringer.js';
import { encodeWav } from '../../../src-main/media/audio/wav-file.js';
import { FakeClock } from '../../support/fake-clock.js';
import { analyseTone, concat, rmsDbfs, sine } from '../../support/tone.js';

const format = { sampleRate: 48000, frameSamples: 960 };

/** Null devices that keep a copy of every frame played and remember which device was asked for. */
function recordingDevices(clock: FakeClock): {
  devices: AudioDevices;
  played: Int16Array[];
  opened: Array<string | null>;
  open: () => number;
} {
  const inner = new NullAudioDevices({ clock, format });
  const played: Int16Array[] = [];
  const opened: Array<string | null> = [];
  let open = 0;
  const devices: AudioDevices = {
    events: inner.events,
    format: inner.format,
    backend: inner.backend,
    list: () => inner.list(),
    openCapture: (d, push) => inner.openCapture(d, push),
    close: () => inner.close(),
    openPlayback: (device, pull): PlaybackStream => {
      opened.push(device);
      open++;
      const stream = inner.openPlayback(device, () => {
        const frame = pull();
        played.push(frame.slice());
        return frame;
      });
      let closed = false;
      return {
        device: stream.device,
        latencyMs: stream.latencyMs,
        close: () => {
          if (!closed) open--;
          closed = true;
          stream.close();
        },
      };
    },
  };
  return { devices, played, opened, open: () => open };
}

/** Level of one frequency in a signal, in dBFS of an equivalent sine's peak (Goertzel). */
function goertzelPeakDbfs(pcm: Int16Array, hz: number, rate: number): number {
  const w = (2 * Math.PI * hz) / rate;
  const coeff = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (const v of pcm) {
    const s = v + coeff * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  const amplitude = (2 * Math.sqrt(power)) / pcm.length;
  return 20 * Math.log10(amplitude / 32768);
}

describe('Ringer', () => {
  test('rings 440+480 Hz at −12 dBFS peak, 2 s on / 4 s off', () => {
    const clock = new FakeClock();
    const { devices, played, opened } = recordingDevices(clock);
    const ringer = new Ringer({ devices, device: 'Desk Speaker' });
    ringer.start();
    assert.equal(ringer.ringing, true);
    assert.deepEqual(opened, ['Desk Speaker']);
    clock.advance(12_000);
    assert.equal(played.length, 600);

    // Cadence: per 20 ms frame, on or off.
    const on = played.map((f) => rmsDbfs(f) > -40);
    const runs: Array<[boolean, number]> = [];
    for (const v of on) {
      const last = runs[runs.length - 1];
      if (last && last[0] === v) last[1]++;
      else runs.push([v, 1]);
    }
    assert.deepEqual(runs, [
      [true, 100],
      [false, 200],
      [true, 100],
      [false, 200],
    ]);

    const burst = concat(played.slice(10, 90)); // 1.6 s from inside the first burst
    assert.ok(Math.abs(goertzelPeakDbfs(burst, 440, 48000) - -18.06) < 0.2, '440 Hz at half the peak');
    assert.ok(Math.abs(goertzelPeakDbfs(burst, 480, 48000) - -18.06) < 0.2, '480 Hz at half the peak');
    assert.ok(goertzelPeakDbfs(burst, 1000, 48000) < -60, 'nothing else');
    const peak = analyseTone(concat(played.slice(0, 100)), 48000).peakDbfs;
    assert.ok(peak <= -12 && peak > -12.5, `peak ${peak.toFixed(2)} dBFS`);
    // Soft edges: the first samples of a burst are quiet.
    assert.ok(Math.abs(played[0]?.[0] ?? 1) < 10);
    ringer.stop();
  });

  test('start() and stop() are idempotent; the stream exists only while ringing', () => {
    const clock = new FakeClock();
    const { devices, played, open } = recordingDevices(clock);
    const ringer = new Ringer({ devices, device: null });
    ringer.stop();
    assert.equal(open(), 0);
    ringer.start();
    ringer.start();
    assert.equal(open(), 1);
    clock.advance(1000);
    ringer.stop();
    ringer.stop();
    assert.equal(open(), 0);
    assert.equal(ringer.ringing, false);
    const count = played.length;
    clock.advance(1000);
    assert.equal(played.length, count, 'silent after stop');
    assert.equal(clock.pendingCount, 0);

    // A new ring starts with the "on" part again.
    ringer.start();
    clock.advance(100);
    assert.ok(played.slice(count).every((f, i) => i === 0 || rmsDbfs(f) > -30));
    ringer.stop();
  });

  test('loops a WAV ring tone, resampled to the device rate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ringer-'));
    try {
      const path = join(dir, 'ring.wav');
      // 0.5 s of 1 kHz at 8 kHz, then 0.5 s of silence.
      const clip = concat([sine(1000, 8000, 4000, 8000), new Int16Array(4000)]);
      writeFileSync(path, encodeWav(clip, 8000));
      const clock = new FakeClock();
      const { devices, played } = recordingDevices(clock);
      const ringer = await Ringer.withWavFile({ devices, device: null }, path);
      ringer.start();
      clock.advance(3000);
      ringer.stop();
      const on = played.map((f) => rmsDbfs(f) > -40);
      // 25 frames on, 25 off, three times over.
      for (let i = 0; i < 150; i++) {
        const expected = i % 50 < 25;
        if (i % 25 === 0 || i % 25 === 24) continue; // edges depend on the filter's ring
        assert.equal(on[i], expected, `frame ${i}`);
      }
      const tone = analyseTone(concat(played.slice(2, 23)), 48000);
      assert.ok(Math.abs(tone.frequencyHz - 1000) < 0.5, `${tone.frequencyHz} Hz`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an unreadable ring tone file falls back to the generated ring', async () => {
    const clock = new FakeClock();
    const { devices, played } = recordingDevices(clock);
    const warnings: string[] = [];
    const logger = {
      debug: () => {},
      info: () => {},
      warn: (m: string) => warnings.push(m),
      error: () => {},
      child: () => logger,
      enabled: () => true,
    };
    const ringer = await Ringer.withWavFile({ devices, device: null, logger }, '/nonexistent/ring.wav');
    ringer.start();
    clock.advance(1000);
    ringer.stop();
    assert.equal(warnings.length, 1);
    const burst = concat(played.slice(5, 45));
    assert.ok(Math.abs(goertzelPeakDbfs(burst, 440, 48000) - -18.06) < 0.2);
  });

  test('setDevice() moves a ring in progress to the new device', () => {
    const clock = new FakeClock();
    const { devices, opened, open } = recordingDevices(clock);
    const ringer = new Ringer({ devices, device: 'A' });
    ringer.setDevice('B'); // not ringing: nothing opens
    assert.deepEqual(opened, []);
    ringer.start();
    ringer.setDevice('C');
    assert.deepEqual(opened, ['B', 'C']);
    assert.equal(open(), 1);
    ringer.stop();
  });

  test('a custom cadence and level', () => {
    const ring = new TwoToneRing(8000, [440, 480], -6, { onMs: 1000, offMs: 500 });
    const frame = new Int16Array(12_000); // 1.5 s
    ring.fill(frame);
    const on = frame.subarray(0, 8000);
    assert.ok(Math.abs(rmsDbfs(on) - -12.04) < 0.1, 'two tones at half the peak each');
    assert.equal(rmsDbfs(frame.subarray(8000)), -Infinity);
    const peak = analyseTone(on, 8000).peakDbfs;
    assert.ok(peak <= -6 && peak > -6.2, `peak ${peak}`);
  });
});

describe('playTestTone', () => {
  test('plays 1 s of 1 kHz at −12 dBFS, then resolves and closes the stream', async () => {
    const clock = new FakeClock();
    const { devices, played, open } = recordingDevices(clock);
    let resolved = false;
    const done = playTestTone(devices, 'Headset', { clock }).then(() => (resolved = true));
    assert.equal(open(), 1);
    await clock.advanceAsync(1000);
    assert.equal(resolved, false, 'still playing its tail');
    await clock.advanceAsync(200);
    await done;
    assert.equal(open(), 0);
    const tone = analyseTone(concat(played), 48000);
    assert.ok(Math.abs(tone.frequencyHz - 1000) < 0.01, `${tone.frequencyHz} Hz`);
    assert.ok(Math.abs(tone.rmsDbfs - -15.05) < 0.05, `${tone.rmsDbfs} dBFS`);
    assert.ok(Math.abs(tone.durationMs - 1000) < 3, `${tone.durationMs} ms`); // edges measured at 10 % of the peak
    assert.equal(tone.dropouts, 0);
  });

  test('resolves through its safety timeout when the device never pulls', async () => {
    const clock = new FakeClock();
    let closed = 0;
    const devices: AudioDevices = {
      events: new Emitter<AudioDeviceEvents>(),
      format,
      backend: 'stuck',
      list: () => ({ inputs: [], outputs: [] }),
      openPlayback: () => ({ device: 'stuck', latencyMs: 0, close: () => closed++ }),
      openCapture: () => assert.fail('not used'),
      close: () => {},
    };
    const done = playTestTone(devices, null, { clock });
    await clock.advanceAsync(4000);
    await done;
    assert.equal(closed, 1);
  });
});
