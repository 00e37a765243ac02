import { dtmfEventCode, dtmfSymbol, type DtmfSymbol } from './rfc4733.js';
import { headerToken } from '../../common/header-token.js';

/**
 * DTMF in SIP INFO bodies, the fallback when the peer does not negotiate RFC 4733:
 *
 *   application/dtmf-relay   "Signal=5\r\nDuration=160\r\n"   (Cisco/Asterisk/FreeSWITCH usage;
 *                            never standardised, so parsing is lenient about layout)
 *   application/dtmf         "5"                             (draft-kaplan-dispatch-info-dtmf)
 *
 * Parsing accepts any key case, spaces around keys and values, '=' or ':', LF/CR/CRLF line
 * ends, unknown lines, and a missing or unreadable Duration. The signal itself is checked
 * strictly: one of 0-9 * # A-D (a-d), '!' for flash, or its RFC 4733 event code 0..16 (as
 * Asterisk accepts "Signal=11" for '#'). Anything else ("55", "E", "", "1 2") is rejected.
 */
export const DTMF_RELAY_CONTENT_TYPE = 'application/dtmf-relay';
export const DTMF_CONTENT_TYPE = 'application/dtmf';

export interface DtmfInfo {
  symbol: DtmfSymbol;
  /** Tone length in ms, when the body gave a usable one. */
  durationMs?: number;
}

/** Longest Duration taken at face value; more is treated as absent. */
const MAX_DURATION_MS = 60_000;

/** Parses an application/dtmf-relay body; undefined when there is no valid Signal. */
export function parseDtmfRelay(body: string | Uint8Array): DtmfInfo | undefined {
  let symbol: DtmfSymbol | undefined;
  let durationMs: number | undefined;
  for (const line of bodyText(body).split(/\r\n|\r|\n/)) {
    const sep = line.search(/[=:]/);
    if (sep < 0) continue;
    const key = line.slice(0, sep).trim().toLowerCase();
    const value = line.slice(sep + 1).trim();
    if (key === 'signal' && symbol === undefined) {
      symbol = parseSignal(value);
      if (symbol === undefined) return undefined;
    } else if (key === 'duration' && durationMs === undefined) {
      durationMs = parseDuration(value);
    }
  }
  if (symbol === undefined) return undefined;
  return durationMs === undefined ? { symbol } : { symbol, durationMs };
}

/** Parses an application/dtmf body (the bare signal); undefined when invalid. */
export function parseDtmfBody(body: string | Uint8Array): DtmfInfo | undefined {
  const symbol = parseSignal(bodyText(body).trim());
  return symbol === undefined ? undefined : { symbol };
}

/**
 * Parses an INFO body by its Content-Type (parameters and case ignored). Undefined for
 * other content types or an invalid body.
 */
export function parseDtmfInfo(contentType: string, body: string | Uint8Array): DtmfInfo | undefined {
  const type = headerToken(contentType);
  if (type === DTMF_RELAY_CONTENT_TYPE) return parseDtmfRelay(body);
  if (type === DTMF_CONTENT_TYPE) return parseDtmfBody(body);
  return undefined;
}

/** "Signal=5\r\nDuration=160\r\n". Throws RangeError on an invalid symbol or duration. */
export function formatDtmfRelay(symbol: string, durationMs = 100): string {
  const s = strictSymbol(symbol);
  if (!Number.isFinite(durationMs) || durationMs <= 0) {
    throw new RangeError(`DTMF duration ${durationMs} ms is not positive`);
  }
  return `Signal=${s}\r\nDuration=${Math.round(durationMs)}\r\n`;
}

/** The application/dtmf body: just the symbol. Throws RangeError on an invalid one. */
export function formatDtmfBody(symbol: string): string {
  return strictSymbol(symbol);
}

function strictSymbol(symbol: string): DtmfSymbol {
  const code = dtmfEventCode(symbol);
  if (code === undefined) throw new RangeError(`not a DTMF symbol: ${JSON.stringify(symbol)}`);
  return dtmfSymbol(code) as DtmfSymbol;
}

function parseSignal(value: string): DtmfSymbol | undefined {
  if (/^\d{1,2}$/.test(value)) return dtmfSymbol(Number(value));
  const code = dtmfEventCode(value);
  return code === undefined ? undefined : dtmfSymbol(code);
}

function parseDuration(value: string): number | undefined {
  if (!/^\d{1,9}$/.test(value)) return undefined;
  const ms = Number(value);
  return ms > 0 && ms <= MAX_DURATION_MS ? ms : undefined;
}

function bodyText(body: string | Uint8Array): string {
  return typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
}
