import type { Clock } from '../../common/clock.js';
import { Emitter } from '../../common/emitter.js';
import { FramePacer } from '../frame-pacer.js';
import type {
  AudioDeviceEvents,
  AudioDeviceInfo,
  AudioDevices,
  AudioFormat,
  CaptureStream,
  PlaybackStream,
} from './audio-device.js';

export { FramePacer } from '../frame-pacer.js';

/** The one device the null backend has, for input and output. */
export const NULL_DEVICE_NAME = 'null';

/**
 * A null stream: playback pulls a frame per period and drops it, capture pushes a fresh
 * frame of silence per period. Errors thrown by the callback never stop the stream.
 */
class NullStream implements PlaybackStream, CaptureStream {
  readonly device = NULL_DEVICE_NAME;
  readonly latencyMs = 0;
  readonly #pacer: FramePacer;

  constructor(
    clock: Clock,
    format: AudioFormat,
    onFrame: () => void,
    onError: (error: unknown) => void,
    private readonly onClose: (stream: NullStream) => void,
  ) {
    this.#pacer = new FramePacer(clock, frameMs(format), () => {
      try {
        onFrame();
      } catch (error) {
        onError(error);
      }
    });
    this.#pacer.start();
  }

  close(): void {
    if (!this.#pacer.running) return;
    this.#pacer.stop();
    this.onClose(this);
  }
}

export interface NullDevicesOptions {
  clock: Clock;
  format: AudioFormat;
  /** Errors thrown by pull/push callbacks (they never stop the stream). */
  onCallbackError?: (error: unknown) => void;
}

/**
 * The sound card of a machine without one (headless servers, CI, service lines): one input
 * and one output called "null", driven by a timer so that the media engine still gets its
 * frame clock.
 */
export class NullAudioDevices implements AudioDevices {
  readonly events = new Emitter<AudioDeviceEvents>();
  readonly backend = 'null';
  readonly format: AudioFormat;
  readonly #clock: Clock;
  readonly #onError: (error: unknown) => void;
  readonly #streams = new Set<NullStream>();

  constructor(options: NullDevicesOptions) {
    this.#clock = options.clock;
    this.format = { ...options.format };
    this.#onError = options.onCallbackError ?? (() => {});
  }

  list(): { inputs: AudioDeviceInfo[]; outputs: AudioDeviceInfo[] } {
    const device = (): AudioDeviceInfo => ({ name: NULL_DEVICE_NAME, isDefault: true, channels: 1 });
    return { inputs: [device()], outputs: [device()] };
  }

  openPlayback(_device: string | null, pull: () => Int16Array): PlaybackStream {
    return this.#open(() => void pull());
  }

  openCapture(_device: string | null, push: (frame: Int16Array) => void): CaptureStream {
    return this.#open(() => push(new Int16Array(this.format.frameSamples)));
  }

  close(): void {
    for (const stream of [...this.#streams]) stream.close();
    this.events.removeAllListeners();
  }

  #open(onFrame: () => void): NullStream {
    const stream = new NullStream(this.#clock, this.format, onFrame, this.#onError, (s) => this.#streams.delete(s));
    this.#streams.add(stream);
    return stream;
  }
}

export function frameMs(format: AudioFormat): number {
  return (format.frameSamples * 1000) / format.sampleRate;
}
