import { EmitterImpl, TransportState, type Transport } from 'sip.js';
import type { SipMessage } from '../message/sip-message.js';
import type { SipJsIncoming } from '../message/sipjs-incoming.js';
import { incomingFor } from '../message/parse-once.js';
import type { SipMux } from './sip-mux.js';
import { viaTransport, type SipProtocol } from './flow.js';

/** What the mux hands a line's user agent through sip.js's `transportOptions`. */
export interface LineTransportOptions {
  mux: SipMux;
  lineId: string;
  protocol: SipProtocol;
  /** Lets the line reach the transport sip.js constructs for it. */
  attach(transport: LineTransport): void;
}

/**
 * The thin per-line transport sip.js sees. sip.js constructs one per UserAgent and
 * takes over its callbacks, so UserAgents cannot share a transport object; instead each
 * gets one of these, and they all write through the one shared mux.
 * Follows the state machine of sip.js's api/transport.ts: it never reconnects by itself.
 */
export class LineTransport implements Transport {
  readonly protocol: string;
  readonly stateChange = new EmitterImpl<TransportState>();
  onConnect: (() => void) | undefined;
  onDisconnect: ((error?: Error) => void) | undefined;
  /** Set by sip.js; the patched user agent takes a message it can use as is, as well as text. */
  onMessage: ((message: string | SipJsIncoming) => void) | undefined;
  #state: TransportState = TransportState.Disconnected;
  readonly #opts: LineTransportOptions;

  constructor(_logger: unknown, options: LineTransportOptions) {
    this.#opts = options;
    this.protocol = viaTransport[options.protocol];
    options.attach(this);
  }

  get state(): TransportState {
    return this.#state;
  }

  async connect(): Promise<void> {
    if (this.#state === TransportState.Connected) return;
    this.#transition(TransportState.Connecting);
    try {
      await this.#opts.mux.flowFor(this.#opts.lineId);
    } catch (error) {
      this.#transition(TransportState.Disconnected, error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
    this.#transition(TransportState.Connected);
  }

  disconnect(): Promise<void> {
    if (this.#state !== TransportState.Disconnected) {
      this.#transition(TransportState.Disconnecting);
      this.#transition(TransportState.Disconnected);
    }
    return Promise.resolve();
  }

  async dispose(): Promise<void> {
    await this.disconnect();
  }

  isConnected(): boolean {
    return this.#state === TransportState.Connected;
  }

  send(message: string): Promise<void> {
    if (this.#state !== TransportState.Connected) return Promise.reject(new Error(`line ${this.#opts.lineId}: transport not connected`));
    return this.#opts.mux.send(this.#opts.lineId, message);
  }

  /**
   * A message for this line arrived: handed to sip.js as the message it would parse from
   * `text`, built from the mux's `message` (parse once), or as text when that is not possible.
   */
  deliver(text: string, message?: SipMessage): void {
    if (this.#state !== TransportState.Connected || !this.onMessage) return;
    this.onMessage((message && incomingFor(message, text)) ?? text);
  }

  /** The connection under this line closed without our asking. */
  lost(error: Error): void {
    if (this.#state === TransportState.Connected || this.#state === TransportState.Connecting) this.#transition(TransportState.Disconnected, error);
  }

  /** sip.js JSON-stringifies its options when logging configuration; never serialise the mux. */
  toJSON(): string {
    return `LineTransport(${this.#opts.lineId})`;
  }

  #transition(next: TransportState, error?: Error): void {
    const prev = this.#state;
    if (prev === next) return;
    this.#state = next;
    // sip.js forbids calling back into connect/disconnect synchronously from these callbacks.
    if (next === TransportState.Connected) queueMicrotask(() => this.onConnect?.());
    if (prev === TransportState.Connected && next !== TransportState.Connected) queueMicrotask(() => this.onDisconnect?.(error));
    this.stateChange.emit(next);
  }
}
