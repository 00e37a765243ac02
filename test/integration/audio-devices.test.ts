import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { loadavg } from 'node:os';
import { after, before, describe, test, type TestContext } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { AudioDevices, PlaybackStream } from '../../src-main/media/audio/audio-device.js';
import { createAudifyDevices, type AudifyDevicesOptions } from '../../src-main/media/audio/audify-devices.js';
import { loadAudify } from '../../src-main/media/audio/audify/audify-binding.js';
import { createAudioDevices } from '../../src-main/media/audio/create-audio-devices.js';
import { Ringer } from '../../src-main/media/audio/ringer.js';
import { ensurePulse, injectTone, pactl, pulseSkipReason, recordSink, reloadSink, startPrivatePulse, startRecording, tonePlayer, unloadSink, type PulseDaemon } from '../support/pulse.js';
import { analyseTone, concat, RATE, rmsDbfs, sineTone, type ToneAnalysis } from '../support/tone.js';
import { until } from '../support/until.js';

/*
 * The sound-card layer against a private PulseAudio (test/peers/pulse/pa-test.pa): what the
 * app plays on Test_Headset is read back at headset.monitor; what is injected into micfeed
 * reaches the app from Test_Headset_Mic. Each path must carry the tone intact (frequency,
 * level, length, no dropouts). How long it takes is a benchmark (npm run bench -- latency).
 */

function skipReason(): string | undefined {
  const pulse = pulseSkipReason();
  if (pulse !== undefined) return pulse;
  const audify = loadAudify();
  if (audify.ok) return undefined;
  if (process.env.LINEDESK_REQUIRE_PEERS === '1') throw new Error(`${audify.reason} (LINEDESK_REQUIRE_PEERS=1)`);
  return audify.reason;
}

const TONE_DBFS = -6.02; // peak; RMS −9.03
const MIC_DBFS = -12.04; // peak; RMS −15.05

function open(options: AudifyDevicesOptions): AudioDevices {
  const created = createAudifyDevices(options);
  if (!created.ok) throw new Error(created.reason);
  return created.devices;
}

/**
 * Runs a measurement again once if it had dropouts: on a shared, loaded machine a process
 * starved of CPU for ~60 ms underruns, which says nothing about this code. Said in the output.
 */
async function measure(t: TestContext, label: string, attempt: () => Promise<ToneAnalysis>): Promise<ToneAnalysis> {
  const first = await attempt();
  if (first.dropouts === 0) return first;
  t.diagnostic(`${label}: ${first.dropouts} dropout(s) on the first attempt (load average ${loadavg()[0]?.toFixed(1)}); once more`);
  return attempt();
}

/** A 1 kHz tone at TONE_DBFS of `ms`, heard whole: frequency, level, length, no dropouts. */
function assertWholeTone(tone: ToneAnalysis, label: string, ms: number): void {
  assert.ok(Math.abs(tone.frequencyHz - 1000) <= 1, `${label}: ${tone.frequencyHz.toFixed(2)} Hz`);
  assert.ok(Math.abs(tone.rmsDbfs - -9.03) <= 0.5, `${label}: ${tone.rmsDbfs.toFixed(2)} dBFS`);
  assert.equal(tone.dropouts, 0, `${label}: dropouts`);
  assert.ok(Math.abs(tone.durationMs - ms) < 20, `${label}: ${tone.durationMs.toFixed(1)} ms`);
}

/** Plays a 1 kHz tone on Test_Headset and checks what headset.monitor heard. */
async function playAndCheck(t: TestContext, label: string, options: AudifyDevicesOptions): Promise<void> {
  const tone = await measure(t, label, async () => {
    const devices = open(options);
    try {
      const recording = startRecording('headset');
      await delay(200);
      const player = tonePlayer(devices.format.frameSamples, sineTone(1000, TONE_DBFS, 1000));
      const stream = devices.openPlayback('Test_Headset', player.pull);
      assert.equal(stream.device, 'Test_Headset');
      await until(() => player.finished, 5000, 'the tone to be pulled');
      await delay(stream.latencyMs + 300);
      stream.close();
      const heard = await recording.stop();
      return analyseTone(heard.pcm, heard.rate);
    } finally {
      devices.close();
    }
  });
  assertWholeTone(tone, label, 1000);
}

/** Injects 440 Hz into micfeed and checks what the app captured from Test_Headset_Mic. */
async function captureAndCheck(t: TestContext, label: string, options: AudifyDevicesOptions): Promise<void> {
  const tone = await measure(t, label, async () => {
    const devices = open(options);
    try {
      const frames: Int16Array[] = [];
      const stream = devices.openCapture('Test_Headset_Mic', (frame) => frames.push(frame.slice()));
      assert.equal(stream.device, 'Test_Headset_Mic');
      await delay(300);
      await injectTone(440, MIC_DBFS, 1000);
      await delay(300);
      stream.close();
      return analyseTone(concat(frames), RATE);
    } finally {
      devices.close();
    }
  });
  assert.ok(Math.abs(tone.frequencyHz - 440) <= 1, `${label}: ${tone.frequencyHz.toFixed(2)} Hz`);
  assert.ok(Math.abs(tone.rmsDbfs - -15.05) <= 0.5, `${label}: ${tone.rmsDbfs.toFixed(2)} dBFS`);
  assert.equal(tone.dropouts, 0, `${label}: dropouts`);
}

/**
 * Plays a 1 kHz tone on Mic_Feed and captures it from Test_Headset_Mic (the remapped monitor
 * of Mic_Feed, unity gain): the app's own round trip, no tools in the path.
 */
async function roundTripAndCheck(t: TestContext, label: string, options: AudifyDevicesOptions): Promise<void> {
  const tone = await measure(t, label, async () => {
    const devices = open(options);
    try {
      const frames: Int16Array[] = [];
      const capture = devices.openCapture('Test_Headset_Mic', (frame) => frames.push(frame.slice()));
      await delay(200);
      const player = tonePlayer(devices.format.frameSamples, sineTone(1000, TONE_DBFS, 500));
      const playback = devices.openPlayback('Mic_Feed', player.pull);
      await until(() => player.finished, 5000, 'the tone to be pulled');
      await delay(playback.latencyMs + capture.latencyMs + 300);
      playback.close();
      capture.close();
      return analyseTone(concat(frames), RATE);
    } finally {
      devices.close();
    }
  });
  assertWholeTone(tone, label, 500);
}

describe('audio devices on a private PulseAudio', { skip: skipReason(), timeout: 180_000 }, () => {
  let pulse: PulseDaemon | undefined;

  before(async () => {
    pulse = await ensurePulse();
  });

  after(async () => {
    await pulse?.stop();
    // audify's process-wide error callback keeps the event loop alive for good (see
    // audify/audify-runtime.ts): once the tests are done, leave.
    setTimeout(() => process.exit(), 500).unref();
  });

  test('lists the harness sinks and sources by name', { timeout: 10_000 }, () => {
    const devices = open({});
    try {
      assert.equal(devices.backend, 'pulse');
      const { inputs, outputs } = devices.list();
      const names = (l: typeof inputs): string[] => l.map((d) => d.name).sort();
      assert.deepEqual(names(outputs), ['Mic_Feed', 'Test_Headset', 'Test_Ringer']);
      assert.ok(names(inputs).includes('Test_Headset_Mic'));
      assert.ok(!inputs.some((d) => d.name.startsWith('Monitor of ')), 'monitors are hidden');
      assert.deepEqual(outputs.find((d) => d.isDefault), { name: 'Test_Headset', isDefault: true, channels: 1 });
      assert.equal(inputs.find((d) => d.isDefault)?.name, 'Test_Headset_Mic');
    } finally {
      devices.close();
    }
  });

  test('createAudioDevices picks audify on auto, null when asked', { timeout: 10_000 }, () => {
    const auto = createAudioDevices('auto', { frameMs: 10 });
    assert.equal(auto.devices.backend, 'pulse');
    assert.match(auto.note, /audify \(pulse\): 3 output/);
    assert.equal(auto.devices.format.frameSamples, 480);
    auto.devices.close();
    const none = createAudioDevices('null');
    assert.equal(none.devices.backend, 'null');
    none.devices.close();
  });

  test('createAudioDevices falls back to null on auto when no server answers', { timeout: 10_000 }, () => {
    const server = process.env.PULSE_SERVER;
    process.env.PULSE_SERVER = 'unix:/nonexistent/pulse/native';
    try {
      const created = createAudioDevices('auto');
      assert.equal(created.devices.backend, 'null');
      assert.match(created.note, /sees no audio device/);
      created.devices.close();
      const asked = createAudioDevices('pulse');
      assert.equal(asked.devices.backend, 'pulse', 'asked for explicitly: kept, waiting for devices');
      asked.devices.close();
    } finally {
      process.env.PULSE_SERVER = server;
    }
  });

  for (const frameMs of [20, 10] as const) {
    test(`plays 1 kHz on Test_Headset, Pulse API, ${frameMs} ms frames`, { timeout: 20_000 }, (t) =>
      playAndCheck(t, `playback pulse ${frameMs} ms`, { frameMs }),
    );
  }

  for (const frameMs of [20, 10] as const) {
    test(`plays 1 kHz on Test_Headset, ALSA through pulse, ${frameMs} ms frames`, { timeout: 20_000 }, (t) =>
      playAndCheck(t, `playback alsa ${frameMs} ms`, { frameMs, linuxApi: 'alsa' }),
    );
  }

  test('plays 1 kHz on Test_Headset, Pulse API, 10 ms frames, 20 ms queue (lowest)', { timeout: 20_000 }, (t) =>
    playAndCheck(t, 'playback pulse 10 ms, queueMs 20', { frameMs: 10, queueMs: 20 }),
  );

  test('plays 1 kHz on Test_Headset, ALSA through pulse, 10 ms frames, 20 ms queue (lowest)', { timeout: 20_000 }, (t) =>
    playAndCheck(t, 'playback alsa 10 ms, queueMs 20', { frameMs: 10, queueMs: 20, linuxApi: 'alsa' }),
  );

  test('ALSA through pulse routes by name: a tone on Test_Ringer (not the default) is heard there only', { timeout: 20_000 }, async () => {
    const devices = open({ frameMs: 10, linuxApi: 'alsa' });
    try {
      const ringer = startRecording('ringer');
      const headset = startRecording('headset');
      await delay(200);
      const player = tonePlayer(devices.format.frameSamples, sineTone(1000, TONE_DBFS, 500), 100);
      const stream = devices.openPlayback('Test_Ringer', player.pull);
      assert.equal(stream.device, 'Test_Ringer');
      await until(() => player.finished, 5000, 'the tone to be pulled');
      await delay(300);
      stream.close();
      const onRinger = analyseTone((await ringer.stop()).pcm, RATE);
      const onHeadset = (await headset.stop()).pcm;
      assert.ok(Math.abs(onRinger.frequencyHz - 1000) <= 1, `${onRinger.frequencyHz} Hz on the ringer`);
      assert.ok(rmsDbfs(onHeadset) < -80, `${rmsDbfs(onHeadset).toFixed(1)} dBFS on the headset`);
    } finally {
      devices.close();
    }
  });

  test('captures 440 Hz injected into the mic, Pulse API', { timeout: 20_000 }, (t) =>
    captureAndCheck(t, 'capture pulse 20 ms', { frameMs: 20 }),
  );

  test('captures 440 Hz injected into the mic, ALSA through pulse', { timeout: 20_000 }, (t) =>
    captureAndCheck(t, 'capture alsa 10 ms', { frameMs: 10, linuxApi: 'alsa' }),
  );

  test('round trip through the virtual mic: 1 kHz played on Mic_Feed comes back whole from Test_Headset_Mic', { timeout: 20_000 }, async (t) => {
    await roundTripAndCheck(t, 'round trip pulse 20 ms', { frameMs: 20 });
    await roundTripAndCheck(t, 'round trip pulse 10 ms', { frameMs: 10 });
  });

  test('the ringer rings on Test_Ringer and not on the headset', { timeout: 20_000 }, async () => {
    const devices = open({});
    try {
      const ringerRec = startRecording('ringer');
      const headsetRec = startRecording('headset');
      await delay(200);
      const ringer = new Ringer({ devices, device: 'Test_Ringer' });
      ringer.start();
      assert.equal(ringer.device, 'Test_Ringer');
      await delay(2600);
      ringer.stop();
      const rung = await ringerRec.stop();
      const headset = await headsetRec.stop();
      // (No dropout count: the 440+480 Hz beat dips to silence every 25 ms by design.)
      const burst = analyseTone(rung.pcm, rung.rate);
      assert.ok(Math.abs(burst.durationMs - 2000) < 60, `burst of ${burst.durationMs.toFixed(0)} ms`);
      assert.ok(Math.abs(burst.peakDbfs - -12) < 0.5, `peak ${burst.peakDbfs.toFixed(2)} dBFS`);
      assert.ok(rmsDbfs(headset.pcm) < -80, `headset heard ${rmsDbfs(headset.pcm).toFixed(1)} dBFS`);
    } finally {
      devices.close();
    }
  });

  test('an unplugged headset falls back to the default device and back, without interruption', { timeout: 30_000 }, async (t) => {
    const devices = open({ frameMs: 20 });
    const fallbacks: Array<[string, string, string]> = [];
    let changed = 0;
    devices.events.on('fallback', (kind, lost, now) => fallbacks.push([kind, lost, now]));
    devices.events.on('changed', () => changed++);
    let pulls = 0;
    let thrown: unknown;
    let stream: PlaybackStream | undefined;
    try {
      // 20 ms is exactly 20 cycles of 1 kHz: the same frame over and over is a continuous tone.
      const frame = Int16Array.from({ length: 960 }, (_, i) => Math.round(16384 * Math.sin((2 * Math.PI * i) / 48)));
      stream = devices.openPlayback('Test_Headset', () => {
        pulls++;
        return frame;
      });
      await delay(500);
      await unloadSink('headset');
      const unpluggedAt = performance.now();
      await until(() => fallbacks.length > 0, 3000, 'the fallback event');
      t.diagnostic(`fallback after ${(performance.now() - unpluggedAt).toFixed(0)} ms`);
      assert.deepEqual(fallbacks, [['playback', 'Test_Headset', 'Test_Ringer']]);
      assert.equal(stream.device, 'Test_Ringer');
      assert.ok(changed >= 1, 'the list changed');

      // Still pulled at the frame rate, and heard on the fallback device.
      const before = pulls;
      const onRinger = await recordSink('ringer', 1000);
      const rate = (pulls - before) / 1.0;
      assert.ok(rate > 40 && rate < 60, `${rate} pulls/s after the fallback`);
      // (Only the level: the move itself may leave a short gap, which would skew a frequency.)
      assert.ok(rmsDbfs(onRinger.pcm) > -12, `${rmsDbfs(onRinger.pcm).toFixed(1)} dBFS on the ringer`);

      // Plugged back in: the stream returns to the headset.
      await reloadSink('headset');
      await until(() => stream?.device === 'Test_Headset', 3000, 'the return to Test_Headset');
      const onHeadset = rmsDbfs((await recordSink('headset', 500)).pcm);
      assert.ok(onHeadset > -12, `${onHeadset.toFixed(1)} dBFS on the headset again`);
      assert.equal(fallbacks.length, 1);
    } catch (error) {
      thrown = error;
    } finally {
      stream?.close();
      devices.close();
      // Leave the harness as it was for the other tests.
      const sinks = await pactl(['list', 'sinks', 'short']);
      if (!/\bheadset\b/.test(sinks)) await reloadSink('headset');
    }
    if (thrown) throw thrown instanceof Error ? thrown : new Error(inspect(thrown));
  });

  test('a crashed sound server: streams run on a timer, then come back when it restarts', { timeout: 40_000 }, async (t) => {
    // A daemon of its own: crashing the shared one would break the other tests.
    const daemon = await startPrivatePulse();
    const shared = process.env.PULSE_SERVER;
    process.env.PULSE_SERVER = daemon.server;
    const devices = open({ frameMs: 20 });
    try {
      const fallbacks: string[] = [];
      devices.events.on('fallback', (kind, lost, now) => fallbacks.push(`${kind}: ${lost} → ${now}`));
      let pulls = 0;
      let pushes = 0;
      const playback = devices.openPlayback('Test_Headset', () => {
        pulls++;
        return new Int16Array(960);
      });
      const capture = devices.openCapture('Test_Headset_Mic', () => pushes++);
      const perSecond = async (): Promise<[number, number]> => {
        const [p, c] = [pulls, pushes];
        await delay(1000);
        return [pulls - p, pushes - c];
      };
      await delay(300);
      daemon.crash();
      const crashedAt = performance.now();
      await until(() => fallbacks.length >= 2, 3000, 'both fallbacks');
      t.diagnostic(`on the timer ${(performance.now() - crashedAt).toFixed(0)} ms after the crash`);
      assert.deepEqual(fallbacks.sort(), ['capture: Test_Headset_Mic → null', 'playback: Test_Headset → null']);
      const [pullRate, pushRate] = await perSecond();
      assert.ok(pullRate >= 45 && pullRate <= 55, `${pullRate} pulls/s on the timer`);
      assert.ok(pushRate >= 45 && pushRate <= 55, `${pushRate} pushes/s on the timer`);

      await daemon.restart();
      await until(() => playback.device === 'Test_Headset' && capture.device === 'Test_Headset_Mic', 4000, 'the return to the devices');
      const [pullsBack, pushesBack] = await perSecond();
      assert.ok(pullsBack >= 40 && pullsBack <= 60, `${pullsBack} pulls/s back on the device`);
      assert.ok(pushesBack >= 40 && pushesBack <= 60, `${pushesBack} pushes/s back on the device`);
      assert.equal(fallbacks.length, 2);
    } finally {
      devices.close();
      process.env.PULSE_SERVER = shared;
      await daemon.stop();
    }
  });

  test('a device that does not exist opens the default and says so', { timeout: 10_000 }, async () => {
    const devices = open({});
    try {
      const fallbacks: Array<[string, string, string]> = [];
      devices.events.on('fallback', (kind, lost, now) => fallbacks.push([kind, lost, now]));
      const playback = devices.openPlayback('No Such Headset', () => new Int16Array(960));
      const capture = devices.openCapture('No Such Mic', () => {});
      assert.equal(playback.device, 'Test_Headset');
      assert.equal(capture.device, 'Test_Headset_Mic');
      await delay(50);
      assert.deepEqual(fallbacks, [
        ['playback', 'No Such Headset', 'Test_Headset'],
        ['capture', 'No Such Mic', 'Test_Headset_Mic'],
      ]);
    } finally {
      devices.close();
    }
  });
});
