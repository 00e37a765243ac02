import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { SipResolver } from '../dns/sip-resolver.js';
import type { ParseLimits } from '../message/parse-sip-message.js';
import type { SipMessage, SipRequest, SipResponse } from '../message/sip-message.js';
import type { Via } from '../message/via.js';
import type { SignallingGuard } from '../security/signalling-guard.js';
import type { ConnectionChannel } from './connection-channel.js';
import type { Flow, Peer, SipProtocol } from './flow.js';
import type { SipTimerValues } from './sip-timers.js';
import type { UdpChannel } from './udp-channel.js';

/* The mux's contracts: what it needs of a line, what it counts, what it emits, what it is built from. */

/** What the mux needs to know about a line to route its traffic. */
export interface MuxLine {
  readonly id: string;
  readonly protocol: SipProtocol;
  /** The user part of this line's registered Contact (unique per line). */
  contactUser(): string;
  readonly aorUser: string;
  readonly aorHost: string;
  /** Where this line's out-of-dialog requests go: its current registrar or outbound proxy. */
  nextHop(): Peer;
  /** True when an outbound proxy is configured: then every request goes to nextHop(). */
  readonly forceNextHop: boolean;
  /**
   * The address of the registrar a REGISTER's Request-URI names, if it is one of this
   * line's: a line that left a registrar un-registers there, not at its new one.
   */
  registrarAddress(requestUri: string): Peer | undefined;
  /**
   * Hands one complete SIP message to the line's user agent: its text, and the message the
   * mux parsed from it (so the user agent need not parse it again).
   */
  deliver(text: string, message?: SipMessage): void;
  /** The line's connection closed (stream transports). */
  flowClosed(error: Error | undefined): void;
  /**
   * An answer to one of this line's REGISTERs, before the user agent sees it: its top Via
   * (received/rport) tells the line the address the registrar sees it at (NAT).
   */
  registerAnswered?(res: SipResponse, via: Via | undefined, flow: Flow): void;
}

export interface MuxStats {
  received: number;
  malformed: number;
  answeredBadRequest: number;
  answeredNoSuchLine: number;
  droppedResponses: number;
  absorbedRetransmissions: number;
  sent: number;
  /** Requests (and stray responses) dropped unanswered: not from the PBX nor a trusted source. */
  droppedUntrusted: number;
  /** Requests needing an extension no line supports (420 Bad Extension). */
  answeredBadExtension: number;
  /** Stateless answers not sent because they would not fit in one datagram. */
  unanswerable: number;
}

export interface MuxEvents extends Record<string, unknown[]> {
  /** Every request routed to a line, before the line sees it (observability, latency probes). */
  request: [req: SipRequest, lineId: string];
}

export interface SipMuxOptions {
  udp?: UdpChannel;
  connections: Partial<Record<SipProtocol, ConnectionChannel>>;
  clock: Clock;
  log: Logger;
  timers?: SipTimerValues;
  limits?: ParseLimits;
  /** Host names in Route, Contact and Via (A/AAAA, by TTL); one with the system's DNS servers when absent. */
  resolver?: SipResolver;
  /**
   * A CRLF datagram from the shared UDP socket to every UDP line's next hop this often,
   * so a NAT keeps the binding the registrar reaches us through (0 or absent: none).
   */
  udpKeepAliveMs?: number;
  /**
   * Who may send requests over UDP (the PBX and trusted sources), and who may address a
   * line by its AOR. Without one every source is trusted (unit tests of routing alone);
   * the core always sets one.
   */
  guard?: SignallingGuard;
  /** Option tags a request may Require (default: option-tags.ts); others get 420. */
  supportedExtensions?: readonly string[];
}
