import type { NameAddrHeader } from 'sip.js';

/** What a REFER's Refer-To asks LineDesk to call, or why LineDesk will not act on it. */
export type ReferTarget = { ok: true; target: string } | { ok: false; problem: string };

/** Users LineDesk calls on the far end's word: digits, letters, E.164 `+`, and the RFC 3261 marks (no escapes, no separators). */
const SAFE_USER = /^[A-Za-z0-9+\-_.!~*'()]{1,64}$/;
const SAFE_HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,253}[A-Za-z0-9])?)$/;

/**
 * The SIP URI LineDesk would call for a Refer-To, written the one way the agent sees it and
 * allowReferTo patterns match it: `scheme:user@host[:port]`, plus `;user=phone` when given.
 * Other URI parameters (transport, lr…) are dropped: every request goes to the line's
 * registrar or proxy anyway. LineDesk never acts on what it would not show, so a Refer-To
 * carrying URI headers (`?Replaces=…`: attended transfer; any other header to put in the
 * INVITE), a method other than INVITE, or a `maddr` (which sip.js silently makes the host)
 * is refused rather than trimmed.
 */
export function referTargetOf(referTo: NameAddrHeader | undefined): ReferTarget {
  if (!referTo) return { ok: false, problem: 'the Refer-To is not a SIP URI' };
  const uri = referTo.uri;
  const scheme = uri.scheme.toLowerCase();
  if (scheme !== 'sip' && scheme !== 'sips') return { ok: false, problem: `the Refer-To is a ${scheme}: URI, not a SIP URI` };
  const headers = Object.keys(uri.headers);
  if (headers.length > 0) return { ok: false, problem: `the Refer-To carries headers for the INVITE (${headers.slice(0, 4).map((h) => printable(h, 40)).join(', ')})` };
  const method = uri.hasParam('method') ? (uri.getParam('method') ?? '') : 'INVITE';
  if (method.toUpperCase() !== 'INVITE') return { ok: false, problem: `the Refer-To asks for a ${printable(method) || 'method-less'} request, not a call` };
  if (uri.hasParam('maddr')) return { ok: false, problem: 'the Refer-To names a maddr (another server to send the call to)' };
  const user = uri.user;
  if (user === undefined || user === '') return { ok: false, problem: 'the Refer-To has no user part' };
  if (!SAFE_USER.test(user)) return { ok: false, problem: `the Refer-To's user part "${printable(user)}" has characters LineDesk does not call` };
  const host = uri.host.toLowerCase();
  if (!SAFE_HOST.test(host)) return { ok: false, problem: `the Refer-To's host "${printable(host)}" is not a host name or address` };
  const port = uri.port !== undefined ? `:${uri.port}` : '';
  const phone = uri.getParam('user')?.toLowerCase() === 'phone' ? ';user=phone' : '';
  return { ok: true, target: `${scheme}:${user}@${host}${port}${phone}` };
}

/** Text from the wire, safe to log and show: no control characters, bounded. */
export function printable(text: string, max = 80): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
