import type { LineDeskConfig } from '../config/schema.js';
import type { SipResolver } from '../sip/dns/sip-resolver.js';
import type { SipDestination } from '../sip/dns/sip-target.js';
import type { LineSettings } from '../sip/line/line-settings.js';
import { serverDestination } from '../sip/line/server-destination.js';
import type { Peer } from '../sip/transport/flow.js';
import { lineSettings } from './line-settings-from-config.js';

/** Every registrar, backup and outbound proxy of every line, as the resolver takes them. */
export function pbxDestinations(config: LineDeskConfig): SipDestination[] {
  const out: SipDestination[] = [];
  for (const l of config.lines) {
    const s = lineSettings(config, l);
    for (const server of [...s.registrars, ...(s.outboundProxy ? [s.outboundProxy] : [])]) out.push(serverDestination(server, s.protocol));
  }
  return out;
}

/**
 * The first target of a line's first hop (outbound proxy, else primary registrar): what
 * the local address for Via, Contact and media is chosen toward. A name with only SRV
 * records has no address of its own; a name DNS does not know stays as it is, so the
 * error names it.
 */
export async function firstHopAddress(resolver: SipResolver, s: LineSettings): Promise<Peer> {
  const server = s.outboundProxy ?? s.registrars[0]!;
  try {
    const [t] = await resolver.resolve(serverDestination(server, s.protocol));
    return { host: t!.host, port: t!.port };
  } catch {
    return server.address;
  }
}
