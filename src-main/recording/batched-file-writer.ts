import { createWriteStream, type WriteStream } from 'node:fs';

/** Bytes gathered before one write: a few writes a second per call, never one per frame. */
const BATCH_BYTES = 16 * 1024;

/**
 * Appends to a file without blocking the thread that produces the bytes (a media worker's
 * frame loop): bytes are gathered in memory and handed to an fs write stream (libuv's thread
 * pool) in batches. The file is created owner-only (0600) and must not exist yet, unless
 * `append`. A write error stops the writer; `failed` says why and later bytes are dropped.
 */
export class BatchedFileWriter {
  readonly #stream: WriteStream;
  #chunks: Buffer[] = [];
  #pending = 0;
  #error: Error | undefined;
  #closing: Promise<void> | undefined;
  readonly opened: Promise<void>;
  /** Bytes handed over so far (written or waiting). */
  bytes = 0;

  constructor(
    readonly file: string,
    opts: { append?: boolean; onError?: (e: Error) => void } = {},
  ) {
    this.#stream = createWriteStream(file, { flags: opts.append ? 'a' : 'wx', mode: 0o600 });
    this.opened = new Promise((resolve, reject) => {
      this.#stream.once('open', () => resolve());
      this.#stream.once('error', reject);
    });
    this.opened.catch(() => {});
    this.#stream.on('error', (e) => {
      if (this.#error) return;
      this.#error = e;
      opts.onError?.(e);
    });
  }

  get failed(): Error | undefined {
    return this.#error;
  }

  write(bytes: Uint8Array): void {
    if (this.#error || this.#closing) return;
    this.#chunks.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    this.#pending += bytes.byteLength;
    this.bytes += bytes.byteLength;
    if (this.#pending >= BATCH_BYTES) this.flush();
  }

  /** Hands what is gathered to the stream now. */
  flush(): void {
    if (this.#pending === 0 || this.#error) return;
    this.#stream.write(Buffer.concat(this.#chunks, this.#pending));
    this.#chunks = [];
    this.#pending = 0;
  }

  /** Writes the rest and closes the file; rejects with the write error, if one happened. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve, reject) => {
      this.flush();
      this.#stream.end(() => (this.#error ? reject(this.#error) : resolve()));
      this.#stream.once('error', reject);
    });
    return this.#closing;
  }
}
