import { isIPv6 } from 'node:net';

/** A host as SIP writes it in a URI or a Via: an IPv6 address in brackets (RFC 3261 §25.1 IPv6reference). */
export function uriHost(host: string): string {
  return isIPv6(host) ? `[${host}]` : host;
}

/** A host as sockets and DNS take it: without the brackets of an IPv6 reference. */
export function bareHost(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
