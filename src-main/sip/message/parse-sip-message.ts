import { callIdOf, canonicalHeaderName, cseqOf, header, headerValues, valuesIn, type CSeq, type SipHeader, type SipMessage, type SipRequest } from './sip-message.js';
import { topVia, type TransactionKeys } from './via.js';

export interface ParseLimits {
  /** Largest whole message accepted (headers + body). */
  maxMessageBytes: number;
  /** Largest header section accepted. */
  maxHeaderBytes: number;
  /** Most header lines accepted. */
  maxHeaders: number;
}

export const defaultParseLimits: ParseLimits = {
  maxMessageBytes: 65_535,
  maxHeaderBytes: 32_768,
  maxHeaders: 256,
};

export type ParseOutcome =
  | {
      ok: true;
      message: SipMessage;
      /** The message's own bytes: leading CRLFs and bytes past Content-Length removed. */
      wire: Buffer;
      /** Its top Via and CSeq, read while validating (the CSeq is known to be well-formed). */
      keys: TransactionKeys & { cseq: CSeq };
    }
  | {
      ok: false;
      reason: string;
      /** The status to answer with, when the message was a request we could answer. */
      status?: 400 | 505 | 513;
      /** The request as far as it could be read, to build a stateless error response. */
      partial?: SipRequest;
    };

const CRLFCRLF = Buffer.from('\r\n\r\n');
const requestLine = /^([A-Za-z!%*_+`'~.-]+) (\S+) SIP\/(\d+\.\d+)$/;
const statusLine = /^SIP\/(\d+\.\d+) (\d{3})(?: (.*))?$/;
const headerName = /^[A-Za-z0-9!%*_+`'~.-]+$/;

/**
 * Parses one complete SIP message (a UDP datagram or a framed stream message).
 * Never throws: every defect comes back as `{ ok: false, reason }`, with the status and
 * partial request needed to answer it when it was a request.
 */
export function parseSipMessage(buf: Buffer, limits: ParseLimits = defaultParseLimits): ParseOutcome {
  try {
    return parse(buf, limits);
  } catch (error) {
    return { ok: false, reason: `unparseable: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function parse(buf: Buffer, limits: ParseLimits): ParseOutcome {
  // Leading CRLFs are keep-alives or stream padding (RFC 3261 §7.5): skip them.
  let start = 0;
  while (start + 1 < buf.length && buf[start] === 0x0d && buf[start + 1] === 0x0a) start += 2;
  const headerEnd = buf.indexOf(CRLFCRLF, start);
  const headerBytes = headerEnd < 0 ? buf.length - start : headerEnd - start;
  const headText = buf.toString('utf8', start, headerEnd < 0 ? buf.length : headerEnd);
  const lines = unfold(headText.split('\r\n'));
  const first = lines.shift() ?? '';

  const req = requestLine.exec(first);
  const res = req ? null : statusLine.exec(first);
  if (!req && !res) return { ok: false, reason: 'bad start line' };

  const headers: SipHeader[] = [];
  let badHeader: string | undefined;
  for (const line of lines) {
    if (headers.length >= limits.maxHeaders) {
      badHeader ??= `more than ${limits.maxHeaders} header lines`;
      break;
    }
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    if (!name || !headerName.test(name)) {
      badHeader ??= `malformed header line "${line.slice(0, 40)}"`;
      continue;
    }
    headers.push({ name, value: line.slice(colon + 1).trim() });
  }

  const partialRequest = (): SipRequest | undefined =>
    req ? { kind: 'request', method: req[1]!.toUpperCase(), uri: req[2]!, headers, body: Buffer.alloc(0) } : undefined;
  const fail = (reason: string, status: 400 | 505 | 513): ParseOutcome => {
    const partial = partialRequest();
    return partial && headerValues(partial, 'via').length > 0 ? { ok: false, reason, status, partial } : { ok: false, reason };
  };

  const version = req ? req[3] : res![1];
  if (version !== '2.0') return fail(`unsupported SIP version ${version}`, 505);
  if (buf.length > limits.maxMessageBytes) return fail(`message of ${buf.length} bytes exceeds ${limits.maxMessageBytes}`, 513);
  if (headerBytes > limits.maxHeaderBytes) return fail(`header section of ${headerBytes} bytes exceeds ${limits.maxHeaderBytes}`, 513);
  if (headerEnd < 0) return fail('no blank line after the headers (truncated message)', 400);
  if (badHeader) return fail(badHeader, 400);

  // Content-Length counts bytes (RFC 3261 §20.14). Extra bytes are discarded (§18.3).
  const available = buf.length - (headerEnd + 4);
  const lengths = new Set(valuesIn(headers, 'content-length').map((v) => v.trim()));
  let bodyLength = available;
  if (lengths.size > 1) return fail('conflicting Content-Length headers', 400);
  if (lengths.size === 1) {
    const v = [...lengths][0]!;
    if (!/^\d{1,9}$/.test(v)) return fail(`bad Content-Length "${v.slice(0, 20)}"`, 400);
    bodyLength = Number(v);
    if (bodyLength > available) return fail(`Content-Length ${bodyLength} exceeds the ${available} body bytes received`, 400);
  }
  const body = buf.subarray(headerEnd + 4, headerEnd + 4 + bodyLength);

  const message: SipMessage = req
    ? { kind: 'request', method: req[1]!.toUpperCase(), uri: req[2]!, headers, body }
    : { kind: 'response', status: Number(res![2]), reason: res![3] ?? '', headers, body };

  const missing = ['via', 'from', 'to', 'call-id', 'cseq'].filter((h) => header(message, h) === undefined);
  if (missing.length > 0) return fail(`missing mandatory header ${missing.join(', ')}`, 400);
  if (!callIdOf(message)) return fail('empty Call-ID', 400);
  // RFC 3261 §8.2 / §18.1.2: a top Via that is not SIP/2.0/<transport> is not ours to answer as SIP 2.0.
  const via = topVia(message);
  if (!via) return fail(`top Via is not "SIP/2.0/<transport> <host>": ${header(message, 'via')!.slice(0, 40)}`, 400);
  const cseq = cseqOf(message);
  if (!cseq) return fail('malformed CSeq', 400);
  if (message.kind === 'request' && cseq.method !== message.method) return fail(`CSeq method ${cseq.method} does not match ${message.method}`, 400);
  if (message.kind === 'response' && (message.status < 100 || message.status > 699)) return { ok: false, reason: `bad status ${message.status}` };
  return { ok: true, message, wire: buf.subarray(start, headerEnd + 4 + bodyLength), keys: { via, cseq } };
}

/** Joins header continuation lines (a line starting with space or tab continues the previous one). */
function unfold(lines: string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && out.length > 0) {
      out[out.length - 1] += ' ' + line.trim();
    } else if (line.length > 0) {
      out.push(line);
    }
  }
  return out;
}

/** Serialises a message back to bytes, with a Content-Length that matches the body. */
export function serializeSipMessage(msg: SipMessage): Buffer {
  const start = msg.kind === 'request' ? `${msg.method} ${msg.uri} SIP/2.0` : `SIP/2.0 ${msg.status} ${msg.reason}`;
  const lines = [start];
  for (const h of msg.headers) {
    if (canonicalHeaderName(h.name) === 'content-length') continue;
    lines.push(`${h.name}: ${h.value}`);
  }
  lines.push(`Content-Length: ${msg.body.length}`);
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'utf8'), msg.body]);
}
