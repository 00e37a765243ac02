/** A remote address. */
export interface Peer {
  host: string;
  port: number;
  /**
   * TLS (tls, wss): the name the server's certificate must carry, sent as SNI: the host of
   * the registrar or proxy URI this address was resolved from (RFC 5922). Absent: the host.
   */
  servername?: string;
}

export type SipProtocol = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

/** What sip.js writes in Via and Contact for each protocol. */
export const viaTransport: Record<SipProtocol, string> = { udp: 'UDP', tcp: 'TCP', tls: 'TLS', ws: 'WS', wss: 'WSS' };

export function isReliable(p: SipProtocol): boolean {
  return p !== 'udp';
}

/**
 * A path to one remote party: a UDP 5-tuple on the shared socket, or one TCP/TLS/WS
 * connection. Responses go back on the flow their request came in on.
 */
export interface Flow {
  /** Stable key, e.g. "udp:127.0.0.1:5060" or "tcp#3". */
  readonly key: string;
  readonly protocol: SipProtocol;
  readonly remote: Peer;
  /** Our address as the remote sees it: used for Via and Contact. */
  readonly local: Peer;
  readonly reliable: boolean;
  /** False once a stream flow has closed. UDP flows never close. */
  readonly open: boolean;
  send(bytes: Buffer): Promise<void>;
}

export function peerKey(p: Peer): string {
  return p.host.includes(':') ? `[${p.host}]:${p.port}` : `${p.host}:${p.port}`;
}
