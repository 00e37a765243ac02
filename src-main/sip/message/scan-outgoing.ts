import { canonicalHeaderName, parseCSeq, splitHeaderList, type CSeq, type SipHeader, type SipMessage } from './sip-message.js';
import { parseVia, type TransactionKeys } from './via.js';

export interface OutgoingScan {
  /**
   * The start line and only the headers the mux routes and retransmits by: the top Via,
   * To, CSeq and the first Route (sip.js wrote the message; nothing else is read from it).
   */
  message: SipMessage;
  keys: TransactionKeys & { cseq: CSeq };
}

const requestLine = /^([A-Za-z!%*_+`'~.-]+) (\S+) SIP\/2\.0$/;
const statusLine = /^SIP\/2\.0 (\d{3})(?: (.*))?$/;
const wanted = new Set(['via', 'to', 'cseq', 'route']);
const noBody = Buffer.alloc(0);

/**
 * Reads what the mux needs from a message our own user agent serialised, without parsing
 * the whole of it again: a scan of the header lines for the few names it routes by.
 * Undefined when the start line, the top Via or the CSeq cannot be read.
 */
export function scanOutgoing(text: string): OutgoingScan | undefined {
  const headEnd = text.indexOf('\r\n\r\n');
  const end = headEnd < 0 ? text.length : headEnd;
  let lineEnd = text.indexOf('\r\n');
  if (lineEnd < 0 || lineEnd > end) lineEnd = end;
  const first = text.slice(0, lineEnd);
  const headers: SipHeader[] = [];
  let via: string | undefined;
  let cseq: string | undefined;
  let route = false;
  let at = lineEnd + 2;
  while (at < end) {
    let next = text.indexOf('\r\n', at);
    if (next < 0 || next > end) next = end;
    const colon = text.indexOf(':', at);
    if (colon > at && colon < next) {
      const name = text.slice(at, colon).trim();
      const canonical = canonicalHeaderName(name);
      if (wanted.has(canonical) && !(canonical === 'via' && via !== undefined) && !(canonical === 'route' && route)) {
        const value = text.slice(colon + 1, next).trim();
        headers.push({ name, value });
        if (canonical === 'via') via = value;
        else if (canonical === 'cseq') cseq = value;
        else if (canonical === 'route') route = true;
      }
    }
    at = next + 2;
  }
  const parsedCSeq = parseCSeq(cseq);
  if (via === undefined || !parsedCSeq) return undefined;
  // The top Via may hold several entries on one line: the first is ours.
  const top = splitHeaderList(via)[0];
  const keys = { via: top === undefined ? undefined : parseVia(top), cseq: parsedCSeq };
  const req = requestLine.exec(first);
  if (req) return { message: { kind: 'request', method: req[1]!.toUpperCase(), uri: req[2]!, headers, body: noBody }, keys };
  const res = statusLine.exec(first);
  if (res) return { message: { kind: 'response', status: Number(res[1]), reason: res[2] ?? '', headers, body: noBody }, keys };
  return undefined;
}
