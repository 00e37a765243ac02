import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type { LineConfig, LineDeskConfig } from '../config/schema.js';
import type { LineSettings, SipServer } from '../sip/line/line-settings.js';
import { parseSipUri } from '../sip/message/sip-message.js';
import type { SipProtocol } from '../sip/transport/flow.js';

const defaultPorts: Record<SipProtocol, number> = { udp: 5060, tcp: 5060, tls: 5061, ws: 80, wss: 443 };

/** A server URI from the config, with the address to send to for a given protocol. */
export function sipServer(uri: string, protocol: SipProtocol): SipServer {
  const parts = parseSipUri(uri);
  if (!parts?.host) throw new Error(`cannot use ${uri} as a server address`);
  return { uri, address: { host: parts.host.replace(/^\[|\]$/g, ''), port: parts.port ?? defaultPorts[protocol] } };
}

export function lineSettings(config: LineDeskConfig, line: LineConfig): LineSettings {
  const protocol = line.transport ?? config.transport[0]!.protocol;
  const settings: LineSettings = {
    id: line.id,
    aor: line.aor,
    username: line.username,
    password: line.password,
    protocol,
    registrars: [(line.registrar ?? config.registrar).uri, ...(line.registrar ?? config.registrar).backups].map((u) => sipServer(u, protocol)),
    expiresSec: line.expiresSec ?? config.timers.registerExpiresSec,
    refreshPercent: config.timers.refreshPercent,
    maxCalls: line.maxCalls ?? (line.autoAnswerMs !== undefined ? 1_000 : 1),
    nat: { contactFromVia: config.nat.contactFromVia, outbound: config.nat.outbound, instanceId: instanceId(line) },
  };
  if (line.displayName !== undefined) settings.displayName = line.displayName;
  if (config.outboundProxy) settings.outboundProxy = sipServer(config.outboundProxy, protocol);
  if (line.autoAnswerMs !== undefined) settings.autoAnswerMs = line.autoAnswerMs;
  if (line.q !== undefined) settings.q = line.q;
  if (config.sessionTimers.enabled) settings.supported = ['timer'];
  return settings;
}

/** A UUID that stays the same for this line on this computer (RFC 5626 wants the instance to survive restarts). */
function instanceId(line: LineConfig): string {
  const h = createHash('sha1').update(`${hostname()}|${line.aor}|${line.id}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
