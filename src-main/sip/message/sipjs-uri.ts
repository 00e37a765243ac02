import { Grammar, NameAddrHeader, URI } from 'sip.js';

/**
 * Hand-written readers for the SIP URI and name-addr forms that real peers send, building
 * exactly the objects sip.js's generated grammar (grammar/pegjs) builds for them, quirks
 * included (see sipjs-incoming.ts for why). Each reader takes only forms it is sure of and
 * returns undefined for anything else; the caller then asks the grammar, so a form not
 * handled here costs speed, never correctness. test/unit/sip/sipjs-incoming.test.ts holds
 * both to the same results.
 */

export const TOKEN = "A-Za-z0-9\\-.!%*_+`'~";
export const tokenRe = new RegExp(`^[${TOKEN}]+$`);

/**
 * The grammar reads a method as one of these literals before trying a token, and a PEG
 * does not go back into a choice that matched: "INVITEX" fails where "FOO" passes.
 */
const knownMethods = ['INVITE', 'ACK', 'VXACH', 'OPTIONS', 'BYE', 'CANCEL', 'REGISTER', 'SUBSCRIBE', 'NOTIFY', 'REFER', 'PUBLISH'];

export function methodOk(m: string): boolean {
  if (!tokenRe.test(m)) return false;
  for (const k of knownMethods) if (m.startsWith(k)) return m === k;
  return true;
}

/** For the same reason, a value starting with one of a parameter's literal values must be that value. */
function literalOk(value: string, literals: readonly string[]): boolean {
  for (const l of literals) if (value.startsWith(l)) return value === l;
  return true;
}
/** RFC 3261 user (unreserved, escaped, user-unreserved), without the password part. */
const userinfoRe = /^(?:[A-Za-z0-9\-_.!~*'()&=+$,;?/]|%[0-9A-Fa-f]{2})+$/;
/** paramchar without escapes (param-unreserved / unreserved). */
const paramRe = /^[A-Za-z0-9\-_.!~*'()[\]/:&+$]+$/;
export const ipv4Re = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)){3}$/;
/** The grammar's hostname: labels of [A-Za-z0-9_-], a top label starting with a letter, no final dot. */
const domainRe = /^(?:[A-Za-z0-9_-]+\.)*[A-Za-z][A-Za-z0-9-]*$/;
const digitsRe = /^\d{1,5}$/;

export type HostType = 'domain' | 'IPv4' | 'IPv6';

/** IPv6 references the grammar accepted or refused (it refuses some valid ones, e.g. [::]); bounded. */
const ipv6Seen = new Map<string, boolean>();

/** The grammar's host_type of a host, or undefined when the grammar would not take it as one. */
export function hostType(host: string): HostType | undefined {
  if (host.charCodeAt(0) === 0x5b /* [ */) {
    let ok = ipv6Seen.get(host);
    if (ok === undefined) {
      const r = Grammar.parse(host, 'host') as { host_type?: string } | -1;
      ok = r !== -1 && r.host_type === 'IPv6';
      if (ipv6Seen.size >= 256) ipv6Seen.clear();
      ipv6Seen.set(host, ok);
    }
    return ok ? 'IPv6' : undefined;
  }
  if (ipv4Re.test(host)) return 'IPv4';
  return domainRe.test(host) ? 'domain' : undefined;
}

type Params = Record<string, string | undefined>;

/**
 * A sip:/sips: URI as the grammar's SIP_URI builds it: scheme as written (URI lower-cases
 * its normal form), user percent-decoded, host as written, port as a number, parameters
 * with lower-cased names (transport and user values lower-cased, lr without a value).
 * `withParams` false: an addr-spec outside angle brackets, whose ;params belong to the header.
 */
export function fastSipUri(text: string, withParams = true): URI | undefined {
  const colon = text.indexOf(':');
  if (colon !== 3 && colon !== 4) return undefined;
  const scheme = text.slice(0, colon);
  const lower = scheme.toLowerCase();
  if (lower !== 'sip' && lower !== 'sips') return undefined;
  let rest = text.slice(colon + 1);
  if (rest.includes('?')) return undefined; // URI headers: rare here; the grammar reads them
  let user: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const info = rest.slice(0, at);
    if (!userinfoRe.test(info)) return undefined;
    if (info.includes('%')) {
      try {
        user = decodeURIComponent(info);
      } catch {
        return undefined;
      }
    } else user = info;
    rest = rest.slice(at + 1);
  }
  const semi = rest.indexOf(';');
  const hostport = semi < 0 ? rest : rest.slice(0, semi);
  if (!withParams && semi >= 0) return undefined;
  let host = hostport;
  let port: number | undefined;
  const close = hostport.lastIndexOf(']');
  const portColon = hostport.indexOf(':', close + 1);
  if (portColon >= 0) {
    host = hostport.slice(0, portColon);
    const p = hostport.slice(portColon + 1);
    if (!digitsRe.test(p)) return undefined;
    port = Number(p);
  }
  if (!hostType(host)) return undefined;
  let params: Params | undefined;
  if (semi >= 0) {
    params = uriParams(rest.slice(semi + 1));
    if (!params) return undefined;
  }
  return new URI(scheme, user as string, host, port, params as Record<string, string>);
}

function uriParams(text: string): Params | undefined {
  const params: Params = {};
  for (const p of text.split(';')) {
    const eq = p.indexOf('=');
    const name = (eq < 0 ? p : p.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? undefined : p.slice(eq + 1);
    if (!paramRe.test(name) || (value !== undefined && !paramRe.test(value))) return undefined;
    // "lr" is a literal without "=": "lrx" matches it, then fails.
    if (name.startsWith('lr') && name !== 'lr') return undefined;
    switch (name) {
      case 'transport':
      case 'user': {
        // The grammar reads these as tokens and lower-cases them; without a value they are generic.
        if (value === undefined || !tokenRe.test(value)) return undefined;
        const lower = value.toLowerCase();
        if (!literalOk(lower, name === 'user' ? ['phone', 'ip'] : ['udp', 'tcp', 'sctp', 'tls'])) return undefined;
        params[name] = lower;
        break;
      }
      case 'lr':
        if (value !== undefined) return undefined; // "lr=on" reads as a bare lr
        params[name] = undefined;
        break;
      case 'method': // in a Request-URI, replaces the request's method in the grammar
      case 'ttl': // moved to the header's parameters by the grammar
      case 'maddr': // replaces the host in the grammar
        return undefined;
      default:
        params[name] = value;
    }
  }
  return params;
}

/** Which header a name-addr comes from: Contact treats q and expires specially, From/To the tag. */
export type NameAddrKind = 'fromTo' | 'contact' | 'route';

export interface NameAddrEntry {
  header: NameAddrHeader;
  /** Where the grammar's text of this entry starts and ends (Contact and Record-Route keep it as the raw value). */
  start: number;
  end: number;
  /** Index just past this entry's comma, or text.length at the end. */
  next: number;
}

const quotedRe = /^"((?:[\x20\x21\x23-\x5b\x5d-\x7e\t\u0080-\uffff]|\\[\x20-\x7e\t])*)"/;
const tokenDisplayRe = new RegExp(`^[${TOKEN}]+(?:[ \\t]+[${TOKEN}]+)*`);
const paramNameRe = new RegExp(`[${TOKEN}]+`, 'y');
const quotedValueRe = /"(?:[\x20\x21\x23-\x5b\x5d-\x7e\t\u0080-\uffff]|\\[\x20-\x7e\t])*"/y;
const SP = (c: number): boolean => c === 0x20 || c === 0x09;

/** One name-addr / addr-spec (with its header parameters) starting at `start` of `text`. */
export function fastNameAddr(text: string, start: number, kind: NameAddrKind): NameAddrEntry | undefined {
  let p = start;
  let displayName: string | undefined;
  let uri: URI | undefined;
  const c = text.charCodeAt(p);
  if (c === 0x22 /* " */) {
    const m = quotedRe.exec(text.slice(p));
    if (!m) return undefined;
    displayName = m[1]!;
    p += m[0].length;
    while (SP(text.charCodeAt(p))) p++;
    if (text.charCodeAt(p) !== 0x3c) return undefined;
  } else if (c !== 0x3c /* < */) {
    const m = tokenDisplayRe.exec(text.slice(p));
    let q = p + (m ? m[0].length : 0);
    while (m && SP(text.charCodeAt(q))) q++;
    if (m && text.charCodeAt(q) === 0x3c) {
      displayName = m[0];
      p = q;
    }
  }
  let afterUri: number;
  if (text.charCodeAt(p) === 0x3c) {
    const gt = text.indexOf('>', p);
    if (gt < 0) return undefined;
    uri = fastSipUri(text.slice(p + 1, gt));
    afterUri = gt + 1;
    // RAQUOT is ">" SWS: the grammar's entry text takes the blanks after it.
    while (SP(text.charCodeAt(afterUri))) afterUri++;
  } else {
    if (kind === 'route') return undefined; // rec-route is name-addr only
    let q = p;
    while (q < text.length && !';, \t'.includes(text[q]!)) q++;
    // An addr-spec whose user part holds ';' or '?' would be read differently: leave it to the grammar.
    if (text.indexOf('@', q) >= 0) return undefined;
    uri = fastSipUri(text.slice(p, q), false);
    afterUri = q;
  }
  if (!uri) return undefined;
  const params: Params = {};
  let tag: string | undefined;
  let end = afterUri;
  p = afterUri;
  for (;;) {
    let q = p;
    while (SP(text.charCodeAt(q))) q++;
    if (text.charCodeAt(q) !== 0x3b /* ; */) break;
    q++;
    while (SP(text.charCodeAt(q))) q++;
    paramNameRe.lastIndex = q;
    const nm = paramNameRe.exec(text);
    if (!nm) return undefined;
    const name = nm[0].toLowerCase();
    q += nm[0].length;
    let value: string | undefined;
    let r = q;
    while (SP(text.charCodeAt(r))) r++;
    if (text.charCodeAt(r) === 0x3d /* = */) {
      r++;
      while (SP(text.charCodeAt(r))) r++;
      const re = text.charCodeAt(r) === 0x22 ? quotedValueRe : paramNameRe;
      re.lastIndex = r;
      const vm = re.exec(text);
      if (!vm) return undefined;
      value = vm[0];
      q = r + value.length;
    }
    if (kind === 'fromTo' && name === 'tag') {
      if (value === undefined) return undefined;
      tag = value;
    } else if (kind === 'contact' && name === 'q' && value !== undefined) {
      // qvalue: the grammar turns "0.50" into "0.5" but keeps "1.000"; other forms are left to it.
      if (/^0(?:\.\d{0,3})?$/.test(value)) params[name] = String(parseFloat(value));
      else if (/^1(?:\.0{0,3})?$/.test(value)) params[name] = value;
      else return undefined;
    } else if (kind === 'contact' && name === 'expires' && value !== undefined) {
      if (!/^\d{1,10}$/.test(value)) return undefined;
      params[name] = String(parseInt(value, 10));
    } else {
      params[name] = value;
    }
    p = end = q;
  }
  // What follows must end the header (From/To) or the entry (a comma).
  let next = p;
  while (SP(text.charCodeAt(next))) next++;
  if (next < text.length) {
    if (kind === 'fromTo' || text.charCodeAt(next) !== 0x2c /* , */) return undefined;
    next++;
    while (SP(text.charCodeAt(next))) next++;
    if (next >= text.length) return undefined;
  }
  const header = new NameAddrHeader(uri, displayName as string, params as Record<string, string>);
  if (tag) header.setParam('tag', tag);
  return { header, start, end, next };
}

/** Every entry of a Contact or Record-Route value, as the grammar's multi_header array; undefined if not all are simple. */
export function fastNameAddrList(text: string, kind: 'contact' | 'route'): NameAddrEntry[] | undefined {
  const out: NameAddrEntry[] = [];
  let p = 0;
  while (p < text.length) {
    const e = fastNameAddr(text, p, kind);
    if (!e) return undefined;
    out.push(e);
    p = e.next;
  }
  return out.length > 0 ? out : undefined;
}
