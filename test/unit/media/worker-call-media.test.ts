import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createLogger } from '../../../src-main/common/logger.js';
import type { MediaRequest } from '../../../src-main/media/media-engine.js';
import { compareNegotiated, type Negotiated } from '../../../src-main/media/sdp/negotiate.js';
import { generateCrypto } from '../../../src-main/media/srtp/sdes.js';
import { fromWire, type ToWorker } from '../../../src-main/media/worker/media-protocol.js';
import type { MediaWorker } from '../../../src-main/media/worker/media-worker.js';
import { WorkerCallMedia } from '../../../src-main/media/worker/worker-call-media.js';
import { FakeClock, drain } from '../../support/fake-clock.js';

/** A worker as the proxy sees it: what was posted to it, and whether it is alive. */
class FakeWorker {
  readonly posted: ToWorker[] = [];
  alive = true;
  post(m: ToWorker): void {
    this.posted.push(m);
  }
  of<T extends ToWorker['t']>(t: T): Extract<ToWorker, { t: T }>[] {
    return this.posted.filter((m): m is Extract<ToWorker, { t: T }> => m.t === t);
  }
}

function negotiated(over: Partial<Negotiated> = {}): Negotiated {
  return {
    remote: { address: '192.0.2.10', rtpPort: 4000, rtcpPort: 4001, rtcpAddress: '192.0.2.10', rtcpMux: false },
    codec: { name: 'PCMU', payloadType: 0, receivePayloadType: 0, clockRate: 8000, channels: 1, fmtp: {} },
    telephoneEvent: { payloadType: 101, receivePayloadType: 101, clockRate: 8000 },
    ptimeMs: 20,
    direction: 'sendrecv',
    remoteHold: false,
    ...over,
  };
}

function srtp(local = generateCrypto(1, 'AES_CM_128_HMAC_SHA1_80'), remote = generateCrypto(1, 'AES_CM_128_HMAC_SHA1_80')): NonNullable<Negotiated['srtp']> {
  return { suite: 'AES_CM_128_HMAC_SHA1_80', local, remote, profile: 'RTP/SAVP' };
}

interface Harness {
  proxy: WorkerCallMedia;
  workers: FakeWorker[];
  clock: FakeClock;
  events: string[];
  gone: number[];
  logs: string[];
  /** Opens (the fake worker answers `opened` on `port`). */
  open(port?: number): Promise<void>;
}

function harness(): Harness {
  const workers: FakeWorker[] = [];
  const events: string[] = [];
  const gone: number[] = [];
  const logs: string[] = [];
  const clock = new FakeClock();
  const request: MediaRequest = {
    callId: 'c1',
    line: 'l1',
    on: {
      quality: (q) => events.push(`quality ${q.codec}`),
      dtmf: (d, ms) => events.push(`dtmf ${d} ${ms}`),
      remoteHold: (on) => events.push(`remoteHold ${on}`),
      failed: (detail) => events.push(`failed ${detail}`),
    },
  };
  const proxy = new WorkerCallMedia({
    id: 7,
    request,
    mode: 'echo',
    address: '127.0.0.1',
    codecs: ['PCMU'],
    ports: { min: 40000, max: 40100 },
    recentPorts: () => [40002],
    pick: () => {
      const w = new FakeWorker();
      workers.push(w);
      return Promise.resolve(w as unknown as MediaWorker);
    },
    clock,
    log: createLogger('debug', (l) => logs.push(l)),
    gone: (_p, port) => gone.push(port ?? -1),
  });
  const open = async (port = 40010): Promise<void> => {
    const opening = proxy.open();
    await drain();
    proxy.onMessage({ t: 'opened', id: 7, port });
    await opening;
  };
  return { proxy, workers, clock, events, gone, logs, open };
}

describe('WorkerCallMedia: a call\'s media on the main thread while it runs in a worker', () => {
  test('open() asks a worker to bind the ports (avoiding the recent ones) and resolves with the port it bound', async () => {
    const h = harness();
    await h.open(40010);
    const [open] = h.workers[0]!.of('open');
    assert.equal(open!.callId, 'c1');
    assert.deepEqual(open!.avoid, [40002]);
    assert.equal(open!.port, undefined, 'a first open takes any free pair');
    assert.equal(h.proxy.rtpPort, 40010);
  });

  test('a bind that fails in the worker rejects open()', async () => {
    const h = harness();
    const opening = h.proxy.open();
    await drain();
    h.proxy.onMessage({ t: 'open-failed', id: 7, error: 'no free RTP port pair' });
    await assert.rejects(opening, /no free RTP port pair/);
  });

  test('apply() sends the negotiation (SRTP keys as plain bytes) and keeps what the call reads', async () => {
    const h = harness();
    await h.open();
    const n = negotiated({ srtp: srtp() });
    h.proxy.apply(n, compareNegotiated(undefined, n));
    const [apply] = h.workers[0]!.of('apply');
    assert.ok(!Buffer.isBuffer(apply!.negotiated.srtp!.local.master.key), 'no Buffer crosses (it would carry its whole pool)');
    assert.equal(apply!.negotiated.srtp!.local.master.key.byteLength, 16);
    const back = fromWire(apply!.negotiated);
    assert.ok(Buffer.isBuffer(back.srtp!.local.master.key));
    assert.ok(back.srtp!.local.master.key.equals(n.srtp!.local.master.key));
    assert.equal(h.proxy.negotiated, n);
    assert.equal(h.proxy.srtpSuite, 'AES_CM_128_HMAC_SHA1_80');
  });

  test('remote hold is reported as the negotiation is applied, synchronously, as CallMedia did', async () => {
    const h = harness();
    await h.open();
    const first = negotiated();
    h.proxy.apply(first, compareNegotiated(undefined, first));
    const held = negotiated({ direction: 'recvonly', remoteHold: true });
    h.proxy.apply(held, compareNegotiated(first, held));
    assert.deepEqual(h.events, ['remoteHold true']);
    h.proxy.apply(first, compareNegotiated(held, first));
    assert.deepEqual(h.events, ['remoteHold true', 'remoteHold false']);
  });

  test('a key of ours offered again after it was replaced is refused at once (RFC 3711 §9.1), before anything is sent', async () => {
    const h = harness();
    await h.open();
    const key1 = generateCrypto(1, 'AES_CM_128_HMAC_SHA1_80');
    const a = negotiated({ srtp: srtp(key1) });
    h.proxy.apply(a, compareNegotiated(undefined, a));
    const b = negotiated({ srtp: srtp() });
    h.proxy.apply(b, compareNegotiated(a, b));
    const again = negotiated({ srtp: srtp(key1) });
    assert.throws(() => h.proxy.apply(again, compareNegotiated(b, again)), /second SRTP context/);
    assert.equal(h.workers[0]!.of('apply').length, 2);
  });

  test('DTMF: false without telephone-event or without a digit; otherwise sent to the worker', async () => {
    const h = harness();
    await h.open();
    const plain = negotiated({ telephoneEvent: undefined });
    h.proxy.apply(plain, compareNegotiated(undefined, plain));
    assert.equal(h.proxy.sendDtmf('1'), false);
    const te = negotiated();
    h.proxy.apply(te, compareNegotiated(plain, te));
    assert.equal(h.proxy.sendDtmf('xyz'), false);
    assert.equal(h.proxy.sendDtmf('12#', 80), true);
    assert.deepEqual(h.workers[0]!.of('dtmf').map((m) => [m.tones, m.durationMs]), [['12#', 80]]);
  });

  test('quality and digits from the worker reach the call; nothing after close', async () => {
    const h = harness();
    await h.open();
    h.proxy.onMessage({ t: 'quality', id: 7, quality: { codec: 'PCMU', lossPct: 0, jitterMs: 1, mos: 4.4, jitterBufferMs: 20, encrypted: false } });
    h.proxy.onMessage({ t: 'dtmf', id: 7, digit: '5', durationMs: 120 });
    h.proxy.close();
    h.proxy.onMessage({ t: 'dtmf', id: 7, digit: '6', durationMs: 120 });
    assert.deepEqual(h.events, ['quality PCMU', 'dtmf 5 120']);
  });

  test('close() asks the worker to close; the engine stops counting the call once the worker says its ports are free', async () => {
    const h = harness();
    await h.open(40010);
    h.proxy.close();
    h.proxy.close();
    assert.equal(h.workers[0]!.of('close').length, 1);
    assert.deepEqual(h.gone, []);
    h.proxy.onMessage({ t: 'closed', id: 7, port: 40010 });
    assert.deepEqual(h.gone, [40010]);
  });

  test('its worker died: a plain RTP call is re-opened on another worker, on the same port, with the last negotiation and mute', async () => {
    const h = harness();
    await h.open(40010);
    const n = negotiated();
    h.proxy.apply(n, compareNegotiated(undefined, n));
    h.proxy.setMuted(true);
    h.workers[0]!.alive = false;
    h.proxy.workerDied('it threw: boom');
    await drain();
    assert.equal(h.workers.length, 2, 'a new worker was picked');
    const [reopen] = h.workers[1]!.of('open');
    assert.equal(reopen!.port, 40010, 'the same port: the far end keeps sending there');
    // Meanwhile the call goes on: a new negotiation is kept and applied once the ports are bound.
    const held = negotiated({ direction: 'sendonly' });
    h.proxy.apply(held, compareNegotiated(n, held));
    assert.equal(h.workers[1]!.of('apply').length, 0, 'nothing is sent before the worker has the call');
    h.proxy.onMessage({ t: 'opened', id: 7, port: 40010 });
    await drain();
    const applies = h.workers[1]!.of('apply');
    assert.equal(applies.length, 1);
    assert.equal(applies[0]!.negotiated.direction, 'sendonly', 'the latest negotiation');
    assert.ok(Object.values(applies[0]!.changes).every(Boolean), 'applied as a first negotiation');
    assert.deepEqual(h.workers[1]!.of('mute').map((m) => m.on), [true]);
    assert.ok(!h.events.some((e) => e.startsWith('failed')));
  });

  test('its worker died: an SRTP call fails (its keys cannot move), and so does a call whose worker dies twice within a minute', async () => {
    const s = harness();
    await s.open();
    const n = negotiated({ srtp: srtp() });
    s.proxy.apply(n, compareNegotiated(undefined, n));
    s.workers[0]!.alive = false;
    s.proxy.workerDied('it exited with code 70');
    assert.equal(s.events.length, 1);
    assert.match(s.events[0]!, /^failed the media worker died \(it exited with code 70\); an SRTP call cannot be carried over/);
    assert.deepEqual(s.gone, [40010], 'its ports went with the worker');

    const h = harness();
    await h.open();
    const plain = negotiated();
    h.proxy.apply(plain, compareNegotiated(undefined, plain));
    h.workers[0]!.alive = false;
    h.proxy.workerDied('first');
    await drain();
    h.proxy.onMessage({ t: 'opened', id: 7, port: 40010 });
    await drain();
    h.clock.advance(30_000);
    h.workers[1]!.alive = false;
    h.proxy.workerDied('second');
    assert.match(h.events.at(-1)!, /^failed the media worker died \(second\) again within a minute/);
  });

  test('a re-open that cannot bind the port fails the call', async () => {
    const h = harness();
    await h.open();
    h.workers[0]!.alive = false;
    h.proxy.workerDied('hang');
    await drain();
    h.proxy.onMessage({ t: 'open-failed', id: 7, error: 'cannot bind RTP on 127.0.0.1:40010: EADDRINUSE' });
    await drain();
    assert.match(h.events.at(-1)!, /re-opening its media failed: cannot bind RTP/);
  });

  test('a worker that dies while the ports are being bound: the open goes on with another worker', async () => {
    const h = harness();
    const opening = h.proxy.open();
    await drain();
    h.workers[0]!.alive = false;
    h.proxy.workerDied('it threw: boom');
    await drain();
    h.proxy.onMessage({ t: 'opened', id: 7, port: 40020 });
    await opening;
    assert.equal(h.proxy.rtpPort, 40020);
    assert.equal(h.proxy.worker, h.workers[1] as unknown as MediaWorker);
  });

  test('apply failing in the worker ends the call as failed', async () => {
    const h = harness();
    await h.open();
    h.proxy.onMessage({ t: 'apply-failed', id: 7, error: 'opus decoder could not start' });
    assert.deepEqual(h.events, ['failed the media could not take the negotiation: opus decoder could not start']);
    assert.equal(h.workers[0]!.of('close').length, 1);
  });
});
