import type { SipDestination } from '../dns/sip-target.js';
import { parseSipUri } from '../message/sip-message.js';
import type { SipProtocol } from '../transport/flow.js';
import type { SipServer } from './line-settings.js';

/** What to resolve for a configured server URI: its host, the port only when written, sips or not. */
export function serverDestination(server: SipServer, protocol: SipProtocol, family?: 4 | 6): SipDestination {
  const uri = parseSipUri(server.uri);
  const dest: SipDestination = { host: server.address.host, protocol, secure: uri?.scheme === 'sips' };
  if (uri?.port !== undefined) dest.port = uri.port;
  if (family !== undefined) dest.family = family;
  return dest;
}
