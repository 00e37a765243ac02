import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, describe, test } from 'node:test';
import { systemClock } from '../../../src-main/common/clock.js';
import { createLogger } from '../../../src-main/common/logger.js';
import { decodeMulaw, encodeMulaw } from '../../../src-main/media/codec/g711.js';
import type { RecordStart } from '../../../src-main/media/media-engine.js';
import { compareNegotiated, type Negotiated } from '../../../src-main/media/sdp/negotiate.js';
import type { CrashKind } from '../../../src-main/media/worker/media-protocol.js';
import type { WorkerCallMedia } from '../../../src-main/media/worker/worker-call-media.js';
import { WorkerMediaEngine } from '../../../src-main/media/worker/worker-media-engine.js';
import { OGG_EOS, parseOggPages } from '../../../src-main/recording/ogg-page.js';
import { findBinary } from '../../support/peer-binaries.js';
import { readStereoWav } from '../../support/recording-files.js';
import { sine, toneFrequency } from '../../support/tone.js';
import { until } from '../../support/until.js';

/*
 * Recording where the media runs: real worker threads, real UDP on loopback, a far end
 * sending a 440 Hz PCMU tone to an echo line. A worker dies mid-call; the consent message
 * plays before the echo is connected.
 */

const dir = mkdtempSync(join(tmpdir(), 'linedesk-rec-worker-'));
const logs: string[] = [];
const engines: WorkerMediaEngine[] = [];
after(async () => {
  for (const e of engines) await e.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

interface Far {
  port: number;
  got: Buffer[];
  stop(): void;
}

async function farEnd(to: () => number): Promise<Far> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const got: Buffer[] = [];
  socket.on('message', (b) => {
    if (b.length > 12 && (b[1]! & 0x7f) === 0) got.push(Buffer.from(b.subarray(12)));
  });
  const pcm = sine(440, 8000, 8000, 8000);
  let seq = 0;
  const timer = setInterval(() => {
    const at = (seq * 160) % (pcm.length - 160);
    const h = Buffer.alloc(12);
    h[0] = 0x80;
    h.writeUInt16BE(seq & 0xffff, 2);
    h.writeUInt32BE((seq * 160) >>> 0, 4);
    h.writeUInt32BE(0xfa4e, 8);
    if (to() > 0) socket.send(Buffer.concat([h, Buffer.from(encodeMulaw(pcm.subarray(at, at + 160)))]), to(), '127.0.0.1');
    seq++;
  }, 20);
  return {
    port: socket.address().port,
    got,
    stop: () => {
      clearInterval(timer);
      socket.close();
    },
  };
}

function negotiated(remotePort: number): Negotiated {
  return {
    remote: { address: '127.0.0.1', rtpPort: remotePort, rtcpPort: remotePort + 1, rtcpAddress: '127.0.0.1', rtcpMux: false },
    codec: { name: 'PCMU', payloadType: 0, receivePayloadType: 0, clockRate: 8000, channels: 1, fmtp: {} },
    ptimeMs: 20,
    direction: 'sendrecv',
    remoteHold: false,
  };
}

interface Heard {
  started: string[];
  stopped: Array<{ file: string; error?: string }>;
}

async function recordedCall(file: string, consent?: Int16Array, format: 'wav' | 'opus' = 'wav'): Promise<{ e: WorkerMediaEngine; media: WorkerCallMedia; far: Far; heard: Heard }> {
  const e = new WorkerMediaEngine({
    workers: 2,
    address: '127.0.0.1',
    ports: { min: 46000, max: 46999 },
    codecs: ['PCMU'],
    symmetricRtp: true,
    jitter: { minDelayMs: 20, maxDelayMs: 200 },
    devices: undefined,
    clock: systemClock,
    log: createLogger('info', (l) => logs.push(l)),
    lineMedia: () => ({ mode: 'echo', headset: null, microphone: null }),
    heartbeatMs: 100,
    watchdogMs: 1500,
  });
  engines.push(e);
  await e.start();
  const heard: Heard = { started: [], stopped: [] };
  let shared: Int16Array | undefined;
  if (consent) {
    shared = new Int16Array(new SharedArrayBuffer(consent.length * 2));
    shared.set(consent);
  }
  e.recordAtOpen = (): RecordStart => ({
    request: { file, format, ...(shared ? { consent: [[8000, shared] as const] } : {}) },
    listener: { started: (f) => heard.started.push(f), stopped: (f, error) => heard.stopped.push({ file: f, ...(error ? { error } : {}) }) },
  });
  let port = 0;
  const far = await farEnd(() => port);
  const media = (await e.open({ callId: `rec-${Math.random()}`, line: 'echo', on: { quality() {}, dtmf() {}, remoteHold() {} } })) as WorkerCallMedia;
  port = media.rtpPort;
  const n = negotiated(far.port);
  media.apply(n, compareNegotiated(undefined, n));
  return { e, media, far, heard };
}

describe('recording in the media worker', { timeout: 60_000 }, () => {
  for (const how of ['throw', 'exit'] as CrashKind[]) {
    test(`a worker that dies mid-call (${how}) leaves a readable WAV, and the re-opened media carries on in it`, async () => {
      const file = join(dir, `crash-${how}.wav`);
      const { media, far, heard } = await recordedCall(file);
      try {
        await until(() => heard.started.length === 1, 5000, 'the recording to start');
        await delay(1_200);
        const dead = media.worker!;
        dead.crash(how);
        await until(() => !dead.alive, 5000, 'the death to be noticed');
        const mark = far.got.length;
        await until(() => far.got.length > mark + 25, 5000, 'the echo from the re-opened media');
        await delay(1_000);
        media.close();
        await until(() => heard.stopped.length === 1, 5000, 'the recording to stop');
      } finally {
        far.stop();
      }
      assert.deepEqual(heard.stopped, [{ file }]);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const wav = readStereoWav(file);
      assert.equal(wav.headerDataBytes, wav.fileDataBytes, 'the header states what the file holds');
      const seconds = wav.left.length / 8000;
      // What the dead worker had not written yet (up to its write batch) is lost; the rest is there.
      assert.ok(seconds > 1.5 && seconds < 4, `${seconds.toFixed(2)} s`);
      const first = wav.left.subarray(1600, 4800);
      const last = wav.left.subarray(wav.left.length - 4000, wav.left.length - 800);
      assert.ok(Math.abs(toneFrequency(first, 8000) - 440) < 5, 'the caller before the crash');
      assert.ok(Math.abs(toneFrequency(last, 8000) - 440) < 5, 'the caller after it');
      assert.ok(Math.abs(toneFrequency(wav.right.subarray(wav.right.length - 4000, wav.right.length - 800), 8000) - 440) < 5, 'our side (the echo) after it');
    });
  }

  test('an Opus recording whose worker dies goes on as a second (chained) Ogg stream in the same file, which opusdec plays whole', { skip: !findBinary('opusdec') ? 'opusdec missing (opus-tools)' : false }, async () => {
    const file = join(dir, 'crash.opus');
    const { media, far, heard } = await recordedCall(file, undefined, 'opus');
    try {
      await until(() => heard.started.length === 1, 5000, 'the recording to start');
      await delay(1_500);
      const dead = media.worker!;
      dead.crash('throw');
      await until(() => !dead.alive, 5000, 'the death to be noticed');
      const mark = far.got.length;
      await until(() => far.got.length > mark + 25, 5000, 'the echo from the re-opened media');
      await delay(1_000);
      media.close();
      await until(() => heard.stopped.length === 1, 5000, 'the recording to stop');
    } finally {
      far.stop();
    }
    assert.deepEqual(heard.stopped, [{ file }]);
    const pages = parseOggPages(readFileSync(file));
    assert.ok(pages.every((p) => p.crcOk), 'every page checks');
    const streams = new Set(pages.map((p) => p.serial));
    assert.equal(streams.size, 2, 'two logical streams, one after the other');
    assert.equal(pages.at(-1)!.flags & OGG_EOS, OGG_EOS);
    const info = execFileSync(findBinary('opusinfo')!, [file], { encoding: 'utf8' });
    assert.doesNotMatch(info, /WARNING|ERROR/, info);
    assert.match(info, /New logical stream \(#2/);
    const out = join(dir, 'crash-decoded.wav');
    execFileSync(findBinary('opusdec')!, ['--quiet', '--rate', '48000', file, out]);
    const wav = readStereoWav(out);
    const seconds = wav.left.length / 48_000;
    assert.ok(seconds > 1.5 && seconds < 4.5, `${seconds.toFixed(2)} s decoded`);
    assert.ok(Math.abs(toneFrequency(wav.left.subarray(wav.left.length - 48_000, wav.left.length - 4800), 48_000) - 440) < 5, 'the caller after the crash');
  });

  test('the consent message plays to the far end first, then the echo is connected; the recording holds both', async () => {
    const file = join(dir, 'consent.wav');
    const { media, far, heard } = await recordedCall(file, sine(800, 8000, 4800, 8000));
    try {
      await until(() => far.got.length >= 75, 5000, '1.5 s of our audio');
      media.close();
      await until(() => heard.stopped.length === 1, 5000, 'the recording to stop');
    } finally {
      far.stop();
    }
    const sent = decodeMulaw(Buffer.concat(far.got));
    assert.ok(Math.abs(toneFrequency(sent.subarray(800, 4000), 8000) - 800) < 5, 'the consent first (800 Hz)');
    assert.ok(Math.abs(toneFrequency(sent.subarray(sent.length - 3200, sent.length - 320), 8000) - 440) < 5, 'then the echo of the caller (440 Hz)');
    const wav = readStereoWav(file);
    assert.ok(Math.abs(toneFrequency(wav.right.subarray(800, 4000), 8000) - 800) < 5, 'the recording\'s right channel: the consent');
    assert.ok(Math.abs(toneFrequency(wav.left.subarray(800, 4000), 8000) - 440) < 5, 'the caller heard during it');
    assert.ok(Math.abs(toneFrequency(wav.right.subarray(wav.right.length - 3200, wav.right.length - 320), 8000) - 440) < 5, 'then the echo');
    assert.ok(logs.some((l) => l.includes('consent message played')));
  });
});
