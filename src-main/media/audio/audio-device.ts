import type { Emitter } from '../../common/emitter.js';

/**
 * LineDesk's sound card, as the media engine sees it. Audio is 16-bit mono PCM at one
 * internal rate (48 kHz) in fixed frames (10 or 20 ms); calls resample to and from it.
 * Playback is pulled: the device's clock asks for each frame, which is what drives the
 * jitter buffers. Capture is pushed: each recorded frame is handed over as it arrives.
 */
export interface AudioFormat {
  sampleRate: number;
  /** Samples per frame (per channel): 960 = 20 ms at 48 kHz. */
  frameSamples: number;
}

export interface AudioDeviceInfo {
  /** The name to pick it by (PulseAudio/CoreAudio/WASAPI description, e.g. "Jabra Evolve2 65"). */
  name: string;
  isDefault: boolean;
  channels: number;
}

export interface PlaybackStream {
  /** The device actually playing (after a fallback, the default one). */
  readonly device: string;
  /** Estimated output latency: from a frame handed over to it being heard. */
  readonly latencyMs: number;
  close(): void;
}

export interface CaptureStream {
  readonly device: string;
  readonly latencyMs: number;
  close(): void;
}

export interface AudioDeviceEvents extends Record<string, unknown[]> {
  /** The device list changed (plugged, unplugged). */
  changed: [];
  /** A stream's device vanished; the stream went on with `fallback` (the default device). */
  fallback: [kind: 'playback' | 'capture', lost: string, fallback: string];
}

export interface AudioDevices {
  readonly events: Emitter<AudioDeviceEvents>;
  readonly format: AudioFormat;
  /** Which implementation: "pulse", "alsa", "coreaudio", "wasapi", or "null" (no sound card, timer-driven). */
  readonly backend: string;
  list(): { inputs: AudioDeviceInfo[]; outputs: AudioDeviceInfo[] };
  /**
   * Plays on the named device (null: the default). `pull` is called once per frame by the
   * device clock and returns the next frame (exactly frameSamples long).
   */
  openPlayback(device: string | null, pull: () => Int16Array): PlaybackStream;
  /** Records from the named device (null: the default); `push` gets every frame. */
  openCapture(device: string | null, push: (frame: Int16Array) => void): CaptureStream;
  close(): void;
}
