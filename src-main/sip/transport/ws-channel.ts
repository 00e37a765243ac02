import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import type { Clock, TimerHandle } from '../../common/clock.js';
import { Emitter } from '../../common/emitter.js';
import type { Logger } from '../../common/logger.js';
import { ConnectAttempts, type ConnectionChannel, type ConnectionChannelEvents } from './connection-channel.js';
import { peerKey, type Flow, type Peer } from './flow.js';

export interface WsChannelOptions {
  protocol: 'ws' | 'wss';
  /** Path of the WebSocket endpoint on the server. */
  path: string;
  connectTimeoutMs: number;
  /** WebSocket ping interval; 0 disables it. */
  keepAliveMs: number;
  maxMessageBytes: number;
  tls?: { ca?: string | Buffer; rejectUnauthorized: boolean; servername?: string };
}

/**
 * SIP over WebSocket (RFC 7118) with the `ws` package: one WebSocket per server, every
 * frame one SIP message. Our Via and Contact carry a random ".invalid" host, as the RFC
 * asks, since the server can only reach us over this connection.
 */
export class WsChannel implements ConnectionChannel {
  readonly events = new Emitter<ConnectionChannelEvents>();
  /** The host we put in Via/Contact: unroutable on purpose (RFC 7118 §5.2). */
  readonly advertisedHost = `${randomBytes(6).toString('hex')}.invalid`;
  #conns = new Map<string, WsConnection>();
  #attempts = new ConnectAttempts();
  #seq = 0;
  #closed = false;

  constructor(
    private readonly opts: WsChannelOptions,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  get protocol(): 'ws' | 'wss' {
    return this.opts.protocol;
  }

  connect(remote: Peer): Promise<Flow> {
    const key = peerKey(remote);
    const open = this.#conns.get(key);
    if (open?.open) return Promise.resolve(open);
    return this.#attempts.run(key, () => this.#dial(remote, key));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const c of this.#conns.values()) c.destroy(undefined);
    this.#conns.clear();
  }

  #dial(remote: Peer, key: string): Promise<Flow> {
    if (this.#closed) return Promise.reject(new Error(`${this.opts.protocol} channel closed`));
    const url = `${this.opts.protocol}://${key}${this.opts.path.startsWith('/') ? '' : '/'}${this.opts.path}`;
    return new Promise<Flow>((resolve, reject) => {
      const ws = new WebSocket(url, 'sip', {
        handshakeTimeout: this.opts.connectTimeoutMs,
        maxPayload: this.opts.maxMessageBytes,
        ca: this.opts.tls?.ca,
        rejectUnauthorized: this.opts.tls?.rejectUnauthorized ?? true,
        ...(this.opts.tls?.servername ? { servername: this.opts.tls.servername } : {}),
      } as WebSocket.ClientOptions);
      // A server that does not answer with the "sip" subprotocol fails the handshake in ws itself.
      const onFail = (error: Error): void => reject(error);
      ws.once('error', onFail);
      ws.once('open', () => {
        ws.off('error', onFail);
        const conn = new WsConnection(++this.#seq, this.opts, remote, this.advertisedHost, ws, this.clock, (c, bytes) => this.events.emit('message', bytes, c), (c, error) => {
          if (this.#conns.get(key) === c) this.#conns.delete(key);
          this.events.emit('closed', c, error);
        });
        this.#conns.set(key, conn);
        this.log.info(`${this.opts.protocol} connected to ${url}`);
        resolve(conn);
      });
    });
  }
}

class WsConnection implements Flow {
  readonly key: string;
  readonly protocol: 'ws' | 'wss';
  readonly remote: Peer;
  readonly local: Peer;
  readonly reliable = true;
  #open = true;
  #ping: TimerHandle | undefined;
  #alive = true;

  constructor(
    id: number,
    opts: WsChannelOptions,
    remote: Peer,
    invalidHost: string,
    private readonly ws: WebSocket,
    clock: Clock,
    onMessage: (c: WsConnection, bytes: Buffer) => void,
    private readonly onClosed: (c: WsConnection, error: Error | undefined) => void,
  ) {
    this.protocol = opts.protocol;
    this.key = `${opts.protocol}#${id}`;
    this.remote = { ...remote };
    this.local = { host: invalidHost, port: 0 };
    ws.on('message', (data: WebSocket.RawData) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      onMessage(this, bytes);
    });
    ws.on('pong', () => (this.#alive = true));
    ws.on('error', (error) => this.destroy(error));
    ws.on('close', (code) => this.destroy(new Error(`WebSocket to ${peerKey(remote)} closed (${code})`)));
    if (opts.keepAliveMs > 0) {
      this.#ping = clock.setInterval(() => {
        if (!this.#alive) return this.destroy(new Error(`no WebSocket pong on ${this.key}`));
        this.#alive = false;
        ws.ping();
      }, opts.keepAliveMs);
    }
  }

  get open(): boolean {
    return this.#open;
  }

  send(bytes: Buffer): Promise<void> {
    if (!this.#open) return Promise.reject(new Error(`${this.key} is closed`));
    // SIP over WS uses text frames for UTF-8 messages (RFC 7118 §4.2).
    return new Promise((resolve, reject) => this.ws.send(bytes.toString('utf8'), (error) => (error ? reject(error) : resolve())));
  }

  destroy(error: Error | undefined): void {
    if (!this.#open) return;
    this.#open = false;
    this.#ping?.cancel();
    this.ws.terminate();
    this.onClosed(this, error);
  }
}
