/**
 * A SIP message as the transport layer sees it: start line, headers in wire order, body
 * bytes. This is deliberately shallow (sip.js does the full grammar); it is what the mux
 * needs to route, validate, retransmit and answer statelessly.
 */
export interface SipHeader {
  /** The name as it appeared on the wire (compact or long form). */
  name: string;
  value: string;
}

interface SipMessageBase {
  headers: SipHeader[];
  body: Buffer;
}

export interface SipRequest extends SipMessageBase {
  kind: 'request';
  method: string;
  uri: string;
}

export interface SipResponse extends SipMessageBase {
  kind: 'response';
  status: number;
  reason: string;
}

export type SipMessage = SipRequest | SipResponse;

/** RFC 3261 §7.3.3 compact forms (and RFC 3515/3892/4028 ones seen in the wild). */
const compactForms: Record<string, string> = {
  i: 'call-id',
  m: 'contact',
  e: 'content-encoding',
  l: 'content-length',
  c: 'content-type',
  f: 'from',
  s: 'subject',
  k: 'supported',
  t: 'to',
  v: 'via',
  o: 'event',
  u: 'allow-events',
  r: 'refer-to',
  b: 'referred-by',
  x: 'session-expires',
  a: 'accept-contact',
  j: 'reject-contact',
  d: 'request-disposition',
  y: 'identity',
};

/** Names as written → canonical names; every header look-up asks (bounded: names come from the wire). */
const canonicalNames = new Map<string, string>();

/** Canonical lower-case long name of a header. */
export function canonicalHeaderName(name: string): string {
  let canonical = canonicalNames.get(name);
  if (canonical === undefined) {
    const lower = name.toLowerCase();
    canonical = compactForms[lower] ?? lower;
    if (canonicalNames.size < 512) canonicalNames.set(name, canonical);
  }
  return canonical;
}

/** Values of every header with this (long or compact) name, in wire order. */
export function headerValues(msg: SipMessage, name: string): string[] {
  return valuesIn(msg.headers, name);
}

/** Values of every header with this (long or compact) name in a header list. */
export function valuesIn(headers: SipHeader[], name: string): string[] {
  const want = canonicalHeaderName(name);
  const out: string[] = [];
  for (const h of headers) if (canonicalHeaderName(h.name) === want) out.push(h.value);
  return out;
}

export function header(msg: SipMessage, name: string): string | undefined {
  const want = canonicalHeaderName(name);
  for (const h of msg.headers) if (canonicalHeaderName(h.name) === want) return h.value;
  return undefined;
}

export interface CSeq {
  seq: number;
  method: string;
}

export function parseCSeq(value: string | undefined): CSeq | undefined {
  if (!value) return undefined;
  const m = /^\s*(\d{1,10})\s+([A-Za-z!%*_+`'~.-]+)\s*$/.exec(value);
  if (!m) return undefined;
  const seq = Number(m[1]);
  if (seq > 2 ** 31 - 1) return undefined;
  return { seq, method: m[2]!.toUpperCase() };
}

export function cseqOf(msg: SipMessage): CSeq | undefined {
  return parseCSeq(header(msg, 'cseq'));
}

export function callIdOf(msg: SipMessage): string | undefined {
  const v = header(msg, 'call-id')?.trim();
  return v ? v : undefined;
}

/** The tag parameter of a From/To header value, if any. */
export function tagOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  // Parameters after the closing '>' (or after the URI when there are no brackets).
  const close = value.lastIndexOf('>');
  const params = close >= 0 ? value.slice(close + 1) : value.slice(value.indexOf(';'));
  const m = /;\s*tag\s*=\s*([^;\s,]+)/i.exec(params);
  return m?.[1];
}

/** Splits a header value on commas that are not inside quotes or angle brackets. */
export function splitHeaderList(value: string): string[] {
  const out: string[] = [];
  let depthAngle = 0;
  let inQuote = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (inQuote) {
      if (c === '\\') i++;
      else if (c === '"') inQuote = false;
    } else if (c === '"') inQuote = true;
    else if (c === '<') depthAngle++;
    else if (c === '>') depthAngle = Math.max(0, depthAngle - 1);
    else if (c === ',' && depthAngle === 0) {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = value.slice(start).trim();
  if (last) out.push(last);
  return out;
}

/** The user part of a SIP/SIPS URI (inside a name-addr or bare), lower-cased host. */
export interface UriParts {
  scheme: string;
  user: string | undefined;
  host: string;
  port: number | undefined;
  params: Map<string, string>;
}

export function parseSipUri(text: string): UriParts | undefined {
  let s = text.trim();
  const lt = s.indexOf('<');
  if (lt >= 0) {
    const gt = s.indexOf('>', lt);
    if (gt < 0) return undefined;
    s = s.slice(lt + 1, gt);
  }
  const m = /^(sips?|tel):([^;?]*)(;[^?]*)?(\?.*)?$/i.exec(s);
  if (!m) return undefined;
  const scheme = m[1]!.toLowerCase();
  const hostPart = m[2]!;
  const paramsText = m[3] ?? '';
  const params = new Map<string, string>();
  for (const p of paramsText.split(';')) {
    if (!p) continue;
    const eq = p.indexOf('=');
    if (eq < 0) params.set(p.toLowerCase(), '');
    else params.set(p.slice(0, eq).toLowerCase(), p.slice(eq + 1));
  }
  if (scheme === 'tel') return { scheme, user: hostPart, host: '', port: undefined, params };
  const at = hostPart.lastIndexOf('@');
  const user = at >= 0 ? decodeURIComponentSafe(hostPart.slice(0, at).split(':')[0]!) : undefined;
  const hostport = at >= 0 ? hostPart.slice(at + 1) : hostPart;
  const hp = /^(\[[0-9a-fA-F:.]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(hostport);
  if (!hp) return undefined;
  const port = hp[2] === undefined ? undefined : Number(hp[2]);
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  return { scheme, user, host: hp[1]!.toLowerCase(), port, params };
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
