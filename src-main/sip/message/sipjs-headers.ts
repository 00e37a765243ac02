import type { URI } from 'sip.js';
import { fastSipUri, hostType, ipv4Re, methodOk, TOKEN, tokenRe, type HostType } from './sipjs-uri.js';

/**
 * Hand-written readers for the start line and the headers sip.js parses eagerly (besides
 * the name-addr ones in sipjs-uri.ts), returning what its grammar returns for the forms
 * they accept and undefined for anything else (the caller then asks the grammar).
 */

export type StartLine = { kind: 'request'; method: string; ruri: URI } | { kind: 'response'; statusCode: number; reasonPhrase: string };

const requestLineRe = new RegExp(`^([${TOKEN}]+) (\\S+) SIP/2\\.0$`);
const statusLineRe = /^SIP\/2\.0 (\d{3}) ((?:[A-Za-z0-9\-_.!~*'();/?:@&=+$, \t\u0080-\uffff]|%[0-9A-Fa-f]{2})*)$/;

/** The grammar's Request_Response, for a sip:/sips: Request-URI or a plain status line. */
export function fastStartLine(line: string): StartLine | undefined {
  if (line.startsWith('SIP/2.0 ')) {
    const m = statusLineRe.exec(line);
    return m ? { kind: 'response', statusCode: parseInt(m[1]!, 10), reasonPhrase: m[2]! } : undefined;
  }
  const m = requestLineRe.exec(line);
  if (!m || !methodOk(m[1]!)) return undefined;
  const ruri = fastSipUri(m[2]!);
  return ruri ? { kind: 'request', method: m[1]!, ruri } : undefined;
}

/** The object the grammar's Via rule builds (protocol and transport as written, the rest by parameter). */
export interface SipJsVia {
  protocol: string;
  transport: string;
  host_type: HostType;
  host: string;
  port?: number;
  branch?: string;
  rport?: string;
  received?: string;
  params?: Record<string, string | undefined>;
}

const viaRe = /^SIP\/2\.0\/([A-Za-z]+) ([^;:[\s]+|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?((?:;[^;\s]+)*)$/;
const viaTransports = new Set(['UDP', 'TCP', 'TLS', 'SCTP', 'WS', 'WSS']);

/** One Via value (a single entry, no blanks inside): what the grammar's Via rule returns. */
export function fastVia(value: string): SipJsVia | undefined {
  const m = viaRe.exec(value);
  if (!m || !viaTransports.has(m[1]!.toUpperCase())) return undefined;
  const host = m[2]!;
  const type = hostType(host);
  if (!type) return undefined;
  const via: SipJsVia = { protocol: 'SIP', transport: m[1]!, host_type: type, host };
  if (m[3] !== undefined) via.port = parseInt(m[3], 10);
  const paramText = m[4]!;
  if (paramText) {
    for (const p of paramText.slice(1).split(';')) {
      const eq = p.indexOf('=');
      const name = (eq < 0 ? p : p.slice(0, eq)).toLowerCase();
      const v = eq < 0 ? undefined : p.slice(eq + 1);
      if (!tokenRe.test(name) || (v !== undefined && !tokenRe.test(v))) return undefined;
      // "rport" is a literal with an optional value: "rportx" matches it, then fails.
      if (name.startsWith('rport') && name !== 'rport') return undefined;
      // Without a value, every parameter (branch and rport too) is a generic one.
      if (v === undefined) {
        (via.params ??= {})[name] = undefined;
        continue;
      }
      switch (name) {
        case 'branch':
          via.branch = v;
          break;
        case 'rport':
          if (!/^\d+$/.test(v)) return undefined;
          via.rport = v;
          break;
        case 'received':
          // The grammar reads an IPv4 received as an address, and says so in host_type.
          if (!ipv4Re.test(v)) return undefined;
          via.received = v;
          via.host_type = 'IPv4';
          break;
        case 'ttl':
        case 'maddr':
          return undefined;
        default:
          (via.params ??= {})[name] = v;
      }
    }
  }
  return via;
}

const cseqRe = new RegExp(`^(\\d{1,10})[ \\t]+([${TOKEN}]+)$`);

export function fastCSeq(value: string): { value: number; method: string } | undefined {
  const m = cseqRe.exec(value);
  if (!m || !methodOk(m[2]!)) return undefined;
  return { value: parseInt(m[1]!, 10), method: m[2]! };
}

const wordChars = "A-Za-z0-9\\-.!%*_+`'~()<>:\\\\\"/\\[\\]?{}";
const callIdRe = new RegExp(`^[${wordChars}]+(?:@[${wordChars}]+)?$`);

/** The grammar's Call_ID is the value itself when it is well-formed. */
export function fastCallId(value: string): string | undefined {
  return callIdRe.test(value) ? value : undefined;
}

const contentTypeRe = new RegExp(
  `^(?:application|text|multipart|message|audio|video|image)/[${TOKEN}]+(?:[ \\t]*;[ \\t]*[${TOKEN}]+=(?:[${TOKEN}]+|"(?:[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]|\\\\[\\x20-\\x7e])*"))*$`,
  'i',
);

/** The grammar's Content_Type is the value itself when it is well-formed. */
export function fastContentType(value: string): string | undefined {
  return contentTypeRe.test(value) ? value : undefined;
}

/** Content-Length and Max-Forwards: the number. */
export function fastNumber(value: string): number | undefined {
  return /^\d{1,10}$/.test(value) ? parseInt(value, 10) : undefined;
}
