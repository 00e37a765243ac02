import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import type { Clock, TimerHandle } from '../../common/clock.js';
import type { Emitter } from '../../common/emitter.js';
import type { Logger } from '../../common/logger.js';
import type { ConnectionChannel, ConnectionChannelEvents } from './connection-channel.js';
import { ConnectionPool, PooledConnection, type PoolHooks } from './connection-pool.js';
import { peerKey, type Flow, type Peer } from './flow.js';
import { tlsConnectError, tlsIdentity } from './tls-identity.js';

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
  readonly events: Emitter<ConnectionChannelEvents>;
  /** The host we put in Via/Contact: unroutable on purpose (RFC 7118 §5.2). */
  readonly advertisedHost = `${randomBytes(6).toString('hex')}.invalid`;
  readonly #pool: ConnectionPool;

  constructor(
    private readonly opts: WsChannelOptions,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.#pool = new ConnectionPool(opts.protocol);
    this.events = this.#pool.events;
  }

  get protocol(): 'ws' | 'wss' {
    return this.opts.protocol;
  }

  connect(remote: Peer): Promise<Flow> {
    return this.#pool.connect(remote, (key, hooks) => this.#dial(remote, key, hooks));
  }

  close(): void {
    this.#pool.close();
  }

  #dial(remote: Peer, key: string, hooks: PoolHooks): Promise<PooledConnection> {
    const url = `${this.opts.protocol}://${peerKey(remote)}${this.opts.path.startsWith('/') ? '' : '/'}${this.opts.path}`;
    const identity = tlsIdentity(remote, this.opts.tls?.servername);
    return new Promise<PooledConnection>((resolve, reject) => {
      const ws = new WebSocket(url, 'sip', {
        handshakeTimeout: this.opts.connectTimeoutMs,
        maxPayload: this.opts.maxMessageBytes,
        ca: this.opts.tls?.ca,
        rejectUnauthorized: this.opts.tls?.rejectUnauthorized ?? true,
        // ws checks the certificate against this name (or the address's IP when it is absent).
        ...(this.opts.protocol === 'wss' && identity.options.servername ? { servername: identity.options.servername } : {}),
      });
      // A server that does not answer with the "sip" subprotocol fails the handshake in ws itself.
      const onFail = (error: Error): void => reject(this.opts.protocol === 'wss' ? tlsConnectError(error, identity, key) : error);
      ws.once('error', onFail);
      ws.once('open', () => {
        ws.off('error', onFail);
        const conn = new WsConnection(hooks, this.opts, remote, this.advertisedHost, ws, this.clock);
        this.log.info(`${this.opts.protocol} connected to ${url}`);
        resolve(conn);
      });
    });
  }
}

class WsConnection extends PooledConnection {
  readonly protocol: 'ws' | 'wss';
  readonly local: Peer;
  #ping: TimerHandle | undefined;
  #alive = true;

  constructor(
    hooks: PoolHooks,
    opts: WsChannelOptions,
    remote: Peer,
    invalidHost: string,
    private readonly ws: WebSocket,
    clock: Clock,
  ) {
    super(`${opts.protocol}#${hooks.nextId()}`, remote, hooks.onClosed);
    this.protocol = opts.protocol;
    this.local = { host: invalidHost, port: 0 };
    ws.on('message', (data: WebSocket.RawData) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      hooks.onMessage(this, bytes);
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

  protected write(bytes: Buffer): Promise<void> {
    // SIP over WS uses text frames for UTF-8 messages (RFC 7118 §4.2).
    return new Promise((resolve, reject) => this.ws.send(bytes.toString('utf8'), (error) => (error ? reject(error) : resolve())));
  }

  protected release(): void {
    this.#ping?.cancel();
    this.ws.terminate();
  }
}
