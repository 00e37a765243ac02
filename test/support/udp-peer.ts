import dgram from 'node:dgram';

/** A raw UDP endpoint on 127.0.0.1 for tests: send datagrams, await the ones that arrive. */
export class UdpPeer {
  readonly socket = dgram.createSocket('udp4');
  readonly received: string[] = [];
  #waiters: { pred: (m: string) => boolean; resolve: (m: string) => void }[] = [];

  async bind(host = '127.0.0.1'): Promise<number> {
    await new Promise<void>((r) => this.socket.bind(0, host, () => r()));
    this.socket.on('message', (b) => {
      const m = b.toString('utf8');
      this.received.push(m);
      const i = this.#waiters.findIndex((w) => w.pred(m));
      if (i >= 0) this.#waiters.splice(i, 1)[0]!.resolve(m);
    });
    return this.port;
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(text: string | Buffer, port: number, host = '127.0.0.1'): Promise<void> {
    return new Promise((r, j) => this.socket.send(typeof text === 'string' ? Buffer.from(text) : text, port, host, (e) => (e ? j(e) : r())));
  }

  /** The first datagram (already received or future) matching `pred`, within `ms`. */
  next(pred: (m: string) => boolean, ms = 2000): Promise<string> {
    const have = this.received.find(pred);
    if (have) {
      this.received.splice(this.received.indexOf(have), 1);
      return Promise.resolve(have);
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        pred,
        resolve: (m: string) => {
          clearTimeout(t);
          this.received.splice(this.received.indexOf(m), 1);
          resolve(m);
        },
      };
      // A waiter that timed out must not take (and hide) a later datagram.
      const t = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`no matching datagram within ${ms} ms; got:\n${this.received.join('\n---\n')}`));
      }, ms);
      this.#waiters.push(waiter);
    });
  }

  close(): void {
    this.socket.close();
  }
}
