import assert from 'node:assert/strict';
import type { RemoteInfo, Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { afterEach, describe, test } from 'node:test';
import { createLogger, type Logger } from '../../../src-main/common/logger.js';
import { CallMedia, type MediaMode } from '../../../src-main/media/call-media.js';
import { encodeMulaw } from '../../../src-main/media/codec/g711.js';
import { G711Codec } from '../../../src-main/media/codec/g711-codec.js';
import { OpusCodec, opusUnavailableReason } from '../../../src-main/media/codec/opus-codec.js';
import { decodeEvent, encodeEvent } from '../../../src-main/media/dtmf/rfc4733.js';
import { MediaTicker } from '../../../src-main/media/media-ticker.js';
import type { RtpPortPair } from '../../../src-main/media/rtp/rtp-port-pair.js';
import { compareNegotiated, type Negotiated } from '../../../src-main/media/sdp/negotiate.js';
import { FakeClock } from '../../support/fake-clock.js';

// ---- harness: CallMedia on fake sockets and a fake clock ---------------------------------

class FakeSocket extends EventEmitter {
  readonly sent: Buffer[] = [];
  send(data: Uint8Array, _port: number, _address: string, cb?: (error: Error | null) => void): void {
    this.sent.push(Buffer.from(data));
    cb?.(null);
  }
  close(): void {}
}

interface Rtp {
  pt: number;
  marker: boolean;
  seq: number;
  ts: number;
  payload: Buffer;
}

const parse = (d: Buffer): Rtp => ({ pt: d[1]! & 0x7f, marker: (d[1]! & 0x80) !== 0, seq: d.readUInt16BE(2), ts: d.readUInt32BE(4), payload: d.subarray(12) });

function packet(pt: number, seq: number, ts: number, payload: Uint8Array, marker = false): Buffer {
  const h = Buffer.alloc(12);
  h[0] = 0x80;
  h[1] = (marker ? 0x80 : 0) | pt;
  h.writeUInt16BE(seq & 0xffff, 2);
  h.writeUInt32BE(ts >>> 0, 4);
  h.writeUInt32BE(0x1234, 8);
  return Buffer.concat([h, payload]);
}

function negotiated(over: { codec?: Partial<Negotiated['codec']>; telephoneEvent?: Negotiated['telephoneEvent']; ptimeMs?: number; direction?: Negotiated['direction'] } = {}): Negotiated {
  const n: Negotiated = {
    remote: { address: '192.0.2.10', rtpPort: 4000, rtcpPort: 4001, rtcpAddress: '192.0.2.10', rtcpMux: false },
    codec: { name: 'PCMU', payloadType: 0, receivePayloadType: 0, clockRate: 8000, channels: 1, fmtp: {}, ...over.codec },
    telephoneEvent: over.telephoneEvent ?? { payloadType: 101, receivePayloadType: 101, clockRate: 8000 },
    ptimeMs: over.ptimeMs ?? 20,
    direction: over.direction ?? 'sendrecv',
    remoteHold: false,
  };
  return n;
}

interface Harness {
  clock: FakeClock;
  media: CallMedia;
  rtp: FakeSocket;
  lines: string[];
  digits: string[];
  /** What on.silent was told (the RTP timeout). */
  silent: string[];
  /** RTP packets we sent, parsed. */
  sent(): Rtp[];
  deliver(buf: Buffer): void;
}

function harness(mode: MediaMode, n: Negotiated, file?: ReadonlyMap<number, Int16Array>, rtpTimeoutMs?: number): Harness {
  const clock = new FakeClock();
  const lines: string[] = [];
  const log: Logger = createLogger('debug', (l) => lines.push(l));
  const ticker = new MediaTicker(clock, 20, log);
  const rtp = new FakeSocket();
  const rtcp = new FakeSocket();
  const pair = { rtp: rtp as unknown as Socket, rtcp: rtcp as unknown as Socket, port: 40000, close() {} } satisfies RtpPortPair;
  const digits: string[] = [];
  const silent: string[] = [];
  const media = new CallMedia({
    callId: 'c1',
    address: '127.0.0.1',
    pair,
    codecs: ['PCMU', 'PCMA', 'opus'],
    mode,
    ...(file ? { file } : {}),
    deviceRate: 48_000,
    clock,
    log,
    symmetricRtp: false,
    jitter: { minDelayMs: 20, maxDelayMs: 200 },
    ...(rtpTimeoutMs !== undefined ? { rtpTimeoutMs } : {}),
    attachDevice: () => () => {},
    subscribeTicker: (t) => ticker.subscribe(t),
    on: { quality() {}, dtmf: (d) => digits.push(d), remoteHold() {}, silent: (d) => silent.push(d) },
  });
  media.apply(n, compareNegotiated(undefined, n));
  const from: RemoteInfo = { address: '192.0.2.10', port: 4000, family: 'IPv4', size: 0 };
  return { clock, media, rtp, lines, digits, silent, sent: () => rtp.sent.map(parse), deliver: (buf) => rtp.emit('message', buf, { ...from, size: buf.length }) };
}

let open: CallMedia[] = [];
afterEach(() => {
  for (const m of open) m.close();
  open = [];
});
function started(mode: MediaMode, n: Negotiated, file?: ReadonlyMap<number, Int16Array>, rtpTimeoutMs?: number): Harness {
  const h = harness(mode, n, file, rtpTimeoutMs);
  open.push(h.media);
  return h;
}

function tone(n: number, rate: number, hz = 440, amp = 8000): Int16Array {
  const a = new Int16Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.round(amp * Math.sin((2 * Math.PI * hz * i) / rate));
  return a;
}

// ---- tests -------------------------------------------------------------------------------

describe('CallMedia service lines send in real time whatever the ptime', () => {
  for (const ptimeMs of [10, 20, 30, 40, 60]) {
    test(`echo at ${ptimeMs} ms: ${(1000 / ptimeMs).toFixed(1)} packets a second, timestamps ${ptimeMs * 8} apart`, () => {
      const h = started('echo', negotiated({ ptimeMs }));
      h.clock.advance(3000);
      const sent = h.sent();
      assert.ok(Math.abs(sent.length - 3000 / ptimeMs) <= 1, `${sent.length} packets in 3 s`);
      for (let i = 1; i < sent.length; i++) assert.equal((sent[i]!.ts - sent[i - 1]!.ts) >>> 0, ptimeMs * 8);
      assert.ok(sent.every((p) => p.payload.length === ptimeMs * 8));
    });
  }

  test('a file line at 40 ms sends the file at its codec rate, in order and looped', () => {
    const pcm = tone(8000 + 123, 8000); // 1 s and a bit: not a multiple of the packet
    const h = started('file', negotiated({ ptimeMs: 40 }), new Map([[8000, pcm]]));
    h.clock.advance(2400);
    const sent = h.sent();
    assert.ok(Math.abs(sent.length - 60) <= 1, `${sent.length} packets in 2.4 s`);
    const looped = new Int16Array(sent.length * 320);
    for (let i = 0; i < looped.length; i++) looped[i] = pcm[i % pcm.length]!;
    const expected = encodeMulaw(looped);
    assert.deepEqual(Buffer.concat(sent.map((p) => p.payload)), Buffer.from(expected));
  });
});

describe('CallMedia receiving', () => {
  test('telephone-event arriving under the number of OUR offer is received when the answer renumbered it', () => {
    // We offered telephone-event/8000 as 101; the answer called it 97 (RFC 3264 §6.1: the
    // answerer still sends with 101).
    const h = started('listen', negotiated({ telephoneEvent: { payloadType: 97, receivePayloadType: 101, clockRate: 8000 } }));
    for (let i = 0; i < 5; i++) {
      const end = i >= 3;
      h.deliver(packet(101, 10 + i, 16000, encodeEvent({ event: 5, end, volume: 10, duration: Math.min(3, i + 1) * 160 }), i === 0));
      h.clock.advance(20);
    }
    h.clock.advance(200);
    assert.deepEqual(h.digits, ['5']);
  });

  test('a single odd-sized packet does not re-size the jitter buffer; a few in a row do', () => {
    const h = started('listen', negotiated());
    let seq = 0;
    let ts = 0;
    const send = (bytes: number): void => {
      h.deliver(packet(0, seq++, ts, new Uint8Array(bytes).fill(0xff)));
      ts += bytes;
      h.clock.advance((bytes / 8) | 0);
    };
    for (let i = 0; i < 10; i++) send(160);
    send(240);
    for (let i = 0; i < 10; i++) send(160);
    assert.ok(!h.lines.some((l) => /following it/.test(l)), 'one 30 ms packet among 20 ms ones is ignored');
    for (let i = 0; i < 3; i++) send(240);
    assert.equal(h.lines.filter((l) => /the far end sends 30 ms packets \(SDP said 20 ms\): following it/.test(l)).length, 1);
  });

  test('nothing is encoded while the stream does not send (hold), and the timeline goes on', (t) => {
    // A spy: the real encoder runs, and every call is counted.
    const encode = t.mock.method(G711Codec.prototype, 'encode');
    const calls = (): number => encode.mock.callCount();
    const h = started('echo', negotiated({ direction: 'recvonly' }));
    h.clock.advance(1000);
    assert.equal(h.sent().length, 0);
    assert.equal(calls(), 0);
    const resumed = negotiated();
    h.media.apply(resumed, compareNegotiated(negotiated({ direction: 'recvonly' }), resumed));
    h.clock.advance(100);
    assert.ok(calls() >= 4 && h.sent().length >= 4);
  });
});

describe('CallMedia: a far end that went away without a BYE', () => {
  /** 20 ms PCMU packets from the far end for `ms`, in step with the clock. */
  const talk = (h: Harness, ms: number, from = 0): void => {
    for (let t = 0; t < ms; t += 20) {
      const seq = (from + t) / 20;
      h.deliver(packet(0, seq, seq * 160, new Uint8Array(160).fill(0xff)));
      h.clock.advance(20);
    }
  };

  test('nothing from the far end for the RTP timeout is said once, with how long', () => {
    const h = started('echo', negotiated(), undefined, 10_000);
    talk(h, 3000);
    h.clock.advance(9000);
    assert.deepEqual(h.silent, [], 'packets until 3 s: not silent for 10 s yet at 12 s');
    h.clock.advance(3000);
    assert.equal(h.silent.length, 1);
    assert.match(h.silent[0]!, /no RTP or RTCP from the far end for 1[0-3] s/);
    h.clock.advance(60_000);
    assert.equal(h.silent.length, 1, 'said once');
  });

  test('RTCP alone keeps the call (a far end that sends no audio but is there)', () => {
    const h = started('listen', negotiated(), undefined, 10_000);
    const rr = Buffer.from([0x80, 201, 0x00, 0x01, 0x00, 0x00, 0x12, 0x34]); // an empty receiver report
    for (let t = 0; t < 30_000; t += 5000) {
      h.rtp.emit('message', rr, { address: '192.0.2.10', port: 4000, family: 'IPv4', size: rr.length });
      h.clock.advance(5000);
    }
    assert.deepEqual(h.silent, []);
  });

  test('no watch while either side holds; it starts afresh when the audio is expected again', () => {
    const h = started('echo', negotiated(), undefined, 10_000);
    talk(h, 1000);
    const held = negotiated({ direction: 'sendonly' }); // we hold: the far end sends nothing
    h.media.apply(held, compareNegotiated(negotiated(), held));
    h.clock.advance(60_000);
    const remoteHold = { ...negotiated({ direction: 'recvonly' }), remoteHold: true }; // it holds us (maybe without music)
    h.media.apply(remoteHold, compareNegotiated(held, remoteHold));
    h.clock.advance(60_000);
    assert.deepEqual(h.silent, [], 'two minutes of holds');
    const resumed = negotiated();
    h.media.apply(resumed, compareNegotiated(remoteHold, resumed));
    h.clock.advance(9000);
    assert.deepEqual(h.silent, [], 'the watch started again at the resume');
    h.clock.advance(6000);
    assert.equal(h.silent.length, 1);
  });

  test('after the next offer/answer a silence that goes on is said again', () => {
    const h = started('echo', negotiated(), undefined, 10_000);
    h.clock.advance(12_500);
    assert.equal(h.silent.length, 1, 'a 183 that sent nothing while it rang');
    const answered = negotiated();
    h.media.apply(answered, compareNegotiated(negotiated(), answered));
    h.clock.advance(9000);
    assert.equal(h.silent.length, 1, 'the answer started the watch again');
    h.clock.advance(3500);
    assert.equal(h.silent.length, 2);
  });

  test('without rtpTimeoutMs nothing is watched', () => {
    const h = started('echo', negotiated());
    h.clock.advance(600_000);
    assert.deepEqual(h.silent, []);
  });
});

describe('CallMedia DTMF', () => {
  test('digits sent in listen mode get distinct timestamps, each after the previous event', () => {
    const h = started('listen', negotiated());
    assert.equal(h.media.sendDtmf('123', 100), true);
    h.clock.advance(2000);
    const events = h.sent().filter((p) => p.pt === 101);
    const starts = [...new Set(events.map((p) => p.ts))];
    assert.equal(starts.length, 3, `event timestamps ${starts.join(', ')}`);
    for (let i = 1; i < starts.length; i++) assert.ok(((starts[i]! - starts[i - 1]!) | 0) >= 800, 'the next digit starts after 100 ms of tone');
    const ends = events.filter((p) => decodeEvent(p.payload).end);
    assert.deepEqual([...new Set(ends.map((p) => decodeEvent(p.payload).event))], [1, 2, 3]);
  });

  test('close() cancels digits still waiting and events being played', () => {
    const h = started('listen', negotiated());
    h.media.sendDtmf('123456', 100);
    h.clock.advance(150);
    const before = h.sent().length;
    h.media.close();
    assert.equal(h.clock.pendingCount, 0, 'no timer left behind');
    h.clock.advance(3000);
    assert.equal(h.sent().length, before);
  });
});

describe('CallMedia with Opus', { skip: opusUnavailableReason() }, () => {
  test('audio arriving under the number of OUR offer is played when the answer renumbered Opus (111 → 96)', () => {
    const h = started('echo', negotiated({ codec: { name: 'opus', payloadType: 96, receivePayloadType: 111, clockRate: 48000, channels: 2 }, telephoneEvent: { payloadType: 97, receivePayloadType: 110, clockRate: 48000 } }));
    const enc = new OpusCodec();
    const pcm = tone(48_000, 48_000);
    for (let i = 0; i < 50; i++) {
      h.deliver(packet(111, i, i * 960, enc.encode(pcm.subarray(i * 960, (i + 1) * 960)), i === 0));
      h.clock.advance(20);
    }
    h.clock.advance(200);
    const dec = new OpusCodec();
    const echoed = h.sent().filter((p) => p.pt === 96);
    assert.ok(echoed.length >= 50);
    let peak = 0;
    for (const p of echoed) for (const v of dec.decode(p.payload)) peak = Math.max(peak, Math.abs(v));
    assert.ok(peak > 2000, `the echo carries the tone (peak ${peak})`);
  });

  test('a corrupt Opus packet is concealed and logged; it does not escape the media tick', () => {
    const h = started('echo', negotiated({ codec: { name: 'opus', payloadType: 111, receivePayloadType: 111, clockRate: 48000, channels: 2 } }));
    const bad = Buffer.from([0x0b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    assert.throws(() => new OpusCodec().decode(bad), 'libopus rejects this packet');
    const enc = new OpusCodec();
    const pcm = tone(48_000, 48_000);
    for (let i = 0; i < 20; i++) {
      h.deliver(packet(111, i, i * 960, i === 5 ? bad : enc.encode(pcm.subarray(i * 960, (i + 1) * 960))));
      h.clock.advance(20);
    }
    assert.doesNotThrow(() => h.clock.advance(500));
    assert.ok(h.lines.some((l) => /undecodable audio packets concealed/.test(l)));
    assert.ok(!h.lines.some((l) => /a media frame failed/.test(l)));
    assert.ok(h.sent().length >= 35, 'the echo goes on');
  });
});
