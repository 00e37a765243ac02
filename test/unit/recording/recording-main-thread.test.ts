import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, test } from 'node:test';
import { systemClock } from '../../../src-main/common/clock.js';
import { createLogger } from '../../../src-main/common/logger.js';
import { encodeMulaw } from '../../../src-main/media/codec/g711.js';
import type { CallMedia } from '../../../src-main/media/call-media.js';
import { RtpMediaEngine } from '../../../src-main/media/rtp-media-engine.js';
import { compareNegotiated, type Negotiated } from '../../../src-main/media/sdp/negotiate.js';
import { readStereoWav } from '../../support/recording-files.js';
import { sine, toneFrequency } from '../../support/tone.js';
import { until } from '../../support/until.js';

const dir = mkdtempSync(join(tmpdir(), 'linedesk-rec-main-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('media on the main thread (media.workers 0) records too: an echo line, 440 Hz on both sides', async () => {
  const engine = new RtpMediaEngine({
    address: '127.0.0.1',
    ports: { min: 45000, max: 45999 },
    codecs: ['PCMU'],
    symmetricRtp: true,
    jitter: { minDelayMs: 20, maxDelayMs: 200 },
    devices: undefined,
    clock: systemClock,
    log: createLogger('warn'),
    lineMedia: () => ({ mode: 'echo', headset: null, microphone: null }),
  });
  const file = join(dir, 'main.wav');
  const events: string[] = [];
  engine.recordAtOpen = () => ({ request: { file, format: 'wav' }, listener: { started: () => events.push('started'), stopped: (_f, e) => events.push(`stopped${e ? ` ${e}` : ''}`) } });
  const far = dgram.createSocket('udp4');
  await new Promise<void>((r) => far.bind(0, '127.0.0.1', () => r()));
  const media = (await engine.open({ callId: 'main-1', line: 'echo', on: { quality() {}, dtmf() {}, remoteHold() {} } })) as CallMedia;
  const n: Negotiated = {
    remote: { address: '127.0.0.1', rtpPort: far.address().port, rtcpPort: far.address().port + 1, rtcpAddress: '127.0.0.1', rtcpMux: false },
    codec: { name: 'PCMU', payloadType: 0, receivePayloadType: 0, clockRate: 8000, channels: 1, fmtp: {} },
    ptimeMs: 20,
    direction: 'sendrecv',
    remoteHold: false,
  };
  media.apply(n, compareNegotiated(undefined, n));
  const pcm = sine(440, 8000, 8000, 8000);
  let seq = 0;
  const timer = setInterval(() => {
    const h = Buffer.alloc(12);
    h[0] = 0x80;
    h.writeUInt16BE(seq, 2);
    h.writeUInt32BE(seq * 160, 4);
    h.writeUInt32BE(0x1234, 8);
    const at = (seq * 160) % (pcm.length - 160);
    far.send(Buffer.concat([h, Buffer.from(encodeMulaw(pcm.subarray(at, at + 160)))]), media.rtpPort, '127.0.0.1');
    seq++;
  }, 20);
  try {
    await delay(1_500);
  } finally {
    clearInterval(timer);
    media.close();
    far.close();
  }
  await until(() => events.includes('stopped'), 5000, 'the recording to stop');
  engine.close();
  assert.deepEqual(events, ['started', 'stopped']);
  const wav = readStereoWav(file);
  assert.equal(wav.headerDataBytes, wav.fileDataBytes);
  assert.ok(Math.abs(toneFrequency(wav.left.subarray(2400, 8000), 8000) - 440) < 5);
  assert.ok(Math.abs(toneFrequency(wav.right.subarray(2400, 8000), 8000) - 440) < 5);
});
