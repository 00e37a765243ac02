import { cseqOf, header, headerValues, splitHeaderList, type CSeq, type SipMessage } from './sip-message.js';

/** One Via entry (RFC 3261 §20.42), with the parameters the transport layer uses. */
export interface Via {
  transport: string;
  host: string;
  port: number | undefined;
  params: Map<string, string>;
  branch: string | undefined;
}

export function parseVia(value: string): Via | undefined {
  const m = /^\s*SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z]+)\s+(\[[0-9a-fA-F:.]+\]|[^\s;:]+)(?:\s*:\s*(\d{1,5}))?\s*(;.*)?$/i.exec(value);
  if (!m) return undefined;
  const params = new Map<string, string>();
  for (const p of (m[4] ?? '').split(';')) {
    const t = p.trim();
    if (!t) continue;
    const eq = t.indexOf('=');
    if (eq < 0) params.set(t.toLowerCase(), '');
    else params.set(t.slice(0, eq).trim().toLowerCase(), t.slice(eq + 1).trim());
  }
  const port = m[3] === undefined ? undefined : Number(m[3]);
  return {
    transport: m[1]!.toUpperCase(),
    host: m[2]!.toLowerCase(),
    port,
    params,
    branch: params.get('branch'),
  };
}

/** Every Via entry in order, top first (several may share one header line). */
export function viaEntries(msg: SipMessage): string[] {
  return headerValues(msg, 'via').flatMap(splitHeaderList);
}

export function topVia(msg: SipMessage): Via | undefined {
  // Usually one entry per Via line: split only a line that may hold more.
  const line = header(msg, 'via');
  const first = line && !line.includes(',') ? line : viaEntries(msg)[0];
  return first === undefined ? undefined : parseVia(first);
}

/** What the transport keys a message's transaction on: read once per message and passed along. */
export interface TransactionKeys {
  via: Via | undefined;
  cseq: CSeq | undefined;
}

export function transactionKeys(msg: SipMessage): TransactionKeys {
  return { via: topVia(msg), cseq: cseqOf(msg) };
}
