import net from 'node:net';
import tls from 'node:tls';
import type { Clock, TimerHandle } from '../../common/clock.js';
import { Emitter } from '../../common/emitter.js';
import type { Logger } from '../../common/logger.js';
import { ConnectAttempts, type ConnectionChannel, type ConnectionChannelEvents } from './connection-channel.js';
import { peerKey, type Flow, type Peer } from './flow.js';
import { StreamFramer, type FramerLimits } from './stream-framer.js';

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
 * reconnect, as sip.js requires of a transport.
 */
export class StreamChannel implements ConnectionChannel {
  readonly events = new Emitter<ConnectionChannelEvents>();
  #conns = new Map<string, StreamConnection>();
  #attempts = new ConnectAttempts();
  #seq = 0;
  #closed = false;

  constructor(
    private readonly opts: StreamChannelOptions,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  get protocol(): 'tcp' | 'tls' {
    return this.opts.protocol;
  }

  get bindHost(): string {
    return this.opts.bind.host;
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
    const { protocol, bind, connectTimeoutMs } = this.opts;
    return new Promise<Flow>((resolve, reject) => {
      const base = { host: remote.host, port: remote.port, localAddress: bind.host === '0.0.0.0' ? undefined : bind.host };
      const socket =
        protocol === 'tls'
          ? tls.connect({
              ...base,
              ca: this.opts.tls?.ca,
              cert: this.opts.tls?.cert,
              key: this.opts.tls?.key,
              servername: this.opts.tls?.servername ?? (net.isIP(remote.host) ? undefined : remote.host),
              rejectUnauthorized: this.opts.tls?.rejectUnauthorized ?? true,
            })
          : net.connect(base);
      socket.setNoDelay(true);
      const timer = this.clock.setTimeout(() => socket.destroy(new Error(`${protocol} connect to ${key} timed out`)), connectTimeoutMs);
      const readyEvent = protocol === 'tls' ? 'secureConnect' : 'connect';
      const onFail = (error: Error): void => {
        timer.cancel();
        reject(error);
      };
      socket.once('error', onFail);
      socket.once(readyEvent, () => {
        timer.cancel();
        socket.off('error', onFail);
        const conn = new StreamConnection(++this.#seq, protocol, remote, socket, this.opts, this.clock, this.log, (c, bytes) => this.events.emit('message', bytes, c), (c, error) => {
          if (this.#conns.get(key) === c) this.#conns.delete(key);
          this.events.emit('closed', c, error);
        });
        this.#conns.set(key, conn);
        this.log.info(`${protocol} connected to ${key} from port ${conn.local.port}`);
        resolve(conn);
      });
    });
  }
}

class StreamConnection implements Flow {
  readonly key: string;
  readonly remote: Peer;
  readonly local: Peer;
  readonly reliable = true;
  #open = true;
  #framer: StreamFramer;
  #keepAlive: TimerHandle | undefined;
  #pongDue: TimerHandle | undefined;
  #peerAnswersPings = false;

  constructor(
    id: number,
    readonly protocol: 'tcp' | 'tls',
    remote: Peer,
    private readonly socket: net.Socket,
    opts: StreamChannelOptions,
    private readonly clock: Clock,
    private readonly log: Logger,
    onMessage: (c: StreamConnection, bytes: Buffer) => void,
    private readonly onClosed: (c: StreamConnection, error: Error | undefined) => void,
  ) {
    this.key = `${protocol}#${id}`;
    this.remote = { ...remote };
    this.local = { host: socket.localAddress ?? '127.0.0.1', port: socket.localPort ?? 0 };
    this.#framer = new StreamFramer(opts.limits);
    socket.on('data', (chunk: Buffer) => {
      for (const ev of this.#framer.push(chunk)) {
        if (ev.type === 'message') onMessage(this, ev.bytes);
        else if (ev.type === 'ping') this.#write(PONG).catch(() => {}); // a dead socket reports itself by 'error'/'close'
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

  get open(): boolean {
    return this.#open;
  }

  send(bytes: Buffer): Promise<void> {
    if (!this.#open) return Promise.reject(new Error(`${this.key} is closed`));
    return this.#write(bytes);
  }

  destroy(error: Error | undefined): void {
    if (!this.#open) return;
    this.#open = false;
    this.#keepAlive?.cancel();
    this.#pongDue?.cancel();
    this.socket.destroy();
    this.onClosed(this, error);
  }

  #write(bytes: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.write(bytes, (error) => (error ? reject(error) : resolve()));
    });
  }

  #ping(): void {
    this.#framer.awaitPong();
    this.#write(PING).catch(() => {});
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
