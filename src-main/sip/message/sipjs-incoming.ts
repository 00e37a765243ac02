import { Core, Grammar, type URI } from 'sip.js';
import type { SipMessage } from './sip-message.js';
import { fastCallId, fastContentType, fastCSeq, fastNumber, fastStartLine, fastVia, type StartLine } from './sipjs-headers.js';
import { fastNameAddr, fastNameAddrList } from './sipjs-uri.js';

export type SipJsIncoming = Core.IncomingRequestMessage | Core.IncomingResponseMessage;

/**
 * Parse once: builds the IncomingRequestMessage / IncomingResponseMessage that sip.js's
 * Parser.parseMessage would build from `text`, from the message the mux has already split
 * into headers, so sip.js does not read the text a second time (patches/required: the
 * user agent takes a built message as well as a string).
 *
 * It follows Parser.parseHeader header by header: the same header keys (sip.js's own
 * addHeader/setHeader), the same eagerly parsed headers, the same fields (via, viaBranch,
 * from, fromTag, to, toTag, callId, cseq, method, referTo, body, data). The `parsed`
 * values come from the hand-written readers in sipjs-uri.ts and sipjs-headers.ts; a value
 * they do not take goes to sip.js's grammar (Grammar.parse, as sip.js would call it), so
 * only that header costs a grammar run. Returns undefined (deliver the text instead) for
 * what it does not reproduce: folded header lines (sip.js keeps the line break inside the
 * value) and a header the grammar refuses (sip.js then drops the message with its own log
 * line).
 */
export function toSipJsMessage(msg: SipMessage, text: string): SipJsIncoming | undefined {
  const lineEnd = text.indexOf('\r\n');
  const headEnd = text.indexOf('\r\n\r\n');
  if (lineEnd < 0 || headEnd < 0) return undefined;
  const fold1 = text.indexOf('\r\n ', lineEnd);
  const fold2 = text.indexOf('\r\n\t', lineEnd);
  if ((fold1 >= 0 && fold1 < headEnd) || (fold2 >= 0 && fold2 < headEnd)) return undefined;
  const start = startLine(text.slice(0, lineEnd));
  if (!start || start.kind !== msg.kind) return undefined;
  let m: SipJsIncoming;
  if (start.kind === 'request') {
    m = new Core.IncomingRequestMessage();
    m.method = start.method;
    m.ruri = start.ruri;
  } else {
    const res = new Core.IncomingResponseMessage();
    res.statusCode = start.statusCode;
    res.reasonPhrase = start.reasonPhrase;
    m = res;
  }
  m.data = text;
  for (const h of msg.headers) if (!addHeader(m, h.name, h.value)) return undefined;
  const bodyStart = headEnd + 4;
  if (m.hasHeader('content-length')) {
    const n = Number(m.getHeader('content-length'));
    if (!Number.isFinite(n)) return undefined;
    m.body = text.substring(bodyStart, bodyStart + n);
  } else {
    m.body = text.substring(bodyStart);
  }
  return m;
}

/** sip.js's header slots take any parsed value. */
type Slot = { raw: string; parsed?: unknown };

function slots(m: SipJsIncoming, key: string): Slot[] {
  return m.headers[key] as Slot[];
}

/** The first slot of a single-valued header just set: `fast` when it read the value, else sip.js's own parseHeader. */
function parseSet<T>(m: SipJsIncoming, name: string, key: string, value: string, fast: (v: string) => T | undefined): T | undefined {
  m.setHeader(name, value);
  const parsed = fast(value);
  if (parsed === undefined) return m.parseHeader(name) as T | undefined;
  slots(m, key)[0]!.parsed = parsed;
  return parsed;
}

/** Contact and Record-Route: one slot per entry, raw text as the grammar delimits it. */
function addList(m: SipJsIncoming, name: string, key: string, value: string, kind: 'contact' | 'route', rule: string): boolean {
  const fast = fastNameAddrList(value, kind);
  const entries: { start: number; end: number; parsed: unknown }[] | undefined = fast
    ? fast.map((e) => ({ start: e.start, end: e.end, parsed: e.header }))
    : grammarList(value, rule);
  if (!entries) return false;
  for (const e of entries) {
    m.addHeader(name, value.substring(e.start, e.end));
    const list = slots(m, key);
    list[list.length - 1]!.parsed = e.parsed;
  }
  return true;
}

function grammarList(value: string, rule: string): { start: number; end: number; parsed: unknown }[] | undefined {
  const parsed = Grammar.parse(value, rule) as { position: number; offset: number; parsed: unknown }[] | -1;
  if (parsed === -1 || !Array.isArray(parsed)) return undefined;
  return parsed.map((e) => ({ start: e.offset, end: e.position, parsed: e.parsed }));
}

/** One header line, as Parser.parseHeader handles it; false where sip.js would drop the message. */
function addHeader(m: SipJsIncoming, name: string, value: string): boolean {
  switch (name.toLowerCase()) {
    case 'via':
    case 'v': {
      m.addHeader('via', value);
      if (m.getHeaders('via').length !== 1) return true;
      const via = fastVia(value);
      const parsed = (via ?? m.parseHeader('Via')) as { branch: string } | undefined;
      if (!parsed) return false;
      if (via) slots(m, 'Via')[0]!.parsed = via;
      m.via = parsed as unknown as Core.IncomingMessage['via'];
      m.viaBranch = parsed.branch;
      return true;
    }
    case 'from':
    case 'f': {
      const from = parseSet(m, 'from', 'From', value, fromTo);
      if (!from) return false;
      m.from = from;
      m.fromTag = from.getParam('tag') as string;
      return true;
    }
    case 'to':
    case 't': {
      const to = parseSet(m, 'to', 'To', value, fromTo);
      if (!to) return false;
      m.to = to;
      m.toTag = to.getParam('tag') as string;
      return true;
    }
    case 'record-route':
      return addList(m, 'record-route', 'Record-Route', value, 'route', 'Record_Route');
    case 'call-id':
    case 'i':
      if (parseSet(m, 'call-id', 'Call-ID', value, fastCallId) === undefined) return false;
      m.callId = value;
      return true;
    case 'contact':
    case 'm':
      return addList(m, 'contact', 'Contact', value, 'contact', 'Contact');
    case 'content-length':
    case 'l':
      return parseSet(m, 'content-length', 'Content-Length', value, fastNumber) !== undefined;
    case 'content-type':
    case 'c':
      return parseSet(m, 'content-type', 'Content-Type', value, fastContentType) !== undefined;
    case 'cseq': {
      const cseq = parseSet(m, 'cseq', 'CSeq', value, fastCSeq);
      if (!cseq) return false;
      m.cseq = cseq.value;
      if (m instanceof Core.IncomingResponseMessage) m.method = cseq.method;
      return true;
    }
    case 'max-forwards':
      return parseSet(m, 'max-forwards', 'Max-Forwards', value, fastNumber) !== undefined;
    case 'www-authenticate':
    case 'proxy-authenticate':
      // Challenges come once per registration or call: sip.js's grammar reads them.
      m.setHeader(name, value);
      return m.parseHeader(name) !== undefined;
    case 'refer-to':
    case 'r': {
      m.setHeader('refer-to', value);
      const referTo = m.parseHeader('refer-to') as Core.IncomingMessage['referTo'];
      if (!referTo) return false;
      m.referTo = referTo;
      return true;
    }
    default:
      m.addHeader(name.toLowerCase(), value);
      return true;
  }
}

/** The start line as the grammar reads it (a tel: Request-URI leaves ruri undefined, as in sip.js). */
function startLine(line: string): StartLine | undefined {
  const fast = fastStartLine(line);
  if (fast) return fast;
  const g = Grammar.parse(line, 'Request_Response') as { method?: string; uri?: URI; status_code?: number; reason_phrase?: string } | -1;
  if (g === -1) return undefined;
  return g.status_code ? { kind: 'response', statusCode: g.status_code, reasonPhrase: g.reason_phrase! } : { kind: 'request', method: g.method!, ruri: g.uri! };
}

function fromTo(value: string) {
  return fastNameAddr(value, 0, 'fromTo')?.header;
}
