import { BatchedFileWriter } from './batched-file-writer.js';
import { OggOpusStream } from './ogg-opus-stream.js';
import type { StereoOpusEncoder } from './recording-types.js';
import { repairWav, wavHeader } from './wav-header.js';

/** Where a recording's stereo PCM goes: a file in one format. */
export interface RecordingSink {
  readonly opened: Promise<void>;
  /** Interleaved stereo 16-bit PCM at the sink's rate. */
  write(interleaved: Int16Array): void;
  close(): Promise<void>;
}

/**
 * A stereo 16-bit PCM WAV. The header is written first with a data size of 0, and the real
 * sizes at close (repairWav), so a file whose writer died is fixed the same way. Appending
 * repairs the file first and carries on in it (its rate must be `rate`).
 */
export class WavSink implements RecordingSink {
  readonly opened: Promise<void>;
  #writer: BatchedFileWriter | undefined;
  #held: Int16Array[] = [];

  constructor(
    readonly file: string,
    readonly rate: number,
    opts: { append?: boolean; onError: (e: Error) => void },
  ) {
    this.opened = this.#open(opts.append === true, opts.onError);
    this.opened.catch(() => {});
  }

  async #open(append: boolean, onError: (e: Error) => void): Promise<void> {
    if (append) {
      const layout = await repairWav(this.file);
      if (!layout || layout.channels !== 2 || layout.sampleRate !== this.rate) throw new Error(`${this.file} is not a ${this.rate} Hz stereo recording to carry on`);
    }
    const writer = new BatchedFileWriter(this.file, { append, onError });
    if (!append) writer.write(wavHeader(this.rate, 2, 0));
    await writer.opened;
    this.#writer = writer;
    for (const pcm of this.#held.splice(0)) this.write(pcm);
  }

  write(interleaved: Int16Array): void {
    if (this.#writer) this.#writer.write(new Uint8Array(interleaved.buffer, interleaved.byteOffset, interleaved.byteLength));
    else this.#held.push(interleaved);
  }

  async close(): Promise<void> {
    await this.opened;
    await this.#writer?.close();
    await repairWav(this.file);
  }
}

/** 20 ms at 48 kHz: the Opus frame the recorder encodes. */
const OPUS_FRAME = 960;

/**
 * Stereo Opus at 48 kHz in Ogg. Appending (after a worker died) starts a new logical stream
 * chained after what the file holds (RFC 7845 §3 allows chained streams).
 */
export class OggOpusSink implements RecordingSink {
  readonly opened: Promise<void>;
  readonly #writer: BatchedFileWriter;
  readonly #stream = new OggOpusStream();
  #frame = new Int16Array(OPUS_FRAME * 2);
  #filled = 0;

  constructor(
    readonly file: string,
    private readonly encoder: StereoOpusEncoder,
    opts: { append?: boolean; onError: (e: Error) => void; comments?: string[] },
  ) {
    this.#writer = new BatchedFileWriter(file, { append: opts.append === true, onError: opts.onError });
    this.#writer.write(this.#stream.headers(2, 48_000, opts.comments ?? []));
    // Pages go to the disk as they are made (about a second each): what a crash loses is the page being filled.
    this.#writer.flush();
    this.opened = this.#writer.opened;
  }

  write(interleaved: Int16Array): void {
    let i = 0;
    while (i < interleaved.length) {
      const n = Math.min(interleaved.length - i, this.#frame.length - this.#filled);
      this.#frame.set(interleaved.subarray(i, i + n), this.#filled);
      this.#filled += n;
      i += n;
      if (this.#filled === this.#frame.length) this.#encodeFrame();
    }
  }

  async close(): Promise<void> {
    // The last partial frame is padded with silence; a stream must end on a packet.
    if (this.#filled > 0) {
      this.#frame.fill(0, this.#filled);
      this.#encodeFrame();
    }
    this.#writer.write(this.#stream.end(() => ({ data: this.encoder.encode(new Int16Array(OPUS_FRAME * 2), OPUS_FRAME), samples48k: OPUS_FRAME })));
    await this.#writer.close();
  }

  #encodeFrame(): void {
    const page = this.#stream.packet(this.encoder.encode(this.#frame, OPUS_FRAME), OPUS_FRAME);
    this.#filled = 0;
    if (!page) return;
    this.#writer.write(page);
    this.#writer.flush();
  }
}
