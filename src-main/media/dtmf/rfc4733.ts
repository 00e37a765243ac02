/**
 * The RFC 4733 telephone-event payload (§2.3) and the DTMF event codes (§3.2).
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     event     |E|R| volume    |          duration             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * event: 0-9, 10 = *, 11 = #, 12-15 = A-D, 16 = flash (hook flash, RFC 4734 §2.1).
 * E: end of event. R: reserved, sent as 0 and ignored on receipt (§2.3.3).
 * volume: power level in -dBm0, 0..63 (§2.3.4). duration: in RTP timestamp units (§2.3.5).
 *
 * The sender lives in dtmf-sender.ts, the receiver in dtmf-receiver.ts.
 */

/** One DTMF key, or '!' for flash (event 16; the character Asterisk uses in SIP INFO too). */
export type DtmfSymbol =
  | '0'
  | '1'
  | '2'
  | '3'
  | '4'
  | '5'
  | '6'
  | '7'
  | '8'
  | '9'
  | '*'
  | '#'
  | 'A'
  | 'B'
  | 'C'
  | 'D'
  | '!';

/** Event codes 0..16 in order: the index of a symbol in this string is its code. */
const SYMBOLS = '0123456789*#ABCD!';

/** The flash event code (RFC 4734 §2.1, "Flash"). */
export const FLASH_EVENT = 16;
/** Largest value of the 16-bit duration field (§2.5.1.3 splits longer events). */
export const MAX_EVENT_DURATION = 0xffff;
/** Usual default power level: -10 dBm0. */
export const DEFAULT_VOLUME = 10;

export interface TelephoneEvent {
  /** Event code, 0..255; DTMF is 0..16. */
  event: number;
  /** E bit: this packet reports the end of the event. */
  end: boolean;
  /** Power level in -dBm0, 0..63 (ignored for events with no volume, but still carried). */
  volume: number;
  /** Duration so far, in RTP timestamp units, 0..65535. */
  duration: number;
}

/** The RFC 4733 event code of a symbol; lower-case a-d accepted. */
export function dtmfEventCode(symbol: string): number | undefined {
  if (symbol.length !== 1) return undefined;
  const i = SYMBOLS.indexOf(symbol.toUpperCase());
  return i < 0 ? undefined : i;
}

/** The symbol of an event code, or undefined for codes that are not DTMF/flash (17+). */
export function dtmfSymbol(event: number): DtmfSymbol | undefined {
  return Number.isInteger(event) && event >= 0 && event < SYMBOLS.length
    ? (SYMBOLS[event] as DtmfSymbol)
    : undefined;
}

/** Whether `s` is exactly one valid symbol (upper case; use dtmfEventCode to be lenient). */
export function isDtmfSymbol(s: string): s is DtmfSymbol {
  return s.length === 1 && SYMBOLS.includes(s);
}

/**
 * Builds the 4-byte payload. Throws RangeError on a field outside its range, since a
 * wrapped duration or volume would silently send a different tone length or level.
 */
export function encodeEvent(ev: TelephoneEvent, out?: Buffer): Buffer {
  checkField('event', ev.event, 255);
  checkField('volume', ev.volume, 63);
  checkField('duration', ev.duration, MAX_EVENT_DURATION);
  const buf = out ?? Buffer.allocUnsafe(4);
  if (buf.length < 4) throw new RangeError(`payload buffer holds ${buf.length} bytes, 4 needed`);
  buf[0] = ev.event;
  buf[1] = (ev.end ? 0x80 : 0) | ev.volume; // R bit stays 0
  buf.writeUInt16BE(ev.duration, 2);
  return buf;
}

/**
 * Reads the first event block of a payload. Throws RangeError when shorter than 4 bytes.
 * Only the first block is read: RFC 4733 §2.5.1.5 lets a packet carry several events
 * (redundancy), which common DTMF senders do not use.
 */
export function decodeEvent(payload: Uint8Array): TelephoneEvent {
  if (payload.length < 4) {
    throw new RangeError(`telephone-event payload of ${payload.length} bytes (at least 4 needed)`);
  }
  const b1 = payload[1] as number;
  return {
    event: payload[0] as number,
    end: (b1 & 0x80) !== 0,
    volume: b1 & 0x3f,
    duration: ((payload[2] as number) << 8) | (payload[3] as number),
  };
}

function checkField(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`telephone-event ${name} ${value} outside 0..${max}`);
  }
}
