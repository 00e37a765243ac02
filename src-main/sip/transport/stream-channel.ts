import net from 'node:net';
import tls from 'node:tls';
import type { Clock, TimerHandle } from '../../common/clock.js';
import type { Emitter } from '../../common/emitter.js';
import type { Logger } from '../../common/logger.js';
import type { ConnectionChannel, ConnectionChannelEvents } from './connection-channel.js';
import { ConnectionPool, PooledConnection, type PoolHooks } from './connection-pool.js';
import { peerKey, type Flow, type Peer } from './flow.js';
import { StreamFramer, type FramerLimits } from './stream-framer.js';
import { tlsConnectError, tlsIdentity } from './tls-identity.js';

export interface StreamChannelOptions {
  protocol: 'tcp' | 'tls';
  /** Local address to bind outgoing connections to (port 0 = any). */
  bind: Peer;
  connectTimeoutMs: number;
  /** RFC 5626 CRLF keep-alive interval; 0 disables it. */
  keepAliveMs: number;
  limits: FramerLimits;
  tls?: {
    ca?: string | Buffer;
    cert?: string | Buffer;
    key?: string | Buffer;
    servername?: string;
    rejectUnauthorized: boolean;
  };
}

const PING = Buffer.from('\r\n\r\n');
const PONG = Buffer.from('\r\n');

/**
 * TCP or TLS connections shared by all lines of that protocol: Content-Length framing,
 * CRLF keep-alive (a peer that has answered a ping once must keep answering, or the
 * connection is declared dead), and no automatic reconnect: the lines decide when to
 * reconnect, as sip.js requires of a transport (see connection-pool.ts).
 */
export class StreamChannel implements ConnectionChannel {
  readonly events: Emitter<ConnectionChannelEvents>;
  readonly #pool: ConnectionPool;

  constructor(
    private readonly opts: StreamChannelOptions,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.#pool = new ConnectionPool(opts.protocol);
    this.events = this.#pool.events;
  }

  get protocol(): 'tcp' | 'tls' {
    return this.opts.protocol;
  }

  get bindHost(): string {
    return this.opts.bind.host;
  }

  connect(remote: Peer): Promise<Flow> {
    return this.#pool.connect(remote, (key, hooks) => this.#dial(remote, key, hooks));
  }

  close(): void {
    this.#pool.close();
  }

  #dial(remote: Peer, key: string, hooks: PoolHooks): Promise<PooledConnection> {
    const { protocol, bind, connectTimeoutMs } = this.opts;
    const identity = tlsIdentity(remote, this.opts.tls?.servername);
    return new Promise<PooledConnection>((resolve, reject) => {
      const base = { host: remote.host, port: remote.port, localAddress: bind.host === '0.0.0.0' ? undefined : bind.host };
      const socket =
        protocol === 'tls'
          ? tls.connect({
              ...base,
              ca: this.opts.tls?.ca,
              cert: this.opts.tls?.cert,
              key: this.opts.tls?.key,
              ...identity.options,
              rejectUnauthorized: this.opts.tls?.rejectUnauthorized ?? true,
            })
          : net.connect(base);
      socket.setNoDelay(true);
      const timer = this.clock.setTimeout(() => socket.destroy(new Error(`${protocol} connect to ${key} timed out`)), connectTimeoutMs);
      const readyEvent = protocol === 'tls' ? 'secureConnect' : 'connect';
      const onFail = (error: Error): void => {
        timer.cancel();
        reject(protocol === 'tls' ? tlsConnectError(error, identity, key) : error);
      };
      socket.once('error', onFail);
      socket.once(readyEvent, () => {
        timer.cancel();
        socket.off('error', onFail);
        const conn = new StreamConnection(hooks, protocol, remote, socket, this.opts, this.clock, this.log);
        this.log.info(`${protocol} connected to ${key} from port ${conn.local.port}`);
        resolve(conn);
      });
    });
  }
}

class StreamConnection extends PooledConnection {
  readonly local: Peer;
  #framer: StreamFramer;
  #keepAlive: TimerHandle | undefined;
  #pongDue: TimerHandle | undefined;
  #peerAnswersPings = false;

  constructor(
    hooks: PoolHooks,
    readonly protocol: 'tcp' | 'tls',
    remote: Peer,
    private readonly socket: net.Socket,
    opts: StreamChannelOptions,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    super(`${protocol}#${hooks.nextId()}`, remote, hooks.onClosed);
    this.local = { host: socket.localAddress ?? '127.0.0.1', port: socket.localPort ?? 0 };
    this.#framer = new StreamFramer(opts.limits);
    socket.on('data', (chunk: Buffer) => {
      for (const ev of this.#framer.push(chunk)) {
        if (ev.type === 'message') hooks.onMessage(this, ev.bytes);
        else if (ev.type === 'ping') this.write(PONG).catch(() => {}); // a dead socket reports itself by 'error'/'close'
        else if (ev.type === 'pong') this.#gotPong();
        else {
          this.log.warn(`closing ${this.key}: ${ev.reason}`);
          this.destroy(new Error(ev.reason));
        }
      }
    });
    socket.on('error', (error) => this.destroy(error));
    socket.on('close', () => this.destroy(new Error(`${protocol} connection to ${peerKey(remote)} closed by the peer`)));
    if (opts.keepAliveMs > 0) this.#keepAlive = clock.setInterval(() => this.#ping(), opts.keepAliveMs);
  }

  protected write(bytes: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.write(bytes, (error) => (error ? reject(error) : resolve()));
    });
  }

  protected release(): void {
    this.#keepAlive?.cancel();
    this.#pongDue?.cancel();
    this.socket.destroy();
  }

  #ping(): void {
    this.#framer.awaitPong();
    this.write(PING).catch(() => {});
    if (this.#peerAnswersPings && !this.#pongDue) {
      // RFC 5626 §4.4.1: no pong within 10 s means the flow is dead.
      this.#pongDue = this.clock.setTimeout(() => this.destroy(new Error(`no keep-alive pong on ${this.key}`)), 10_000);
    }
  }

  #gotPong(): void {
    this.#peerAnswersPings = true;
    this.#pongDue?.cancel();
    this.#pongDue = undefined;
  }
}
