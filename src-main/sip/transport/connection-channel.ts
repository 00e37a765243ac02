import type { Emitter } from '../../common/emitter.js';
import type { Flow, Peer, SipProtocol } from './flow.js';

export interface ConnectionChannelEvents extends Record<string, unknown[]> {
  message: [bytes: Buffer, flow: Flow];
  /** A connection closed; `error` is set when it was not closed by us. */
  closed: [flow: Flow, error: Error | undefined];
}

/**
 * A connection-oriented transport (TCP, TLS, WS, WSS) shared by every line that uses
 * it: one connection per remote, opened on demand and reused.
 */
export interface ConnectionChannel {
  readonly protocol: SipProtocol;
  readonly events: Emitter<ConnectionChannelEvents>;
  /** The host to put in Via/Contact, when the channel decides it (WebSocket: a random .invalid name). */
  readonly advertisedHost?: string;
  /** The configured local bind address (TCP/TLS), if any. */
  readonly bindHost?: string;
  /** The open connection to `remote`, connecting if there is none. Concurrent callers share one attempt. */
  connect(remote: Peer): Promise<Flow>;
  close(): void;
}
