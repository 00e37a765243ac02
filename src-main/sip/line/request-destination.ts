import type { GuardedRequest } from '../auth/credential-guard.js';
import { parseSipUri, splitHeaderList } from '../message/sip-message.js';
import type { SipProtocol } from '../transport/flow.js';
import type { LineSettings } from './line-settings.js';

/**
 * The host an outgoing request is sent to, as the mux sends it (sip-mux.ts): every request
 * on a connection goes to the line's next hop, as do out-of-dialog requests and everything
 * with an outbound proxy (undefined: the next hop, i.e. the PBX); an in-dialog request
 * over UDP goes to its first Route, else its Request-URI (RFC 3261 §12.2.1.1).
 */
export function requestDestinationHost(request: GuardedRequest, protocol: SipProtocol, forceNextHop: boolean): string | undefined {
  if (protocol !== 'udp' || forceNextHop || !request.toTag) return undefined;
  const route = request.getHeader?.('route');
  const first = route ? splitHeaderList(route)[0] : undefined;
  const uri = parseSipUri(first ?? (typeof request.ruri === 'string' ? request.ruri : request.ruri.toString()));
  return uri?.host.replace(/^\[|\]$/g, '') ?? '';
}

/**
 * True when a request's destination (undefined: the line's next hop) is the registrar, a
 * backup or the outbound proxy as configured, the current next hop, or another PBX address
 * or trusted source (`isPbxHost`, from the core).
 */
export function goesToPbx(host: string | undefined, settings: Pick<LineSettings, 'registrars' | 'outboundProxy'>, nextHopHost: () => string, isPbxHost?: (host: string) => boolean): boolean {
  if (host === undefined) return true;
  const h = host.toLowerCase();
  const servers = [...settings.registrars, ...(settings.outboundProxy ? [settings.outboundProxy] : [])];
  if (servers.some((s) => s.address.host.toLowerCase() === h)) return true;
  if (nextHopHost() === h) return true;
  return isPbxHost?.(h) ?? false;
}
