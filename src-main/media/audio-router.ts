import type { Logger } from '../common/logger.js';
import type { AudioDevices, CaptureStream, PlaybackStream } from './audio/audio-device.js';

/** A call's side of a device: it fills playback frames and takes capture frames. */
export interface DeviceClient {
  /** Fills `out` (one device frame at the device rate) with this call's audio. */
  renderPlayout(out: Int16Array): void;
  /** Takes one captured device frame. */
  takeCapture(frame: Int16Array): void;
}

interface Shared<S> {
  stream: S;
  clients: Set<DeviceClient>;
}

/**
 * Shares the sound card between calls: one playback stream per output device (open
 * while some call uses it) mixing every call routed there, one capture stream per input
 * device fanned out to them. The device's own clock pulls the mix, which is what paces
 * every call's jitter buffer.
 */
export class AudioRouter {
  #playback = new Map<string, Shared<PlaybackStream>>();
  #capture = new Map<string, Shared<CaptureStream>>();
  #failures = 0;
  #failureLoggedAt: number | undefined;

  constructor(
    readonly devices: AudioDevices,
    private readonly log: Logger,
  ) {}

  /** Routes `client` to an output and an input device (null: the defaults); returns the detach function. */
  attach(client: DeviceClient, output: string | null, input: string | null): () => void {
    const outKey = output ?? '';
    const inKey = input ?? '';
    let out = this.#playback.get(outKey);
    if (!out) {
      const clients = new Set<DeviceClient>();
      const frame = new Int16Array(this.devices.format.frameSamples);
      const mix = new Int32Array(frame.length);
      const stream = this.devices.openPlayback(output, () => this.#mix(clients, frame, mix));
      out = { stream, clients };
      this.#playback.set(outKey, out);
      this.log.info(`playback on "${stream.device}" (${stream.latencyMs.toFixed(0)} ms)`);
    }
    let cap = this.#capture.get(inKey);
    if (!cap) {
      const clients = new Set<DeviceClient>();
      const stream = this.devices.openCapture(input, (f) => {
        for (const c of clients) this.#guard(() => c.takeCapture(f));
      });
      cap = { stream, clients };
      this.#capture.set(inKey, cap);
      this.log.info(`capture from "${stream.device}"`);
    }
    out.clients.add(client);
    cap.clients.add(client);
    return () => {
      out.clients.delete(client);
      cap.clients.delete(client);
      if (out.clients.size === 0 && this.#playback.get(outKey) === out) {
        out.stream.close();
        this.#playback.delete(outKey);
      }
      if (cap.clients.size === 0 && this.#capture.get(inKey) === cap) {
        cap.stream.close();
        this.#capture.delete(inKey);
      }
    };
  }

  close(): void {
    for (const s of this.#playback.values()) s.stream.close();
    for (const s of this.#capture.values()) s.stream.close();
    this.#playback.clear();
    this.#capture.clear();
  }

  /** One call that fails (it throws) is left out of this frame; the others are still mixed. */
  #mix(clients: Set<DeviceClient>, frame: Int16Array, mix: Int32Array): Int16Array {
    if (clients.size === 1) {
      frame.fill(0);
      for (const c of clients) this.#guard(() => c.renderPlayout(frame));
      return frame;
    }
    mix.fill(0);
    for (const c of clients) {
      frame.fill(0);
      if (!this.#guard(() => c.renderPlayout(frame))) continue;
      for (let i = 0; i < frame.length; i++) mix[i] = mix[i]! + frame[i]!;
    }
    for (let i = 0; i < frame.length; i++) frame[i] = Math.max(-32768, Math.min(32767, mix[i]!));
    return frame;
  }

  /** Runs one call's side of a frame; false (logged, at most one line every 10 s) when it threw. */
  #guard(fn: () => void): boolean {
    try {
      fn();
      return true;
    } catch (error) {
      this.#failures++;
      const now = performance.now();
      if (this.#failureLoggedAt === undefined || now - this.#failureLoggedAt >= 10_000) {
        this.log.error(`a call's audio frame failed (${this.#failures} since the last report)`, { error });
        this.#failureLoggedAt = now;
        this.#failures = 0;
      }
      return false;
    }
  }
}
