import type { Peer, SipProtocol } from '../transport/flow.js';

/** A registrar (or outbound proxy) as a line uses it. */
export interface SipServer {
  /** The URI written in REGISTER's Request-URI, e.g. "sip:pbx.example.com:5060". */
  uri: string;
  /** Where to send: host and port taken from the URI. */
  address: Peer;
}

/** Everything one line needs, already validated by the config layer. */
export interface LineSettings {
  id: string;
  /** Address of record, e.g. "sip:200@pbx.example.com". */
  aor: string;
  username: string;
  password: string;
  displayName?: string;
  protocol: SipProtocol;
  /** Primary registrar first, then backups in the order to try them. */
  registrars: SipServer[];
  /** When set, every request goes here instead of the registrar. */
  outboundProxy?: SipServer;
  expiresSec: number;
  /** Refresh at this percentage of the granted expiry (sip.js accepts 50-99). */
  refreshPercent: number;
  /** Service lines answer by themselves after this many ms. */
  autoAnswerMs?: number;
  /** Calls this line may hold at once (offered + active). */
  maxCalls: number;
  /** SIP extensions we support beyond sip.js's own, for Supported (e.g. "timer", RFC 4028). */
  supported?: string[];
  /** The Contact's q-value in REGISTER (a PBX forking by q rings higher values first). */
  q?: number;
  /** Behind a NAT (UDP): how the line makes itself reachable. Absent: as configured by default (both on, outbound off). */
  nat?: LineNat;
}

export interface LineNat {
  /** Put the address the registrar saw us at (Via received/rport, RFC 3581) in the Contact. */
  contactFromVia: boolean;
  /** RFC 5626: +sip.instance and reg-id in the Contact; a registrar that answers Require: outbound keeps the flow itself. */
  outbound: boolean;
  /** The +sip.instance URN's UUID (stable across restarts). */
  instanceId?: string;
}
