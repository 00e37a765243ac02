import type { SipProtocol } from '../transport/flow.js';

/** The NAPTR service field (RFC 3263 §4.1, RFC 7118 §9) that names a transport. */
export function naptrService(protocol: SipProtocol, secure: boolean): string | undefined {
  switch (protocol) {
    case 'udp':
      return secure ? undefined : 'SIP+D2U';
    case 'tcp':
      return secure ? undefined : 'SIP+D2T';
    case 'tls':
      return 'SIPS+D2T';
    case 'ws':
      return secure ? undefined : 'SIP+D2W';
    case 'wss':
      return 'SIPS+D2W';
  }
}

/**
 * The SRV name to ask when there is no usable NAPTR (RFC 3263 §4.1): _sip._udp, _sip._tcp,
 * _sips._tcp. WebSocket has no SRV convention (RFC 7118 defines only NAPTR services).
 */
export function srvName(host: string, protocol: SipProtocol, secure: boolean): string | undefined {
  switch (protocol) {
    case 'udp':
      return secure ? undefined : `_sip._udp.${host}`;
    case 'tcp':
      return secure ? undefined : `_sip._tcp.${host}`;
    case 'tls':
      return `_sips._tcp.${host}`;
    default:
      return undefined;
  }
}
