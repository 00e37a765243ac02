import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DtmfReceiver, type DtmfDigitEnd, type DtmfDigitStart, type TelephoneEventPacket } from '../../../src-main/media/dtmf/dtmf-receiver.js';
import { DtmfSender, MIN_TONE_MS, type DtmfPacket } from '../../../src-main/media/dtmf/dtmf-sender.js';
import {
  FLASH_EVENT,
  decodeEvent,
  dtmfEventCode,
  dtmfSymbol,
  encodeEvent,
  isDtmfSymbol,
} from '../../../src-main/media/dtmf/rfc4733.js';
import { FakeClock } from '../../support/fake-clock.js';

describe('RFC 4733 payload', () => {
  test('encodeEvent writes the §2.3 layout', () => {
    const payload = encodeEvent({ event: 5, end: false, volume: 10, duration: 160 });
    assert.deepEqual(
      payload,
      Buffer.from([
        0x05, // event 5
        0x0a, // E=0, R=0, volume 10 (-10 dBm0)
        0x00, 0xa0, // duration 160 (20 ms at 8 kHz)
      ]),
    );
    const end = encodeEvent({ event: 11, end: true, volume: 63, duration: 0xffff });
    assert.deepEqual(
      end,
      Buffer.from([
        0x0b, // event 11 (#)
        0xbf, // E=1, R=0, volume 63
        0xff, 0xff, // duration 65535 (the largest)
      ]),
    );
  });

  test('decodeEvent reads the fields and ignores the R bit and trailing bytes', () => {
    assert.deepEqual(
      decodeEvent(
        Uint8Array.from([
          0x10, // event 16 (flash)
          0xca, // E=1, R=1 (must be ignored), volume 10
          0x03, 0x20, // duration 800
          0xde, 0xad, // a second block (redundancy) is not read
        ]),
      ),
      { event: FLASH_EVENT, end: true, volume: 10, duration: 800 },
    );
  });

  test('decodeEvent rejects payloads shorter than 4 bytes', () => {
    assert.throws(() => decodeEvent(Uint8Array.from([0x05, 0x0a, 0x00])), RangeError);
    assert.throws(() => decodeEvent(new Uint8Array(0)), RangeError);
  });

  test('encodeEvent rejects out-of-range fields instead of wrapping them', () => {
    assert.throws(() => encodeEvent({ event: 256, end: false, volume: 10, duration: 0 }), RangeError);
    assert.throws(() => encodeEvent({ event: 1, end: false, volume: 64, duration: 0 }), RangeError);
    assert.throws(() => encodeEvent({ event: 1, end: false, volume: 10, duration: 65536 }), RangeError);
    assert.throws(() => encodeEvent({ event: 1, end: false, volume: 10, duration: -1 }), RangeError);
    assert.throws(() => encodeEvent({ event: 1.5, end: false, volume: 10, duration: 0 }), RangeError);
  });

  test('every DTMF event round-trips through encode/decode and its symbol', () => {
    const symbols = '0123456789*#ABCD!';
    for (let event = 0; event <= 16; event++) {
      for (const end of [false, true]) {
        const ev = { event, end, volume: event * 3, duration: event * 4000 + 1 };
        assert.deepEqual(decodeEvent(encodeEvent(ev)), ev);
      }
      assert.equal(dtmfSymbol(event), symbols[event]);
      assert.equal(dtmfEventCode(symbols[event] as string), event);
    }
  });

  test('symbol mapping: a-d accepted in lower case, everything else rejected', () => {
    assert.equal(dtmfEventCode('a'), 12);
    assert.equal(dtmfEventCode('d'), 15);
    assert.equal(dtmfEventCode('*'), 10);
    assert.equal(dtmfEventCode('#'), 11);
    for (const bad of ['', 'E', 'e', '55', ' ', '+', 'AB']) assert.equal(dtmfEventCode(bad), undefined, bad);
    assert.equal(dtmfSymbol(17), undefined);
    assert.equal(dtmfSymbol(-1), undefined);
    assert.equal(isDtmfSymbol('A'), true);
    assert.equal(isDtmfSymbol('a'), false, 'the type guard is strict: normalise first');
  });
});

describe('DtmfSender', () => {
  test("'5' at 8 kHz, 20 ms, 100 ms: marker first, same timestamp, growing duration, end x3", () => {
    const plan = new DtmfSender({ clockRate: 8000 }).plan('5', 3200);
    const expected: Array<[boolean, number[], boolean, number]> = [
      // marker, payload, endOfEvent, offsetMs
      [true, [0x05, 0x0a, 0x00, 0xa0], false, 0], // event 5, vol 10, duration 160
      [false, [0x05, 0x0a, 0x01, 0x40], false, 20], // duration 320
      [false, [0x05, 0x0a, 0x01, 0xe0], false, 40], // duration 480
      [false, [0x05, 0x0a, 0x02, 0x80], false, 60], // duration 640
      [false, [0x05, 0x8a, 0x03, 0x20], true, 80], // E=1, duration 800 (100 ms)
      [false, [0x05, 0x8a, 0x03, 0x20], true, 100], // end, 2nd copy
      [false, [0x05, 0x8a, 0x03, 0x20], true, 120], // end, 3rd copy
    ];
    assert.deepEqual(
      plan.packets.map((p) => [p.marker, [...p.payload], p.endOfEvent, p.offsetMs]),
      expected,
    );
    assert.ok(plan.packets.every((p) => p.timestamp === 3200));
    assert.equal(plan.durationUnits, 800);
    assert.equal(plan.endTimestamp, 4000);
    assert.equal(plan.lastOffsetMs, 120);
    assert.equal(plan.symbol, '5');
  });

  test("'#' at 48 kHz counts duration in 48 kHz units (960 per 20 ms)", () => {
    const plan = new DtmfSender({ clockRate: 48000, volume: 7 }).plan('#', 1000);
    assert.deepEqual(
      plan.packets.map((p) => [...p.payload]),
      [
        [0x0b, 0x07, 0x03, 0xc0], // event 11, vol 7, duration 960
        [0x0b, 0x07, 0x07, 0x80], // 1920
        [0x0b, 0x07, 0x0b, 0x40], // 2880
        [0x0b, 0x07, 0x0f, 0x00], // 3840
        [0x0b, 0x87, 0x12, 0xc0], // E=1, 4800 (100 ms)
        [0x0b, 0x87, 0x12, 0xc0],
        [0x0b, 0x87, 0x12, 0xc0],
      ],
    );
  });

  test('a tone that is not a whole number of intervals ends on its exact length', () => {
    const plan = new DtmfSender({ clockRate: 8000, toneMs: 50 }).plan('1', 0);
    assert.deepEqual(
      plan.packets.map((p) => [decodeEvent(p.payload).duration, p.endOfEvent, p.offsetMs]),
      [
        [160, false, 0],
        [320, false, 20],
        [400, true, 40],
        [400, true, 60],
        [400, true, 80],
      ],
    );
  });

  test(`tones shorter than ${MIN_TONE_MS} ms are lengthened; per-call length overrides the default`, () => {
    const sender = new DtmfSender({ clockRate: 8000, toneMs: 10 });
    assert.equal(sender.toneMs, MIN_TONE_MS);
    assert.equal(sender.plan('1', 0).durationUnits, 320);
    assert.equal(sender.plan('1', 0, 5).durationUnits, 320);
    assert.equal(sender.plan('1', 0, 250).durationUnits, 2000);
  });

  test('an interval longer than the tone gives one marked end packet, then two copies', () => {
    const plan = new DtmfSender({ clockRate: 8000, packetIntervalMs: 60, toneMs: 40 }).plan('9', 7);
    assert.deepEqual(
      plan.packets.map((p) => [p.marker, decodeEvent(p.payload).duration, p.endOfEvent, p.offsetMs]),
      [
        [true, 320, true, 0],
        [false, 320, true, 60],
        [false, 320, true, 120],
      ],
    );
  });

  test('a 3 s tone at 48 kHz is split into 0xFFFF segments (§2.5.1.3), across the timestamp wrap', () => {
    const start = 0xffff_0000;
    const plan = new DtmfSender({ clockRate: 48000 }).plan('0', start, 3000);
    const total = 3000 * 48;
    assert.equal(plan.durationUnits, total);
    assert.equal(plan.endTimestamp, (start + total) % 2 ** 32);

    const seg1 = start;
    const seg2 = (start + 0xffff) >>> 0;
    const seg3 = (start + 2 * 0xffff) >>> 0;
    assert.deepEqual([...new Set(plan.packets.map((p) => p.timestamp))], [seg1, seg2, seg3]);
    assert.equal(plan.packets.filter((p) => p.marker).length, 1, 'only the first packet of the event is marked');
    assert.equal(plan.packets[0]?.marker, true);

    const bySegment = (ts: number): DtmfPacket[] => plan.packets.filter((p) => p.timestamp === ts);
    for (const ts of [seg1, seg2]) {
      const finals = bySegment(ts).filter((p) => decodeEvent(p.payload).duration === 0xffff);
      assert.equal(finals.length, 3, 'the last packet of a full segment is sent three times');
      assert.ok(finals.every((p) => !p.endOfEvent && !decodeEvent(p.payload).end), 'without the E bit');
    }
    const ends = plan.packets.filter((p) => p.endOfEvent);
    assert.equal(ends.length, 3);
    assert.ok(ends.every((p) => p.timestamp === seg3 && decodeEvent(p.payload).duration === total - 2 * 0xffff));

    // Durations grow within each segment and offsets never go back.
    for (const ts of [seg1, seg2, seg3]) {
      const d = bySegment(ts).map((p) => decodeEvent(p.payload).duration);
      assert.deepEqual(d, [...d].sort((a, b) => a - b));
    }
    const offsets = plan.packets.map((p) => p.offsetMs);
    assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b));
    // The first update of segment 2 goes out after the segment-1 final, one interval later.
    const firstOfSeg2 = plan.packets.findIndex((p) => p.timestamp === seg2);
    const firstFinal = plan.packets.findIndex((p) => decodeEvent(p.payload).duration === 0xffff);
    assert.equal((plan.packets[firstOfSeg2] as DtmfPacket).offsetMs, (plan.packets[firstFinal] as DtmfPacket).offsetMs + 20);
  });

  test('rejects what is not a DTMF symbol, and a bad configuration', () => {
    const sender = new DtmfSender({ clockRate: 8000 });
    for (const bad of ['', 'E', '55', 'x']) assert.throws(() => sender.plan(bad, 0), RangeError, bad);
    assert.equal(sender.plan('b', 0).symbol, 'B');
    assert.throws(() => new DtmfSender({ clockRate: 0 }), RangeError);
    assert.throws(() => new DtmfSender({ clockRate: 8000, packetIntervalMs: 0 }), RangeError);
    assert.throws(() => sender.plan('1', 0, Number.NaN), RangeError);
  });

  test('play() paces packets on the clock at their offsets', () => {
    const clock = new FakeClock(1000);
    const sender = new DtmfSender({ clockRate: 8000 });
    const sent: Array<[number, number, boolean]> = [];
    let done = false;
    sender.play(sender.plan('3', 0), clock, (p) => sent.push([clock.now(), decodeEvent(p.payload).duration, p.endOfEvent]), () => {
      done = true;
    });
    assert.deepEqual(sent, [[1000, 160, false]], 'the first packet goes out at once');
    clock.advance(200);
    assert.deepEqual(sent, [
      [1000, 160, false],
      [1020, 320, false],
      [1040, 480, false],
      [1060, 640, false],
      [1080, 800, true],
      [1100, 800, true],
      [1120, 800, true],
    ]);
    assert.equal(done, true);
    assert.equal(clock.pendingCount, 0);
  });

  test('play() sends same-offset packets back to back and stops when cancelled', () => {
    const clock = new FakeClock();
    const sender = new DtmfSender({ clockRate: 48000 });
    const plan = sender.plan('7', 0, 1500); // crosses one segment boundary
    const sent: number[] = [];
    const handle = sender.play(plan, clock, () => sent.push(clock.now()));
    clock.advance(1400);
    // At the segment boundary two packets share an offset (old final copy + new update).
    assert.ok(sent.length > clock.now() / 20, 'some ticks carry two packets');
    handle.cancel();
    const count = sent.length;
    clock.advance(1000);
    assert.equal(sent.length, count, 'nothing after cancel');
    assert.equal(clock.pendingCount, 0);
  });
});

/** Packets of a plan as a receiver would get them, with arrival times. */
function received(plan: { packets: DtmfPacket[] }, firstArrivalMs = 0): TelephoneEventPacket[] {
  return plan.packets.map((p, i) => ({
    timestamp: p.timestamp,
    marker: p.marker,
    payload: p.payload,
    seq: i,
    arrivalMs: firstArrivalMs + p.offsetMs,
  }));
}

class Recorder {
  starts: DtmfDigitStart[] = [];
  ends: DtmfDigitEnd[] = [];
  log: string[] = [];
  constructor(rx: DtmfReceiver) {
    rx.on('digit-start', (s) => {
      this.starts.push(s);
      this.log.push(`start ${s.symbol}`);
    });
    rx.on('digit-end', (e) => {
      this.ends.push(e);
      this.log.push(`end ${e.symbol} ${e.durationMs}ms ${e.reason}`);
    });
  }
}

function setup(clockRate = 8000, endTimeoutMs?: number) {
  const clock = new FakeClock();
  const rx = new DtmfReceiver(endTimeoutMs === undefined ? { clockRate } : { clockRate, endTimeoutMs }, clock);
  return { clock, rx, rec: new Recorder(rx) };
}

/** Feeds packets at their arrival times on the fake clock. */
function feed(clock: FakeClock, rx: DtmfReceiver, packets: TelephoneEventPacket[]): string[] {
  return packets.map((p) => {
    if (p.arrivalMs > clock.now()) clock.advance(p.arrivalMs - clock.now());
    return rx.receive(p);
  });
}

const sender8k = new DtmfSender({ clockRate: 8000 });

describe('DtmfReceiver', () => {
  test('a clean event gives one start and one end with the duration in ms', () => {
    const { clock, rx, rec } = setup();
    const results = feed(clock, rx, received(sender8k.plan('5', 3200)));
    assert.deepEqual(results, ['start', 'update', 'update', 'update', 'end', 'duplicate', 'duplicate']);
    assert.deepEqual(rec.log, ['start 5', 'end 5 100ms end']);
    assert.deepEqual(rec.starts[0], { symbol: '5', event: 5, timestamp: 3200, atMs: 0, sawFirstPacket: true });
    assert.deepEqual(rec.ends[0], { symbol: '5', event: 5, timestamp: 3200, durationUnits: 800, durationMs: 100, reason: 'end' });
  });

  test('a lost first packet still starts the digit, once', () => {
    const { clock, rx, rec } = setup();
    const results = feed(clock, rx, received(sender8k.plan('8', 0)).slice(1));
    assert.equal(results[0], 'start');
    assert.deepEqual(rec.log, ['start 8', 'end 8 100ms end']);
    assert.equal(rec.starts[0]?.sawFirstPacket, false);
  });

  test('losing one or two of the three end packets still ends the digit once, with the full length', () => {
    for (const keep of [[4], [5], [6], [4, 6], [5, 6]]) {
      const { clock, rx, rec } = setup();
      const pkts = received(sender8k.plan('2', 0)).filter((_, i) => i < 4 || keep.includes(i));
      feed(clock, rx, pkts);
      assert.deepEqual(rec.log, ['start 2', 'end 2 100ms end'], `end copies kept: ${keep.join(',')}`);
    }
  });

  test('all end packets lost: the digit ends by timeout, 1 s after its last packet, with the last duration', () => {
    const { clock, rx, rec } = setup();
    feed(clock, rx, received(sender8k.plan('4', 0)).slice(0, 4)); // last at 60 ms, duration 640
    clock.advance(60 + 999 - clock.now());
    assert.deepEqual(rec.log, ['start 4']);
    clock.advance(1);
    assert.deepEqual(rec.log, ['start 4', 'end 4 80ms timeout']);
    assert.equal(rx.stats.timeouts, 1);
    assert.equal(clock.pendingCount, 0);
  });

  test('the timeout counts from the last packet, so a long tone with steady updates never times out', () => {
    const { clock, rx, rec } = setup(8000, 300);
    const plan = sender8k.plan('6', 0, 5000);
    feed(clock, rx, received(plan));
    assert.deepEqual(rec.log, ['start 6', 'end 6 5000ms end']);
    clock.advance(5000);
    assert.equal(rx.stats.timeouts, 0);
  });

  test('duplicated packets (network copies) change nothing', () => {
    const { clock, rx, rec } = setup();
    const pkts = received(sender8k.plan('7', 100));
    const doubled = pkts.flatMap((p) => [p, p]);
    feed(clock, rx, doubled);
    assert.deepEqual(rec.log, ['start 7', 'end 7 100ms end']);
  });

  test('reordered packets: an update after the end, and the marked packet after the second, are absorbed', () => {
    const { clock, rx, rec } = setup();
    const p = received(sender8k.plan('1', 0));
    const order = [1, 0, 2, 4, 3, 5, 6].map((i) => ({ ...(p[i] as TelephoneEventPacket), arrivalMs: clock.now() }));
    const results = feed(clock, rx, order);
    assert.deepEqual(results, ['start', 'update', 'update', 'end', 'duplicate', 'duplicate', 'duplicate']);
    assert.deepEqual(rec.log, ['start 1', 'end 1 100ms end']);
  });

  test('a new event before the old end arrived ends the old one (superseded), then runs normally', () => {
    const { clock, rx, rec } = setup();
    const a = received(sender8k.plan('A', 0)).slice(0, 3); // ends never arrive; last duration 480
    const b = received(sender8k.plan('B', 1600), 200);
    feed(clock, rx, [...a, ...b]);
    assert.deepEqual(rec.log, ['start A', 'end A 60ms superseded', 'start B', 'end B 100ms end']);
    // A's end packets showing up late are recognised as A's, not as a new digit.
    const lateEnd = received(sender8k.plan('A', 0))[4] as TelephoneEventPacket;
    assert.equal(rx.receive(lateEnd), 'duplicate');
    assert.equal(rec.starts.length, 2);
  });

  test('a packet from an older, unseen event arriving after a newer one is stale', () => {
    const { clock, rx, rec } = setup();
    feed(clock, rx, received(sender8k.plan('3', 8000)));
    const straggler = received(sender8k.plan('9', 4000))[2] as TelephoneEventPacket;
    assert.equal(rx.receive(straggler), 'stale');
    assert.deepEqual(rec.log, ['start 3', 'end 3 100ms end']);
  });

  test('the same digit pressed twice is two events (told apart by timestamp)', () => {
    const { clock, rx, rec } = setup();
    feed(clock, rx, [...received(sender8k.plan('5', 0)), ...received(sender8k.plan('5', 2400), 300)]);
    assert.deepEqual(rec.log, ['start 5', 'end 5 100ms end', 'start 5', 'end 5 100ms end']);
    assert.deepEqual(rec.starts.map((s) => s.timestamp), [0, 2400]);
  });

  test('timestamps wrapping past 2^32 keep their order', () => {
    const { clock, rx, rec } = setup();
    const before = 0xffff_ff00;
    const after = 0x0000_0100; // 512 units later, modulo 2^32
    feed(clock, rx, [...received(sender8k.plan('1', before)), ...received(sender8k.plan('2', after), 200)]);
    assert.deepEqual(rec.log, ['start 1', 'end 1 100ms end', 'start 2', 'end 2 100ms end']);
    const late = received(sender8k.plan('1', before))[5] as TelephoneEventPacket;
    assert.equal(rx.receive(late), 'duplicate', 'a copy from before the wrap is not a new event');
  });

  test('a segmented long event (§2.5.1.3) is one digit with the summed duration, across the wrap', () => {
    const { clock, rx, rec } = setup(48000);
    const plan = new DtmfSender({ clockRate: 48000 }).plan('0', 0xffff_8000, 3000);
    const results = feed(clock, rx, received(plan));
    assert.equal(results.filter((r) => r === 'start').length, 1);
    assert.deepEqual(rec.log, ['start 0', 'end 0 3000ms end']);
    assert.equal(rec.ends[0]?.durationUnits, 144000);
    assert.equal(rec.ends[0]?.timestamp, 0xffff_8000, 'reported with the timestamp of its first segment');
  });

  test('a long event stays one digit when the segment-final packets are lost', () => {
    const { clock, rx, rec } = setup(48000);
    const plan = new DtmfSender({ clockRate: 48000 }).plan('C', 5, 2000);
    const pkts = received({ packets: plan.packets.filter((p) => decodeEvent(p.payload).duration !== 0xffff || p.endOfEvent) });
    feed(clock, rx, pkts);
    assert.deepEqual(rec.log, ['start C', 'end C 2000ms end']);
  });

  test('flash (event 16) is reported as "!"', () => {
    const { clock, rx, rec } = setup();
    feed(clock, rx, received(sender8k.plan('!', 0)));
    assert.deepEqual(rec.log, ['start !', 'end ! 100ms end']);
  });

  test('a very short event seen only through its end packets gives start and end together', () => {
    const { clock, rx, rec } = setup();
    feed(clock, rx, received(sender8k.plan('D', 0)).slice(4));
    assert.deepEqual(rec.log, ['start D', 'end D 100ms end']);
    assert.equal(rec.starts[0]?.sawFirstPacket, false);
  });

  test('non-DTMF events (RFC 4734 tones) and short payloads are ignored without a digit', () => {
    const { clock, rx, rec } = setup();
    const tone = (duration: number, end = false): TelephoneEventPacket => ({
      timestamp: 500,
      marker: duration === 160,
      payload: encodeEvent({ event: 32, end, volume: 10, duration }), // 32 = ANS (fax/modem answer tone)
      arrivalMs: clock.now(),
    });
    assert.deepEqual(feed(clock, rx, [tone(160), tone(320), tone(480, true)]), ['ignored', 'ignored', 'ignored']);
    assert.equal(rx.receive({ timestamp: 900, marker: true, payload: Uint8Array.from([5, 10, 0]), arrivalMs: 0 }), 'malformed');
    assert.deepEqual(rec.log, []);
    assert.equal(rx.stats.ignored, 3);
    assert.equal(rx.stats.malformed, 1);
    // A real digit after the ignored tone still works.
    feed(clock, rx, received(sender8k.plan('5', 1000), clock.now()));
    assert.deepEqual(rec.log, ['start 5', 'end 5 100ms end']);
  });

  test('an SSRC change ends the open digit (reset) and forgets the old timeline', () => {
    const { clock, rx, rec } = setup();
    const oldStream = received(sender8k.plan('1', 90_000)).slice(0, 2).map((p) => ({ ...p, ssrc: 1 }));
    // The new source starts at a much lower timestamp: without the SSRC it would look stale.
    const newStream = received(sender8k.plan('2', 10), 100).map((p) => ({ ...p, ssrc: 2 }));
    feed(clock, rx, [...oldStream, ...newStream]);
    assert.deepEqual(rec.log, ['start 1', 'end 1 40ms reset', 'start 2', 'end 2 100ms end']);
  });

  test('reset() from a digit-start listener leaves the receiver consistent', () => {
    const { clock, rx, rec } = setup();
    rx.once('digit-start', () => rx.reset());
    feed(clock, rx, received(sender8k.plan('5', 0)).slice(0, 3));
    assert.deepEqual(rec.log, ['start 5', 'end 5 20ms reset', 'start 5']);
    assert.equal(rx.activeSymbol, '5');
    rx.dispose();
    assert.deepEqual(rec.log.at(-1), 'end 5 60ms reset');
    assert.equal(rx.activeSymbol, undefined);
  });

  test('history is forgotten after a long quiet spell, so serial comparison stays sound', () => {
    const { clock, rx, rec } = setup();
    feed(clock, rx, received(sender8k.plan('1', 0x8000_0000)));
    clock.advance(61_000);
    // 2^31 units earlier is "older" by serial arithmetic; after the quiet spell it is a new event.
    feed(clock, rx, received(sender8k.plan('2', 0x0000_0100), clock.now()));
    assert.deepEqual(rec.log, ['start 1', 'end 1 100ms end', 'start 2', 'end 2 100ms end']);
  });
});
