import { Emitter } from '../../common/emitter.js';
import type { ConnectionChannelEvents } from './connection-channel.js';
import { peerKey, type Flow, type Peer, type SipProtocol } from './flow.js';

/*
 * What the connection-oriented channels (stream-channel.ts: TCP/TLS, ws-channel.ts: WS/WSS)
 * share: the pool of open connections, one per remote, and the life of one connection.
 * How a connection is dialled, framed and kept alive stays in each channel.
 */

/**
 * One connection of a channel. It closes once, whoever closes it (us, the peer, an error,
 * a missed keep-alive), and then tells its channel.
 */
export abstract class PooledConnection implements Flow {
  readonly key: string;
  readonly remote: Peer;
  readonly reliable = true;
  abstract readonly protocol: SipProtocol;
  abstract readonly local: Peer;
  #open = true;

  constructor(
    key: string,
    remote: Peer,
    private readonly onClosed: (c: PooledConnection, error: Error | undefined) => void,
  ) {
    this.key = key;
    this.remote = { ...remote };
  }

  get open(): boolean {
    return this.#open;
  }

  send(bytes: Buffer): Promise<void> {
    if (!this.#open) return Promise.reject(new Error(`${this.key} is closed`));
    return this.write(bytes);
  }

  /** Closes the connection (idempotent); `error` says why when it was not our choice. */
  destroy(error: Error | undefined): void {
    if (!this.#open) return;
    this.#open = false;
    this.release();
    this.onClosed(this, error);
  }

  /** Writes to the open connection. */
  protected abstract write(bytes: Buffer): Promise<void>;
  /** Stops the connection's timers and drops its socket. */
  protected abstract release(): void;
}

/** What a new connection reports to its pool. */
export interface PoolHooks {
  /** Numbers the connection (its key, e.g. "tcp#3"); called once it is up. */
  nextId: () => number;
  onMessage: (c: PooledConnection, bytes: Buffer) => void;
  onClosed: (c: PooledConnection, error: Error | undefined) => void;
}

/**
 * A channel's open connections, one per remote: reused while open, one connect attempt at a
 * time per remote shared by concurrent callers, all closed with the channel. No automatic
 * reconnect: the lines decide when to reconnect, as sip.js requires of a transport.
 */
export class ConnectionPool {
  readonly events = new Emitter<ConnectionChannelEvents>();
  readonly #conns = new Map<string, PooledConnection>();
  readonly #attempts = new Map<string, Promise<Flow>>();
  #seq = 0;
  #closed = false;

  constructor(private readonly protocol: SipProtocol) {}

  /**
   * The open connection to `remote`, else a new one from `dial`, which is given the remote's
   * key and the hooks to build the connection with, and resolves once it is up.
   */
  connect(remote: Peer, dial: (key: string, hooks: PoolHooks) => Promise<PooledConnection>): Promise<Flow> {
    // One connection per address and expected certificate name (two names may share an address).
    const key = remote.servername ? `${peerKey(remote)}|${remote.servername}` : peerKey(remote);
    const open = this.#conns.get(key);
    if (open?.open) return Promise.resolve(open);
    const pending = this.#attempts.get(key);
    if (pending) return pending;
    const attempt = this.#dial(key, dial).finally(() => this.#attempts.delete(key));
    this.#attempts.set(key, attempt);
    return attempt;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const c of this.#conns.values()) c.destroy(undefined);
    this.#conns.clear();
  }

  async #dial(key: string, dial: (key: string, hooks: PoolHooks) => Promise<PooledConnection>): Promise<Flow> {
    if (this.#closed) throw new Error(`${this.protocol} channel closed`);
    const conn = await dial(key, {
      nextId: () => ++this.#seq,
      onMessage: (c, bytes) => this.events.emit('message', bytes, c),
      onClosed: (c, error) => {
        if (this.#conns.get(key) === c) this.#conns.delete(key);
        this.events.emit('closed', c, error);
      },
    });
    this.#conns.set(key, conn);
    return conn;
  }
}
