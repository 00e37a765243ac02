import { parseSipMessage } from '../../src-main/sip/message/parse-sip-message.js';
import type { SipMessage, SipRequest } from '../../src-main/sip/message/sip-message.js';

/** Joins header lines with CRLF, adds the blank line and a correct Content-Length. */
export function sipText(startLine: string, headers: string[], body = ''): string {
  const len = Buffer.byteLength(body, 'utf8');
  return [startLine, ...headers, `Content-Length: ${len}`, '', body].join('\r\n');
}

export function parsed(text: string | Buffer): SipMessage {
  const r = parseSipMessage(typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
  if (!r.ok) throw new Error(`test message does not parse: ${r.reason}`);
  return r.message;
}

export function request(method: string, opts: { branch?: string; callId?: string; cseq?: number; uri?: string; toTag?: string; body?: string; via?: string } = {}): string {
  const branch = opts.branch ?? 'z9hG4bK-1';
  return sipText(
    `${method} ${opts.uri ?? 'sip:200@127.0.0.1'} SIP/2.0`,
    [
      opts.via ?? `Via: SIP/2.0/UDP 127.0.0.1:5060;branch=${branch};rport`,
      'Max-Forwards: 70',
      'From: <sip:caller@127.0.0.2>;tag=abc',
      `To: <sip:200@127.0.0.1>${opts.toTag ? `;tag=${opts.toTag}` : ''}`,
      `Call-ID: ${opts.callId ?? 'call-1'}`,
      `CSeq: ${opts.cseq ?? 1} ${method}`,
    ],
    opts.body ?? '',
  );
}

export function response(status: number, method: string, opts: { branch?: string; callId?: string; cseq?: number; toTag?: string } = {}): string {
  return sipText(`SIP/2.0 ${status} X`, [
    `Via: SIP/2.0/UDP 127.0.0.1;branch=${opts.branch ?? 'z9hG4bK-1'};rport=5070;received=127.0.0.1`,
    'From: <sip:200@127.0.0.1>;tag=ours',
    `To: <sip:200@127.0.0.1>${opts.toTag ? `;tag=${opts.toTag}` : ''}`,
    `Call-ID: ${opts.callId ?? 'call-1'}`,
    `CSeq: ${opts.cseq ?? 1} ${method}`,
  ]);
}

export function asRequest(m: SipMessage): SipRequest {
  if (m.kind !== 'request') throw new Error('not a request');
  return m;
}
