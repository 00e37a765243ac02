import type { Clock, TimerHandle } from '../../common/clock.js';
import { Emitter } from '../../common/emitter.js';
import { tsDiff } from '../jitter/rtp-serial.js';
import { MAX_EVENT_DURATION, decodeEvent, dtmfSymbol, type DtmfSymbol } from './rfc4733.js';

/**
 * Turns received RFC 4733 telephone-event packets into one `digit-start` and one
 * `digit-end` per key press (§2.5.2), whatever the network did to the packets:
 *
 *  - an event is identified by its RTP timestamp (§2.5.1.2: all packets of an event share
 *    it), so the update stream and the three redundant end packets (§2.5.1.4) collapse
 *    into one event, and copies arriving after the end are ignored;
 *  - the start is reported on the first packet seen, marker or not, so a lost first
 *    packet still gives a digit;
 *  - the end is reported on the first E packet, with its duration;
 *  - a new event (newer timestamp) before the old one's end ends the old one
 *    ("superseded", with the last duration seen), as §2.5.2.2 asks;
 *  - an event whose end never comes is ended `endTimeoutMs` after its last packet;
 *  - a long event continued in a new segment (§2.5.1.3: same code, no marker, timestamp
 *    = previous segment + ~0xFFFF) stays one event, its duration summed;
 *  - timestamps compare modulo 2^32, so the 32-bit wrap is transparent.
 */
export interface TelephoneEventPacket {
  timestamp: number;
  marker: boolean;
  payload: Uint8Array;
  arrivalMs: number;
  /** Not needed (events are keyed by timestamp); accepted so RTP code can pass its packet. */
  seq?: number;
  /** When given, a change of SSRC ends any open event and forgets the old stream. */
  ssrc?: number;
}

export interface DtmfDigitStart {
  symbol: DtmfSymbol;
  event: number;
  /** RTP timestamp of the event (of its first segment). */
  timestamp: number;
  /** arrivalMs of the first packet seen for it. */
  atMs: number;
  /** False when the marked first packet was lost (or reordered) and a later one started it. */
  sawFirstPacket: boolean;
}

export type DtmfEndReason =
  /** An E packet arrived. */
  | 'end'
  /** A newer event began before this one's end arrived. */
  | 'superseded'
  /** No packet for endTimeoutMs. */
  | 'timeout'
  /** The SSRC changed, or reset()/dispose() was called. */
  | 'reset';

export interface DtmfDigitEnd {
  symbol: DtmfSymbol;
  event: number;
  timestamp: number;
  /** Duration in timestamp units: from the E packet, else the longest seen. */
  durationUnits: number;
  durationMs: number;
  reason: DtmfEndReason;
}

export type DtmfReceiverEvents = {
  'digit-start': [DtmfDigitStart];
  'digit-end': [DtmfDigitEnd];
};

/** What one packet did, for counters and tests. */
export type DtmfReceiveResult =
  | 'start'
  | 'update'
  | 'end'
  /** A repeat of something already reported (redundant end, late update of an ended event). */
  | 'duplicate'
  /** Older than the newest event seen, and not one we know: left over from reordering. */
  | 'stale'
  /** A valid payload for an event that is not DTMF/flash (RFC 4734 tones, fax…). */
  | 'ignored'
  /** Shorter than 4 bytes. */
  | 'malformed';

export interface DtmfReceiverOptions {
  /** Clock rate of the telephone-event payload type. */
  clockRate: number;
  /** End an event this long after its last packet when no E packet came. Default 1000 ms. */
  endTimeoutMs?: number;
}

interface OpenEvent {
  event: number;
  symbol: DtmfSymbol;
  /** Timestamp of the first segment: the event's identity. */
  timestamp: number;
  /** Timestamp of the segment now being received. */
  segmentTimestamp: number;
  /** Units in the segments before the current one. */
  earlierUnits: number;
  /** Longest duration seen in the current segment. */
  segmentUnits: number;
  lastPacketAt: number;
}

/** Remembered timestamps of ended events/segments, to drop their late copies. */
const HISTORY_SIZE = 16;
/** Forget history after this much quiet: serial comparison is only sound within 2^31 units. */
const HISTORY_TTL_MS = 60_000;
/** A continuation segment may start this far before 0xFFFF (senders cutting at a packet boundary). */
const SEGMENT_SLACK_MS = 250;

export class DtmfReceiver extends Emitter<DtmfReceiverEvents> {
  readonly clockRate: number;
  readonly endTimeoutMs: number;
  readonly stats = { packets: 0, digits: 0, duplicates: 0, stale: 0, ignored: 0, malformed: 0, timeouts: 0 };

  #open: OpenEvent | undefined;
  #timer: TimerHandle | undefined;
  /** Ring of ended event/segment timestamps. */
  #history: number[] = [];
  /** Newest event or segment timestamp seen: anything older is stale. */
  #newest: number | undefined;
  /** Timestamp of the last non-DTMF event, whose further packets are ignored quietly. */
  #ignoredTimestamp: number | undefined;
  #lastActivity = 0;
  #ssrc: number | undefined;

  constructor(
    opts: DtmfReceiverOptions,
    private readonly clock: Clock,
  ) {
    super();
    if (!Number.isInteger(opts.clockRate) || opts.clockRate <= 0) {
      throw new RangeError(`clockRate ${opts.clockRate} is not a positive integer`);
    }
    this.clockRate = opts.clockRate;
    this.endTimeoutMs = opts.endTimeoutMs ?? 1000;
  }

  /** The event being received, if any. */
  get activeSymbol(): DtmfSymbol | undefined {
    return this.#open?.symbol;
  }

  receive(pkt: TelephoneEventPacket): DtmfReceiveResult {
    this.stats.packets++;
    if (pkt.payload.length < 4) {
      this.stats.malformed++;
      return 'malformed';
    }
    const ev = decodeEvent(pkt.payload);
    const now = this.clock.now();
    if (pkt.ssrc !== undefined && pkt.ssrc !== this.#ssrc) {
      if (this.#ssrc !== undefined) this.reset();
      this.#ssrc = pkt.ssrc;
    }
    if (this.#open === undefined && now - this.#lastActivity > HISTORY_TTL_MS) this.#forget();
    this.#lastActivity = now;
    const ts = pkt.timestamp >>> 0;

    const open = this.#open;
    if (open !== undefined && ts === open.segmentTimestamp) {
      if (ev.event !== open.event) return this.#ignore();
      open.lastPacketAt = now;
      if (ev.end) {
        this.#finish('end', open.earlierUnits + ev.duration);
        return 'end';
      }
      if (ev.duration > open.segmentUnits) open.segmentUnits = ev.duration;
      return 'update';
    }
    if (ts === this.#ignoredTimestamp) return this.#ignore();
    if (this.#history.includes(ts)) {
      this.stats.duplicates++;
      return 'duplicate';
    }
    if (this.#newest !== undefined && tsDiff(ts, this.#newest) < 0) {
      this.stats.stale++;
      return 'stale';
    }

    // A newer timestamp: the next segment of the open event, or a new event.
    if (open !== undefined && this.#continues(open, ev.event, pkt.marker, ts)) {
      this.#remember(open.segmentTimestamp);
      open.earlierUnits += tsDiff(ts, open.segmentTimestamp);
      open.segmentTimestamp = ts;
      open.segmentUnits = ev.duration;
      open.lastPacketAt = now;
      this.#newest = ts;
      if (ev.end) {
        this.#finish('end', open.earlierUnits + ev.duration);
        return 'end';
      }
      return 'update';
    }
    if (open !== undefined) this.#finish('superseded', open.earlierUnits + open.segmentUnits);

    const symbol = dtmfSymbol(ev.event);
    this.#newest = ts;
    if (symbol === undefined) {
      this.#ignoredTimestamp = ts;
      return this.#ignore();
    }
    const started: OpenEvent = {
      event: ev.event,
      symbol,
      timestamp: ts,
      segmentTimestamp: ts,
      earlierUnits: 0,
      segmentUnits: ev.duration,
      lastPacketAt: now,
    };
    this.#open = started;
    this.stats.digits++;
    this.emit('digit-start', { symbol, event: ev.event, timestamp: ts, atMs: pkt.arrivalMs, sawFirstPacket: pkt.marker });
    // A listener may have called reset(); only carry on with the event we just opened.
    if (this.#open !== started) return 'start';
    if (ev.end) {
      this.#finish('end', ev.duration);
    } else {
      this.#armTimeout();
    }
    return 'start';
  }

  /** Ends any open event (reason 'reset') and forgets all history (e.g. on a new stream). */
  reset(): void {
    const open = this.#open;
    if (open !== undefined) this.#finish('reset', open.earlierUnits + open.segmentUnits);
    this.#forget();
  }

  /** Like reset(), and cancels the timer; the receiver stays usable. */
  dispose(): void {
    this.reset();
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #continues(open: OpenEvent, event: number, marker: boolean, ts: number): boolean {
    if (event !== open.event || marker) return false;
    const gap = tsDiff(ts, open.segmentTimestamp);
    const slack = (SEGMENT_SLACK_MS * this.clockRate) / 1000;
    return gap >= open.segmentUnits && gap <= MAX_EVENT_DURATION && gap >= MAX_EVENT_DURATION - slack;
  }

  #finish(reason: DtmfEndReason, units: number): void {
    const open = this.#open as OpenEvent;
    this.#open = undefined;
    this.#remember(open.segmentTimestamp);
    if (open.timestamp !== open.segmentTimestamp) this.#remember(open.timestamp);
    if (reason === 'timeout') this.stats.timeouts++;
    this.emit('digit-end', {
      symbol: open.symbol,
      event: open.event,
      timestamp: open.timestamp,
      durationUnits: units,
      durationMs: (units * 1000) / this.clockRate,
      reason,
    });
  }

  /**
   * One timer per open event, re-armed for the remainder when packets kept coming, so a
   * steady update stream costs no timer churn.
   */
  #armTimeout(): void {
    if (this.#timer !== undefined) return;
    const open = this.#open;
    if (open === undefined) return;
    const due = open.lastPacketAt + this.endTimeoutMs - this.clock.now();
    this.#timer = this.clock.setTimeout(() => {
      this.#timer = undefined;
      const current = this.#open;
      if (current === undefined) return;
      if (this.clock.now() - current.lastPacketAt >= this.endTimeoutMs) {
        this.#finish('timeout', current.earlierUnits + current.segmentUnits);
      } else {
        this.#armTimeout();
      }
    }, Math.max(0, due));
  }

  #ignore(): DtmfReceiveResult {
    this.stats.ignored++;
    return 'ignored';
  }

  #remember(ts: number): void {
    if (this.#history.includes(ts)) return;
    this.#history.push(ts);
    if (this.#history.length > HISTORY_SIZE) this.#history.shift();
  }

  #forget(): void {
    this.#history = [];
    this.#newest = undefined;
    this.#ignoredTimestamp = undefined;
  }
}
