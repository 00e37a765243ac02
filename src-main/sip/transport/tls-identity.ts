import { isIP } from 'node:net';
import tls from 'node:tls';
import type { Peer } from './flow.js';

export interface TlsIdentity {
  /** The name (or IP) the server's certificate must carry. */
  expected: string;
  /** Options for tls.connect: SNI (names only, RFC 6066) and the identity check against `expected`. */
  options: { servername?: string; checkServerIdentity: (host: string, cert: tls.PeerCertificate) => Error | undefined };
}

/**
 * Whom a TLS connection to `remote` must reach. We connect to the resolved address, but
 * the certificate is checked against the name the address was resolved from (the host of
 * the registrar or proxy URI; for DNS SRV, the domain, as RFC 5922 §4 asks), or against the
 * configured tls.servername when there is one; an IP literal in the URI is checked as an IP.
 */
export function tlsIdentity(remote: Peer, configured: string | undefined): TlsIdentity {
  const expected = configured ?? remote.servername ?? remote.host;
  return {
    expected,
    options: {
      ...(isIP(expected) === 0 ? { servername: expected } : {}),
      checkServerIdentity: (_host, cert) => tls.checkServerIdentity(expected, cert),
    },
  };
}

/** A connection error that names the certificate problem when it is one (the line's reason shows it). */
export function tlsConnectError(error: Error, identity: TlsIdentity, where: string): Error {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (!/CERT|ISSUER|SIGNATURE|ALTNAME/.test(code)) return error;
  return new Error(`TLS certificate of ${identity.expected} (${where}) refused: ${error.message} [${code}]`, { cause: error });
}
