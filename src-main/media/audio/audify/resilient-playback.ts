import type { PlaybackStream } from '../audio-device.js';
import type { RtAudioInstance } from './audify-binding.js';
import { ResilientStream, type StreamContext } from './resilient-stream.js';

/** Playback that survives its device: pulls one frame per card callback (or timer tick). */
export class ResilientPlayback extends ResilientStream implements PlaybackStream {
  #warnedLength = false;

  constructor(
    requested: string | null,
    ctx: StreamContext,
    private readonly pull: () => Int16Array,
  ) {
    super('playback', requested, ctx);
  }

  protected onFrame(rt: RtAudioInstance | undefined): void {
    const frameSamples = this.ctx.format.frameSamples;
    let frame: Int16Array | undefined;
    if (this.budget.take()) {
      try {
        frame = this.pull();
      } catch (error) {
        this.callbackFailed('playback pull', error);
      }
    }
    if (!rt || this.closed) return; // on the timer the frame is dropped, as by a null device
    if (!frame || frame.length !== frameSamples) {
      if (frame && !this.#warnedLength) {
        this.#warnedLength = true;
        this.ctx.logger.warn('pull returned a frame of the wrong length', { got: frame.length, want: frameSamples });
      }
      const fixed = new Int16Array(frameSamples);
      if (frame) fixed.set(frame.subarray(0, frameSamples));
      frame = fixed;
    }
    try {
      rt.write(Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength));
    } catch (error) {
      this.ctx.logger.warn('audify write failed', { error: error instanceof Error ? error.message : String(error) });
    }
  }
}
