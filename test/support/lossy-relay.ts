import dgram from 'node:dgram';

export interface RelayedDatagram {
  direction: 'to-server' | 'to-client';
  text: string;
  dropped: boolean;
}

/**
 * A UDP relay between one client (LineDesk) and a server (Kamailio) that can drop chosen
 * datagrams, to prove that lost messages are retransmitted. The client talks to the relay
 * as its registrar; the server, NAT-fixing the registration, talks back to the relay too.
 */
export class LossyRelay {
  readonly log: RelayedDatagram[] = [];
  #socket = dgram.createSocket('udp4');
  #client: { address: string; port: number } | undefined;

  /** `drop` decides per datagram; it sees the direction and the SIP text. */
  constructor(
    private readonly server: { host: string; port: number },
    private readonly drop: (d: { direction: RelayedDatagram['direction']; text: string }) => boolean,
  ) {}

  async start(): Promise<number> {
    await new Promise<void>((r) => this.#socket.bind(0, '127.0.0.1', () => r()));
    this.#socket.on('message', (bytes, from) => {
      const fromServer = from.address === this.server.host && from.port === this.server.port;
      if (!fromServer) this.#client = { address: from.address, port: from.port };
      const direction = fromServer ? 'to-client' : 'to-server';
      const text = bytes.toString('utf8');
      const dropped = this.drop({ direction, text });
      this.log.push({ direction, text, dropped });
      if (dropped) return;
      if (fromServer) {
        if (this.#client) this.#socket.send(bytes, this.#client.port, this.#client.address);
      } else {
        this.#socket.send(bytes, this.server.port, this.server.host);
      }
    });
    return this.#socket.address().port;
  }

  /** Datagrams that passed or were dropped, whose first line matches. */
  matching(direction: RelayedDatagram['direction'], firstLine: RegExp): RelayedDatagram[] {
    return this.log.filter((d) => d.direction === direction && firstLine.test(d.text.slice(0, d.text.indexOf('\r\n'))));
  }

  close(): void {
    this.#socket.close();
  }
}

/** The top Via branch of a SIP text. */
export function branchOf(text: string): string | undefined {
  return /branch=([^;\s,]+)/i.exec(text)?.[1];
}
