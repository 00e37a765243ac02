import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { setTimeout as delay } from 'node:timers/promises';
import { after, describe, test } from 'node:test';
import { systemClock } from '../../../src-main/common/clock.js';
import { createLogger } from '../../../src-main/common/logger.js';
import type { AudioDevices } from '../../../src-main/media/audio/audio-device.js';
import { NullAudioDevices } from '../../../src-main/media/audio/null-devices.js';
import { decodeMulaw, encodeMulaw } from '../../../src-main/media/codec/g711.js';
import type { MediaMode } from '../../../src-main/media/call-media.js';
import { compareNegotiated, type Negotiated } from '../../../src-main/media/sdp/negotiate.js';
import { generateCrypto } from '../../../src-main/media/srtp/sdes.js';
import type { CrashKind } from '../../../src-main/media/worker/media-protocol.js';
import type { WorkerCallMedia } from '../../../src-main/media/worker/worker-call-media.js';
import { WorkerMediaEngine } from '../../../src-main/media/worker/worker-media-engine.js';
import { sine, toneFrequency } from '../../support/tone.js';
import { until } from '../../support/until.js';

/*
 * The worker pool for real: threads, UDP sockets on loopback, a far end that sends G.711
 * and listens. Workers are killed mid-call the ways a bug kills them (an exception nobody
 * catches, process.exit in the worker, an endless loop) and the calls are watched after.
 */

interface FarEnd {
  socket: dgram.Socket;
  port: number;
  /** RTP packets received: [ssrc, seq, payload]. */
  got: Array<{ ssrc: number; seq: number; payload: Buffer; from: number }>;
  /** Sends 20 ms PCMU packets of `pcm` (looped) to `to` every 20 ms until stop(). */
  stream(to: number, pcm?: Int16Array): { stop(): void };
  close(): void;
}

async function farEnd(): Promise<FarEnd> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const got: FarEnd['got'] = [];
  socket.on('message', (b, rinfo) => {
    if (b.length < 12 || (b[1]! & 0x7f) >= 72) return; // RTCP
    got.push({ ssrc: b.readUInt32BE(8), seq: b.readUInt16BE(2), payload: b.subarray(12), from: rinfo.port });
  });
  return {
    socket,
    port: socket.address().port,
    got,
    stream(to, pcm = sine(440, 8000, 8000, 8000)) {
      let seq = 0;
      const timer = setInterval(() => {
        const at = (seq * 160) % (pcm.length - 160);
        const h = Buffer.alloc(12);
        h[0] = 0x80;
        h[1] = seq === 0 ? 0x80 : 0;
        h.writeUInt16BE(seq & 0xffff, 2);
        h.writeUInt32BE((seq * 160) >>> 0, 4);
        h.writeUInt32BE(0xfa4e, 8);
        socket.send(Buffer.concat([h, Buffer.from(encodeMulaw(pcm.subarray(at, at + 160)))]), to, '127.0.0.1');
        seq++;
      }, 20);
      return { stop: () => clearInterval(timer) };
    },
    close: () => socket.close(),
  };
}

function negotiated(remotePort: number, srtp?: Negotiated['srtp']): Negotiated {
  return {
    remote: { address: '127.0.0.1', rtpPort: remotePort, rtcpPort: remotePort + 1, rtcpAddress: '127.0.0.1', rtcpMux: false },
    codec: { name: 'PCMU', payloadType: 0, receivePayloadType: 0, clockRate: 8000, channels: 1, fmtp: {} },
    telephoneEvent: { payloadType: 101, receivePayloadType: 101, clockRate: 8000 },
    ptimeMs: 20,
    direction: 'sendrecv',
    remoteHold: false,
    ...(srtp ? { srtp } : {}),
  };
}

const logs: string[] = [];
const engines: WorkerMediaEngine[] = [];
after(async () => {
  for (const e of engines) await e.shutdown();
});

async function engine(opts: { devices?: AudioDevices; mode?: MediaMode } = {}): Promise<WorkerMediaEngine> {
  const e = new WorkerMediaEngine({
    workers: 2,
    address: '127.0.0.1',
    ports: { min: 47000, max: 47999 },
    codecs: ['PCMU'],
    symmetricRtp: true,
    jitter: { minDelayMs: 20, maxDelayMs: 200 },
    devices: opts.devices,
    clock: systemClock,
    log: createLogger('info', (l) => logs.push(l)),
    lineMedia: () => ({ mode: opts.mode ?? 'echo', headset: null, microphone: null }),
    heartbeatMs: 100,
    watchdogMs: 1500,
  });
  engines.push(e);
  await e.start();
  return e;
}

interface Opened {
  media: WorkerCallMedia;
  events: string[];
}

async function call(e: WorkerMediaEngine, far: FarEnd, srtp?: Negotiated['srtp']): Promise<Opened> {
  const events: string[] = [];
  const media = (await e.open({
    callId: `call-${Math.random()}`,
    line: 'echo',
    on: { quality() {}, dtmf() {}, remoteHold() {}, failed: (d) => events.push(`failed ${d}`) },
  })) as WorkerCallMedia;
  const n = negotiated(far.port, srtp);
  media.apply(n, compareNegotiated(undefined, n));
  return { media, events };
}

/** Packets echoed to `far` from now on. */
function echoedSince(far: FarEnd, mark: number): FarEnd['got'] {
  return far.got.slice(mark);
}

describe('media workers for real: threads, sockets, crashes', { timeout: 60_000 }, () => {
  test('a call opens on a worker (its port bound there) and an echo line sends back what it hears', async () => {
    const e = await engine();
    const far = await farEnd();
    try {
      const { media } = await call(e, far);
      assert.ok(media.rtpPort >= 47000 && media.rtpPort <= 47999 && media.rtpPort % 2 === 0, `port ${media.rtpPort}`);
      assert.ok(e.workers.includes(media.worker!), 'on a live worker');
      const tx = far.stream(media.rtpPort);
      await until(() => far.got.length >= 25, 5000, 'the echo');
      tx.stop();
      assert.ok(far.got.every((p) => p.from === media.rtpPort), 'from the call\'s port');
      const heard = decodeMulaw(Buffer.concat(far.got.slice(-20).map((p) => p.payload)));
      assert.ok(Math.abs(toneFrequency(heard, 8000) - 440) < 5, 'the 440 Hz tone comes back');
      assert.equal(e.stats().calls, 1);
      media.close();
      await until(() => e.stats().calls === 0, 2000, 'the worker to release the ports');
    } finally {
      far.close();
    }
  });

  test('calls are spread over the workers: each goes to the one with the fewest', async () => {
    const e = await engine();
    const far = await farEnd();
    try {
      const opened = await Promise.all([0, 1, 2, 3].map(() => call(e, far)));
      const perWorker = new Map<unknown, number>();
      for (const o of opened) perWorker.set(o.media.worker, (perWorker.get(o.media.worker) ?? 0) + 1);
      assert.deepEqual([...perWorker.values()], [2, 2]);
      for (const o of opened) o.media.close();
    } finally {
      far.close();
    }
  });

  for (const how of ['throw', 'exit', 'hang'] as CrashKind[]) {
    test(`a worker that dies mid-call (${how === 'hang' ? 'stops answering: the watchdog' : how === 'throw' ? 'an uncaught exception' : 'process.exit'}) is replaced, and its plain RTP call echoes again from the same port`, async () => {
      const e = await engine();
      const far = await farEnd();
      try {
        const { media, events } = await call(e, far);
        const tx = far.stream(media.rtpPort);
        await until(() => far.got.length >= 10, 5000, 'the echo');
        const dead = media.worker!;
        const threads = e.workers.map((w) => w.threadId);
        const before = far.got.at(-1)!.ssrc;
        dead.crash(how);
        await until(() => !dead.alive, 5000, 'the death to be noticed');
        const mark = far.got.length;
        await until(() => echoedSince(far, mark).some((p) => p.ssrc !== before), 5000, 'the echo from the re-opened media');
        tx.stop();
        const after = echoedSince(far, mark).filter((p) => p.ssrc !== before);
        assert.ok(after.every((p) => p.from === media.rtpPort), 'from the same port');
        assert.equal(e.workers.length, 2, 'the pool is whole again');
        assert.ok(e.workers.every((w) => w.alive));
        assert.ok(e.workers.some((w) => !threads.includes(w.threadId)), 'with a new thread');
        assert.notEqual(media.worker, dead);
        assert.deepEqual(events, [], 'the call was not failed');
        assert.ok(logs.some((l) => l.includes('re-opening the call\'s media on another worker')));
        media.close();
      } finally {
        far.close();
      }
    });
  }

  test('a main thread that stalls past the watchdog does not take its busy workers for hung (their heartbeats wait unread)', async () => {
    const e = await engine();
    const far = await farEnd();
    try {
      const { media } = await call(e, far);
      const tx = far.stream(media.rtpPort);
      await until(() => far.got.length >= 10, 5000, 'the echo');
      const threads = e.workers.map((w) => w.threadId);
      const logMark = logs.length;
      // Block this thread for longer than the watchdog (1.5 s) as an overloaded main thread would.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2500);
      await delay(1000);
      tx.stop();
      assert.deepEqual(e.workers.map((w) => w.threadId), threads, 'the same threads');
      assert.ok(e.workers.every((w) => w.alive));
      assert.ok(!logs.slice(logMark).some((l) => l.includes('stopped answering')), 'no worker was taken for hung');
      media.close();
    } finally {
      far.close();
    }
  });

  test('an SRTP call whose worker dies is ended as failed (and stops being counted); the other worker\'s calls go on', async () => {
    const e = await engine();
    const far = await farEnd();
    try {
      const key = (): ReturnType<typeof generateCrypto> => generateCrypto(1, 'AES_CM_128_HMAC_SHA1_80');
      const secure = await call(e, far, { suite: 'AES_CM_128_HMAC_SHA1_80', local: key(), remote: key(), profile: 'RTP/SAVP' });
      const plain = await call(e, far);
      assert.notEqual(secure.media.worker, plain.media.worker);
      secure.media.worker!.crash('throw');
      await until(() => secure.events.length > 0, 5000, 'the SRTP call to fail');
      assert.match(secure.events[0]!, /^failed the media worker died \(it threw: media worker crash requested\); an SRTP call cannot be carried over/);
      await until(() => e.stats().calls === 1, 2000, 'only the other call to be counted');
      assert.ok(plain.media.worker!.alive);
      assert.deepEqual(plain.events, []);
      plain.media.close();
    } finally {
      far.close();
    }
  });

  test('device mode: the card\'s callbacks only copy; the far end\'s tone reaches the playback, the microphone reaches the far end', async () => {
    const format = { sampleRate: 48_000, frameSamples: 960 };
    const played: Int16Array[] = [];
    const mic = sine(1000, 48_000, 48_000, 8000);
    let micAt = 0;
    const inner = new NullAudioDevices({ clock: systemClock, format });
    const devices: AudioDevices = Object.assign(Object.create(inner) as AudioDevices, {
      openPlayback: (d: string | null, pull: () => Int16Array) => inner.openPlayback(d, () => {
        const f = pull();
        played.push(f.slice());
        return f;
      }),
      openCapture: (d: string | null, push: (f: Int16Array) => void) =>
        inner.openCapture(d, () => {
          const f = mic.subarray(micAt, micAt + 960);
          micAt = (micAt + 960) % (mic.length - 960);
          push(f);
        }),
    });
    const e = await engine({ devices, mode: 'device' });
    const far = await farEnd();
    try {
      const { media } = await call(e, far);
      const tx = far.stream(media.rtpPort);
      await until(() => far.got.length >= 40 && played.length >= 60, 5000, 'audio both ways');
      tx.stop();
      const heard = Int16Array.from(played.slice(-30).flatMap((f) => [...f]));
      assert.ok(Math.abs(toneFrequency(heard, 48_000) - 440) < 5, `the headset plays the far end's 440 Hz (${toneFrequency(heard, 48_000).toFixed(1)} Hz)`);
      const sent = decodeMulaw(Buffer.concat(far.got.slice(-20).map((p) => p.payload)));
      assert.ok(Math.abs(toneFrequency(sent, 8000) - 1000) < 5, `the far end hears the microphone's 1 kHz (${toneFrequency(sent, 8000).toFixed(1)} Hz)`);
      media.close();
      await until(() => e.stats().calls === 0, 2000, 'the call to close');
    } finally {
      far.close();
      inner.close();
    }
  });

  test('shutdown closes every call and stops the threads', async () => {
    const e = await engine();
    const far = await farEnd();
    try {
      await call(e, far);
      await call(e, far);
      await e.shutdown();
      assert.equal(e.stats().calls, 0);
      assert.equal(e.workers.length, 0);
      await assert.rejects(e.open({ callId: 'late', line: 'echo', on: { quality() {}, dtmf() {}, remoteHold() {} } }), /closed/);
    } finally {
      far.close();
    }
  });
});

// The pool must not keep a test process alive once it is shut down.
after(() => delay(0));
