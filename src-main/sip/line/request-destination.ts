import type { GuardedRequest } from '../auth/credential-guard.js';
import { parseSipUri, splitHeaderList } from '../message/sip-message.js';
import type { SipProtocol } from '../transport/flow.js';

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
