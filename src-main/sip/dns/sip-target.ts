import type { Peer, SipProtocol } from '../transport/flow.js';

/** What a line asks the resolver for: a registrar or proxy as configured. */
export interface SipDestination {
  /** A host name, or an IP literal (without brackets). */
  host: string;
  /** A port written in the URI: it skips NAPTR and SRV (RFC 3263 §4.2). */
  port?: number;
  /** The line's transport: only NAPTR services and SRV names for it are used. */
  protocol: SipProtocol;
  /** A sips: URI: only secure services. */
  secure?: boolean;
  /** Only addresses of this family (a UDP socket bound to IPv4 cannot reach IPv6). */
  family?: 4 | 6;
}

/** One concrete place to send to, in the order RFC 3263 says to try them. */
export interface SipTarget extends Peer {
  /** An IP literal. */
  host: string;
  port: number;
  protocol: SipProtocol;
  /** The name the address came from (an SRV target, or the configured host). */
  name: string;
}

/** A stable key for a target: "udp:192.0.2.1:5060", "tcp:[2001:db8::1]:5061". */
export function targetKey(t: { protocol: SipProtocol; host: string; port: number }): string {
  return `${t.protocol}:${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;
}

export const defaultPorts: Record<SipProtocol, number> = { udp: 5060, tcp: 5060, tls: 5061, ws: 80, wss: 443 };

/** Nothing could be resolved for a destination. */
export class DnsResolutionError extends Error {
  constructor(
    readonly destination: string,
    readonly detail: string,
  ) {
    super(`cannot resolve ${destination}: ${detail}`);
    this.name = 'DnsResolutionError';
  }
}
