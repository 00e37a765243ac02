import type { Clock, TimerHandle } from '../../common/clock.js';
import {
  DEFAULT_VOLUME,
  MAX_EVENT_DURATION,
  dtmfEventCode,
  dtmfSymbol,
  encodeEvent,
  type DtmfSymbol,
} from './rfc4733.js';

/**
 * Turns one key press into the RFC 4733 §2.5.1 packet sequence:
 *
 *  - every packet of the event carries the event's start timestamp (§2.5.1.2); the first
 *    has the marker bit (§2.5.1.1 / RFC 3550 "beginning of a talkspurt");
 *  - one update per packet interval, the duration growing by one interval each time;
 *  - the end packet (E bit, final duration) sent three times, one interval apart
 *    (§2.5.1.4), so losing one or two of them still ends the tone with the right length;
 *  - an event longer than 0xFFFF timestamp units (8.2 s at 8 kHz, 1.37 s at 48 kHz) is
 *    cut into segments (§2.5.1.3): the last packet of each full segment carries duration
 *    0xFFFF without the E bit, also sent three times, and the next segment starts at the
 *    old timestamp + 0xFFFF, without the marker bit.
 *
 * The sender only plans packets; the RTP session adds sequence numbers and SSRC, and
 * `play` paces them with a Clock. The first packet reports one interval of tone, as
 * most stacks do (it is sent when that much tone has been "played").
 */
export interface DtmfSenderOptions {
  /** Clock rate of the negotiated telephone-event payload type: 8000, or 48000 beside Opus. */
  clockRate: number;
  /** Time between packets (the audio ptime), default 20 ms. */
  packetIntervalMs?: number;
  /** Default tone length, default 100 ms; never below MIN_TONE_MS. */
  toneMs?: number;
  /** Power level in -dBm0, default 10. */
  volume?: number;
}

export interface DtmfPacket {
  marker: boolean;
  timestamp: number;
  payload: Buffer;
  endOfEvent: boolean;
  /** When to send it, in ms after the first packet. */
  offsetMs: number;
}

export interface DtmfPlan {
  symbol: DtmfSymbol;
  /** In send order; packets with the same offsetMs go back to back. */
  packets: DtmfPacket[];
  /** Tone length in timestamp units, over all segments. */
  durationUnits: number;
  /** Start timestamp + durationUnits (mod 2^32): where the audio timeline continues. */
  endTimestamp: number;
  /** Offset of the last packet: the plan takes this long to send. */
  lastOffsetMs: number;
}

interface PendingCopy {
  timestamp: number;
  duration: number;
  end: boolean;
  tick: number;
}

/** Shortest tone sent; shorter requests are lengthened (40 ms is the ITU-T Q.24 minimum). */
export const MIN_TONE_MS = 40;
/** Copies of each final packet (§2.5.1.4). */
const FINAL_COPIES = 3;

export class DtmfSender {
  readonly clockRate: number;
  readonly packetIntervalMs: number;
  readonly toneMs: number;
  readonly volume: number;

  constructor(opts: DtmfSenderOptions) {
    if (!Number.isInteger(opts.clockRate) || opts.clockRate <= 0) {
      throw new RangeError(`clockRate ${opts.clockRate} is not a positive integer`);
    }
    const interval = opts.packetIntervalMs ?? 20;
    if (!Number.isFinite(interval) || interval <= 0) {
      throw new RangeError(`packetIntervalMs ${interval} is not positive`);
    }
    this.clockRate = opts.clockRate;
    this.packetIntervalMs = interval;
    this.toneMs = clampTone(opts.toneMs ?? 100);
    this.volume = opts.volume ?? DEFAULT_VOLUME;
  }

  /** Timestamp units per packet interval (160 at 8 kHz / 20 ms, 960 at 48 kHz). */
  get unitsPerPacket(): number {
    return Math.max(1, Math.round((this.packetIntervalMs * this.clockRate) / 1000));
  }

  /**
   * The packets for one key press starting at RTP timestamp `startTimestamp`.
   * Throws RangeError for a symbol that is not 0-9 * # A-D (a-d) or '!'.
   */
  plan(symbol: string, startTimestamp: number, toneMs: number = this.toneMs): DtmfPlan {
    const event = dtmfEventCode(symbol);
    if (event === undefined) throw new RangeError(`not a DTMF symbol: ${JSON.stringify(symbol)}`);
    const step = this.unitsPerPacket;
    const total = Math.max(1, Math.round((clampTone(toneMs) * this.clockRate) / 1000));
    const packets: DtmfPacket[] = [];
    // Copies of final packets still to send, in tick order.
    const repeats: PendingCopy[] = [];
    const push = (tick: number, timestamp: number, duration: number, end: boolean): void => {
      packets.push({
        marker: packets.length === 0,
        timestamp,
        payload: encodeEvent({ event, end, volume: this.volume, duration }),
        endOfEvent: end,
        offsetMs: tick * this.packetIntervalMs,
      });
    };
    const pushFinal = (tick: number, timestamp: number, duration: number, end: boolean): void => {
      push(tick, timestamp, duration, end);
      for (let copy = 1; copy < FINAL_COPIES; copy++) repeats.push({ timestamp, duration, end, tick: tick + copy });
    };
    const flushRepeats = (tick: number): void => {
      for (let r = repeats[0]; r !== undefined && r.tick <= tick; r = repeats[0]) {
        repeats.shift();
        push(r.tick, r.timestamp, r.duration, r.end);
      }
    };

    let segmentStart = 0; // units from the event start to the current segment
    let segmentTs = startTimestamp >>> 0;
    for (let tick = 0; ; tick++) {
      flushRepeats(tick);
      const elapsed = Math.min((tick + 1) * step, total);
      const inSegment = elapsed - segmentStart;
      if (elapsed === total && inSegment <= MAX_EVENT_DURATION) {
        pushFinal(tick, segmentTs, inSegment, true);
        break;
      }
      if (inSegment >= MAX_EVENT_DURATION) {
        // §2.5.1.3: close this segment at the largest duration, E bit clear; the rest of the
        // tone goes into a new segment whose timestamp is where this one ends.
        pushFinal(tick, segmentTs, MAX_EVENT_DURATION, false);
        segmentStart += MAX_EVENT_DURATION;
        segmentTs = (segmentTs + MAX_EVENT_DURATION) >>> 0;
        continue;
      }
      push(tick, segmentTs, inSegment, false);
    }
    for (const r of repeats) push(r.tick, r.timestamp, r.duration, r.end);

    const last = packets[packets.length - 1] as DtmfPacket;
    return {
      symbol: dtmfSymbol(event) as DtmfSymbol,
      packets,
      durationUnits: total,
      endTimestamp: ((startTimestamp >>> 0) + total) >>> 0,
      lastOffsetMs: last.offsetMs,
    };
  }

  /**
   * Sends a plan's packets on time: the first batch now, the rest by `clock` timers at
   * their offsets from now (offsets are absolute, so timer lateness does not accumulate).
   * Cancelling the handle stops further packets; `onDone` runs after the last one.
   */
  play(plan: DtmfPlan, clock: Clock, send: (packet: DtmfPacket) => void, onDone?: () => void): TimerHandle {
    const start = clock.now();
    let next = 0;
    let timer: TimerHandle | undefined;
    let cancelled = false;
    const fire = (): void => {
      timer = undefined;
      // 1 ms of slack: a timer may wake a hair before a sub-ms due time on a real clock.
      const elapsed = clock.now() - start + 1;
      while (!cancelled && next < plan.packets.length && (plan.packets[next] as DtmfPacket).offsetMs <= elapsed) {
        send(plan.packets[next++] as DtmfPacket);
      }
      if (cancelled) return;
      if (next < plan.packets.length) {
        const due = (plan.packets[next] as DtmfPacket).offsetMs - (clock.now() - start);
        timer = clock.setTimeout(fire, Math.max(0, due));
      } else {
        onDone?.();
      }
    };
    fire();
    return {
      cancel: () => {
        cancelled = true;
        timer?.cancel();
        timer = undefined;
      },
    };
  }
}

function clampTone(ms: number): number {
  if (!Number.isFinite(ms)) throw new RangeError(`tone length ${ms} is not finite`);
  return Math.max(MIN_TONE_MS, ms);
}
