import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Emitter } from '../../../src-main/common/emitter.js';
import { createLogger } from '../../../src-main/common/logger.js';
import type { AudioDeviceEvents, AudioDevices } from '../../../src-main/media/audio/audio-device.js';
import { AudioRouter, type DeviceClient } from '../../../src-main/media/audio-router.js';

test("AudioRouter: a call whose playout throws is left out of the frame; the other calls on that output are still heard", () => {
  let pull: (() => Int16Array) | undefined;
  let push: ((f: Int16Array) => void) | undefined;
  const stream = { device: 'fake', latencyMs: 0, close() {} };
  const devices: AudioDevices = {
    events: new Emitter<AudioDeviceEvents>(),
    format: { sampleRate: 48_000, frameSamples: 960 },
    backend: 'fake',
    list: () => ({ inputs: [], outputs: [] }),
    openPlayback: (_d, p) => ((pull = p), stream),
    openCapture: (_d, p) => ((push = p), stream),
    close() {},
  };
  const lines: string[] = [];
  const router = new AudioRouter(devices, createLogger('debug', (l) => lines.push(l)));
  let captured = 0;
  const broken: DeviceClient = {
    renderPlayout: () => {
      throw new Error('corrupt packet');
    },
    takeCapture: () => {
      throw new Error('encoder gone');
    },
  };
  const fine: DeviceClient = { renderPlayout: (out) => out.fill(1000), takeCapture: () => void captured++ };
  router.attach(broken, null, null);
  router.attach(fine, null, null);
  const frame = pull!();
  assert.equal(frame.length, 960);
  assert.ok(frame.every((v) => v === 1000));
  push!(new Int16Array(960));
  assert.equal(captured, 1);
  assert.equal(lines.filter((l) => /a call's audio frame failed/.test(l)).length, 1, 'logged once, not per frame');
  router.close();
});
