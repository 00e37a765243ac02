/**
 * Who sends to whom, and where: directions as send/receive flows (RFC 3264 §6.1, §8.4), and
 * the remote transport address an answer or offer gives us.
 */
import { isIP } from 'node:net';
import type { Negotiated } from './negotiation-types.js';
import { connectionOf, directionOf, isNullAddress, type Direction, type MediaDescription, type SessionDescription } from './session-description.js';

export interface Flow {
  send: boolean;
  recv: boolean;
}

export function flowOf(direction: Direction): Flow {
  return { send: direction === 'sendrecv' || direction === 'sendonly', recv: direction === 'sendrecv' || direction === 'recvonly' };
}

export function directionFrom(flow: Flow): Direction {
  if (flow.send && flow.recv) return 'sendrecv';
  if (flow.send) return 'sendonly';
  if (flow.recv) return 'recvonly';
  return 'inactive';
}

/** The remote's own send/receive wishes; `c=0.0.0.0` means "do not send to me" (RFC 3264 §8.4). */
export function remoteFlowOf(sdp: SessionDescription, media: MediaDescription): Flow {
  const flow = flowOf(directionOf(sdp, media));
  const address = connectionOf(sdp, media)?.address ?? '';
  return isNullAddress(address) ? { send: flow.send, recv: false } : flow;
}

/**
 * Why a remote media address cannot be sent to, or undefined when it can. RTP goes to IP
 * literals only: a host name (RFC 8866 allows FQDNs) would be looked up by every send, 50 times
 * a second, and a multicast group (`/ttl`) is not a peer. `0.0.0.0` (hold) is fine.
 */
export function unusableAddress(...addresses: (string | undefined)[]): string | undefined {
  for (const address of addresses) {
    if (address === undefined || isNullAddress(address)) continue;
    if (address.includes('/') || isMulticast(address)) return `connection address "${address}" is multicast; only unicast RTP is supported`;
    if (!isIP(address)) return `connection address "${address}" is a host name; only IP addresses are supported`;
  }
  return undefined;
}

function isMulticast(address: string): boolean {
  if (isIP(address) === 4) {
    const first = Number(address.split('.')[0]);
    return first >= 224 && first <= 239;
  }
  return isIP(address) === 6 && /^ff/i.test(address);
}

export function remoteTargetOf(sdp: SessionDescription, media: MediaDescription, rtcpMux: boolean): Negotiated['remote'] {
  // The parser guarantees a connection for an active audio stream.
  const address = connectionOf(sdp, media)?.address ?? '0.0.0.0';
  if (rtcpMux) return { address, rtpPort: media.port, rtcpPort: media.port, rtcpAddress: address, rtcpMux };
  return {
    address,
    rtpPort: media.port,
    rtcpPort: media.rtcp?.port ?? media.port + 1,
    rtcpAddress: media.rtcp?.connection?.address ?? address,
    rtcpMux,
  };
}
