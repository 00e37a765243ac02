import { silentLogger } from '../../../src-main/common/logger.js';
import type { SipResponse } from '../../../src-main/sip/message/sip-message.js';
import type { Via } from '../../../src-main/sip/message/via.js';
import type { Peer, SipProtocol } from '../../../src-main/sip/transport/flow.js';
import type { SipMuxOptions } from '../../../src-main/sip/transport/mux-types.js';
import { SipMux, type MuxLine } from '../../../src-main/sip/transport/sip-mux.js';
import { UdpChannel } from '../../../src-main/sip/transport/udp-channel.js';
import { FakeClock } from '../../support/fake-clock.js';

/**
 * A line as the mux sees it, with no user agent behind it: it keeps what the mux hands
 * it (messages, REGISTER answers) for the test to look at. Its Contact user is
 * `contact`, or "c-<id>".
 */
export class FakeLine implements MuxLine {
  readonly forceNextHop = false;
  readonly id: string;
  readonly aorUser: string;
  readonly aorHost: string;
  readonly protocol: SipProtocol;
  readonly delivered: string[] = [];
  readonly answers: { status: number; via: Via | undefined }[] = [];
  /** Registrar URI → address. */
  readonly registrars = new Map<string, Peer>();
  readonly #contact: string;
  readonly #hop: () => Peer;

  constructor(o: { id: string; aorUser: string; hop: () => Peer; contact?: string; aorHost?: string; protocol?: SipProtocol }) {
    this.id = o.id;
    this.aorUser = o.aorUser;
    this.aorHost = o.aorHost ?? '127.0.0.1';
    this.protocol = o.protocol ?? 'udp';
    this.#contact = o.contact ?? `c-${o.id}`;
    this.#hop = o.hop;
  }
  contactUser(): string {
    return this.#contact;
  }
  nextHop(): Peer {
    return this.#hop();
  }
  registrarAddress(requestUri: string): Peer | undefined {
    return this.registrars.get(requestUri);
  }
  deliver(text: string): void {
    this.delivered.push(text);
  }
  flowClosed(): void {}
  registerAnswered(res: SipResponse, via: Via | undefined): void {
    this.answers.push({ status: res.status, via });
  }
}

/**
 * A SipMux on a real UDP socket on loopback, its time on a FakeClock (pass `clock` when
 * something else, a guard, must share it). start() binds the socket and adds the lines;
 * close() disposes of the mux and closes the socket.
 */
export function udpMux(opts: Partial<Omit<SipMuxOptions, 'udp' | 'connections'>> & { clock?: FakeClock } = {}) {
  const clock = opts.clock ?? new FakeClock();
  const udp = new UdpChannel({ host: '127.0.0.1', port: 0 }, silentLogger);
  const mux = new SipMux({ log: silentLogger, ...opts, udp, connections: {}, clock });
  return {
    clock,
    mux,
    /** Binds the socket, adds `lines`; resolves to the socket's port. */
    async start(...lines: MuxLine[]): Promise<number> {
      const port = (await udp.start()).port;
      for (const l of lines) mux.addLine(l);
      return port;
    },
    close(): void {
      mux.dispose();
      udp.close();
    },
  };
}

/** Lets loopback datagrams arrive and the mux act on them. */
export const settle = (ms = 60): Promise<void> => new Promise((r) => setTimeout(r, ms));
