import type { CaptureStream } from '../audio-device.js';
import type { RtAudioInstance } from './audify-binding.js';
import { ResilientStream, type StreamContext } from './resilient-stream.js';

/** Capture that survives its device: pushes one frame per card callback (silence on the timer). */
export class ResilientCapture extends ResilientStream implements CaptureStream {
  constructor(
    requested: string | null,
    ctx: StreamContext,
    private readonly push: (frame: Int16Array) => void,
  ) {
    super('capture', requested, ctx);
  }

  protected onFrame(_rt: RtAudioInstance | undefined, data?: Buffer): void {
    if (!this.budget.take()) return;
    const samples = this.ctx.format.frameSamples;
    let frame: Int16Array;
    if (data && data.byteLength >= samples * 2 && data.byteOffset % 2 === 0) {
      frame = new Int16Array(data.buffer, data.byteOffset, samples);
    } else {
      frame = new Int16Array(samples); // on the timer (no device): silence
      if (data) for (let i = 0; i < samples && i * 2 + 1 < data.byteLength; i++) frame[i] = data.readInt16LE(i * 2);
    }
    try {
      this.push(frame);
    } catch (error) {
      this.callbackFailed('capture push', error);
    }
  }
}
