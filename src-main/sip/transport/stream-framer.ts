/**
 * Cuts a TCP/TLS byte stream into SIP messages (RFC 3261 §18.3): a message ends after
 * its header section plus exactly Content-Length bytes, counted as bytes. Also recognises
 * the RFC 5626 §4.4.1 keep-alives: a double CRLF "ping" and a single CRLF "pong".
 */
export type FramerEvent =
  | { type: 'message'; bytes: Buffer }
  | { type: 'ping' }
  | { type: 'pong' }
  | { type: 'error'; reason: string };

export interface FramerLimits {
  maxHeaderBytes: number;
  maxBodyBytes: number;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');

export class StreamFramer {
  #buf: Buffer = Buffer.alloc(0);
  #failed = false;
  #awaitingPong = false;

  constructor(private readonly limits: FramerLimits = { maxHeaderBytes: 32_768, maxBodyBytes: 65_536 }) {}

  /**
   * Feeds bytes; returns every complete event they finish. After an 'error' the stream
   * cannot be resynchronised and the connection must be closed: later input is ignored.
   */
  push(chunk: Buffer): FramerEvent[] {
    if (this.#failed) return [];
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const out: FramerEvent[] = [];
    for (;;) {
      const ev = this.#next();
      if (!ev) break;
      out.push(ev);
      if (ev.type === 'error') {
        this.#failed = true;
        this.#buf = Buffer.alloc(0);
        break;
      }
    }
    return out;
  }

  /** A ping went out: the next lone CRLF is its pong, even when more bytes follow it in the same read. */
  awaitPong(): void {
    this.#awaitingPong = true;
  }

  /** Bytes held waiting for the rest of a message. */
  get buffered(): number {
    return this.#buf.length;
  }

  #next(): FramerEvent | undefined {
    const b = this.#buf;
    if (b.length === 0) return undefined;
    // Keep-alives and inter-message CRLFs.
    if (b[0] === 0x0d) {
      if (b.length < 2) return undefined;
      if (b[1] !== 0x0a) return { type: 'error', reason: 'stray CR in stream' };
      if (b.length >= 4 && b[2] === 0x0d && b[3] === 0x0a) {
        this.#buf = b.subarray(4);
        return { type: 'ping' };
      }
      if (b.length === 2 || b[2] !== 0x0d) {
        // A lone CRLF: the pong to our ping (a peer may send it and its next message in
        // one segment), or one with nothing after it; otherwise padding before a message.
        this.#buf = b.subarray(2);
        if (b.length === 2 || this.#awaitingPong) {
          this.#awaitingPong = false;
          return { type: 'pong' };
        }
        return this.#next();
      }
      return undefined; // "\r\n\r" — wait for the last byte
    }
    const end = b.indexOf(CRLFCRLF);
    if (end < 0) {
      if (b.length > this.limits.maxHeaderBytes) return { type: 'error', reason: `header section exceeds ${this.limits.maxHeaderBytes} bytes` };
      return undefined;
    }
    if (end > this.limits.maxHeaderBytes) return { type: 'error', reason: `header section exceeds ${this.limits.maxHeaderBytes} bytes` };
    const head = b.toString('latin1', 0, end);
    const cl = contentLengthOf(head);
    if (cl === 'missing') return { type: 'error', reason: 'no Content-Length on a stream transport' };
    if (cl === 'bad') return { type: 'error', reason: 'malformed Content-Length' };
    if (cl > this.limits.maxBodyBytes) return { type: 'error', reason: `body of ${cl} bytes exceeds ${this.limits.maxBodyBytes}` };
    const total = end + 4 + cl;
    if (b.length < total) return undefined;
    const bytes = Buffer.from(b.subarray(0, total)); // copy: the rest of the buffer moves on
    this.#buf = b.subarray(total);
    return { type: 'message', bytes };
  }
}

function contentLengthOf(head: string): number | 'missing' | 'bad' {
  let found: number | 'missing' | 'bad' = 'missing';
  for (const line of head.split('\r\n')) {
    const m = /^(content-length|l)[ \t]*:[ \t]*(.*)$/i.exec(line);
    if (!m) continue;
    const v = m[2]!.trim();
    if (!/^\d{1,9}$/.test(v)) return 'bad';
    const n = Number(v);
    if (found !== 'missing' && found !== n) return 'bad';
    found = n;
  }
  return found;
}
