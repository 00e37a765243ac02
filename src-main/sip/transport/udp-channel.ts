import dgram from 'node:dgram';
import { isIP } from 'node:net';
import { Emitter } from '../../common/emitter.js';
import type { Logger } from '../../common/logger.js';
import { peerKey, type Flow, type Peer } from './flow.js';

export interface UdpChannelEvents extends Record<string, unknown[]> {
  message: [bytes: Buffer, flow: Flow];
  error: [error: Error];
}

/**
 * The one UDP socket every UDP line shares. A flow is simply a remote address on it;
 * flows are created on first use in either direction and live as long as the socket.
 */
export class UdpChannel {
  readonly events = new Emitter<UdpChannelEvents>();
  #socket: dgram.Socket | undefined;
  #local: Peer | undefined;
  #flows = new Map<string, Flow>();
  #closed = false;

  constructor(
    private readonly bind: Peer,
    private readonly log: Logger,
  ) {}

  get local(): Peer {
    if (!this.#local) throw new Error('UDP channel not started');
    return this.#local;
  }

  get started(): boolean {
    return this.#local !== undefined && !this.#closed;
  }

  async start(): Promise<Peer> {
    if (this.#local) return this.#local;
    const family = isIP(this.bind.host) === 6 ? 'udp6' : 'udp4';
    const socket = dgram.createSocket({ type: family, reuseAddr: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.bind.port, this.bind.host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    // Room for bursts of forks and retransmissions.
    try {
      socket.setRecvBufferSize(1 << 20);
    } catch {
      /* not fatal: the OS default stays */
    }
    socket.on('message', (bytes, rinfo) => {
      if (bytes.length === 0) return;
      // Not remembered: a datagram from anyone must not leave state behind (flowTo() keeps the ones we send on).
      const remote = { host: rinfo.address, port: rinfo.port };
      this.events.emit('message', bytes, this.#flows.get(flowKey(remote)) ?? this.#makeFlow(remote));
    });
    socket.on('error', (error) => {
      this.log.warn('UDP socket error', { error });
      this.events.emit('error', error);
    });
    this.#socket = socket;
    const addr = socket.address();
    this.#local = { host: addr.address, port: addr.port };
    this.log.info(`UDP listening on ${peerKey(this.#local)}`);
    return this.#local;
  }

  /** The flow to a remote address on the shared socket (kept: the mux sends on it). */
  flowTo(remote: Peer): Flow {
    const key = flowKey(remote);
    let flow = this.#flows.get(key);
    if (flow) return flow;
    flow = this.#makeFlow(remote);
    // Bounded: answers to many sources must not grow memory without limit.
    if (this.#flows.size > 10_000) this.#flows.clear();
    this.#flows.set(key, flow);
    return flow;
  }

  #makeFlow(remote: Peer): Flow {
    const local = (): Peer => this.local;
    const open = (): boolean => !this.#closed;
    return {
      key: flowKey(remote),
      protocol: 'udp',
      remote: { ...remote },
      get local() {
        return local();
      },
      reliable: false,
      get open() {
        return open();
      },
      send: (bytes) => this.#send(bytes, remote),
    };
  }

  #send(bytes: Buffer, to: Peer): Promise<void> {
    const socket = this.#socket;
    if (!socket || this.#closed) return Promise.reject(new Error('UDP channel closed'));
    return new Promise((resolve, reject) => {
      socket.send(bytes, to.port, to.host, (error) => (error ? reject(error) : resolve()));
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#socket?.close();
    } catch {
      /* already closed */
    }
    this.events.removeAllListeners();
  }
}

function flowKey(remote: Peer): string {
  return `udp:${peerKey(remote)}`;
}
