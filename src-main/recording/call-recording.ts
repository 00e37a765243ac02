import type { RecordingSink } from './recording-sinks.js';
import { StereoInterleaver } from './stereo-interleaver.js';

/**
 * One call's recording: the far end's audio (left) and ours (right), each fed frame by frame
 * at `rate` by the call's media, paired into stereo and handed to the sink (a file). Nothing
 * here waits on the disk: the sink writes in batches in the background.
 */
export class CallRecording {
  readonly #pairs: StereoInterleaver;
  #closing: Promise<void> | undefined;

  constructor(
    readonly file: string,
    readonly rate: number,
    private readonly sink: RecordingSink,
  ) {
    // Up to 200 ms of one side waits for the other before it is written against silence.
    this.#pairs = new StereoInterleaver(Math.round(rate / 5));
  }

  get opened(): Promise<void> {
    return this.sink.opened;
  }

  /** The far end's audio as we hear it (decoded, after the jitter buffer). */
  far(pcm: Int16Array): void {
    if (this.#closing) return;
    const out = this.#pairs.left(pcm);
    if (out) this.sink.write(out);
  }

  /** Our audio as we send it (before encoding). */
  near(pcm: Int16Array): void {
    if (this.#closing) return;
    const out = this.#pairs.right(pcm);
    if (out) this.sink.write(out);
  }

  close(): Promise<void> {
    this.#closing ??= (() => {
      const rest = this.#pairs.finish();
      if (rest) this.sink.write(rest);
      return this.sink.close();
    })();
    return this.#closing;
  }
}
