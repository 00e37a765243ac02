import { systemClock, type Clock } from '../../common/clock.js';
import { silentLogger, type Logger } from '../../common/logger.js';
import type { AudioDevices, PlaybackStream } from './audio-device.js';
import { frameMs } from './null-devices.js';
import { readWavFile } from './wav-file.js';

/** Ring on/off times. The default is the North American ring: 2 s on, 4 s off. */
export interface RingCadence {
  onMs: number;
  offMs: number;
}

export const DEFAULT_RING_CADENCE: RingCadence = { onMs: 2000, offMs: 4000 };
/** The generated ring: 440 + 480 Hz (the North American ringback pair). */
export const RING_FREQUENCIES_HZ: readonly number[] = [440, 480];
/** Peak level of the generated ring and of the test tone: loud, with headroom. */
export const DEFAULT_RING_LEVEL_DBFS = -12;
/** Edges of each burst are shaped over this long, so the ring starts and stops without a click. */
const RAMP_MS = 5;

/** Writes the next frame of a signal into `frame`. */
export interface FrameSource {
  fill(frame: Int16Array): void;
}

/** The generated ring: a sum of sines, gated by the cadence with short raised-cosine edges. */
export class TwoToneRing implements FrameSource {
  #position = 0;
  readonly #amplitude: number;
  readonly #onSamples: number;
  readonly #cycleSamples: number;
  readonly #rampSamples: number;

  constructor(
    private readonly sampleRate: number,
    private readonly frequencies: readonly number[] = RING_FREQUENCIES_HZ,
    peakDbfs = DEFAULT_RING_LEVEL_DBFS,
    cadence: RingCadence = DEFAULT_RING_CADENCE,
  ) {
    this.#amplitude = (32767 * dbToGain(peakDbfs)) / Math.max(1, frequencies.length);
    this.#onSamples = Math.round((cadence.onMs * sampleRate) / 1000);
    this.#cycleSamples = this.#onSamples + Math.round((cadence.offMs * sampleRate) / 1000);
    this.#rampSamples = Math.round((RAMP_MS * sampleRate) / 1000);
  }

  fill(frame: Int16Array): void {
    for (let i = 0; i < frame.length; i++) {
      const inCycle = this.#position % this.#cycleSamples;
      let value = 0;
      if (inCycle < this.#onSamples) {
        // Integer frequencies repeat every second, so the phase is taken modulo one second
        // and stays exact however long it rings.
        const t = (this.#position % this.sampleRate) / this.sampleRate;
        for (const f of this.frequencies) value += Math.sin(2 * Math.PI * f * t);
        value *= this.#amplitude * edgeGain(inCycle, this.#onSamples, this.#rampSamples);
      }
      frame[i] = Math.round(value);
      this.#position++;
    }
  }
}

/** A recorded ring tone (e.g. from a WAV file), repeated for as long as it rings. */
export class LoopingClip implements FrameSource {
  #position = 0;

  constructor(private readonly samples: Int16Array) {
    if (samples.length === 0) throw new RangeError('the ring tone is empty');
  }

  fill(frame: Int16Array): void {
    for (let i = 0; i < frame.length; i++) {
      frame[i] = this.samples[this.#position] ?? 0;
      this.#position = (this.#position + 1) % this.samples.length;
    }
  }
}

/** One burst of a sine (with soft edges), then silence: the settings window's test tone. */
export class ToneBurst implements FrameSource {
  #position = 0;
  readonly #lengthSamples: number;
  readonly #amplitude: number;
  readonly #rampSamples: number;

  constructor(
    private readonly sampleRate: number,
    private readonly frequencyHz: number,
    durationMs: number,
    peakDbfs: number,
  ) {
    this.#lengthSamples = Math.round((durationMs * sampleRate) / 1000);
    this.#amplitude = 32767 * dbToGain(peakDbfs);
    this.#rampSamples = Math.round((RAMP_MS * sampleRate) / 1000);
  }

  get finished(): boolean {
    return this.#position >= this.#lengthSamples;
  }

  fill(frame: Int16Array): void {
    for (let i = 0; i < frame.length; i++) {
      const n = this.#position++;
      if (n >= this.#lengthSamples) {
        frame[i] = 0;
        continue;
      }
      const t = (n % this.sampleRate) / this.sampleRate;
      const edge = edgeGain(n, this.#lengthSamples, this.#rampSamples);
      frame[i] = Math.round(this.#amplitude * edge * Math.sin(2 * Math.PI * this.frequencyHz * t));
    }
  }
}

export interface RingerOptions {
  devices: AudioDevices;
  /** The ringer device (a desk speaker, not the headset); null: the default output. */
  device: string | null;
  /** A ring tone to loop, mono at devices.format.sampleRate; without it the two-tone ring plays. */
  tone?: Int16Array;
  /** Peak level of the generated ring (dBFS). */
  levelDbfs?: number;
  cadence?: RingCadence;
  logger?: Logger;
}

/**
 * Rings on the ringer device while at least one call rings. The caller says start() when
 * the first call starts ringing and stop() when the last one stops; both are idempotent.
 * The playback stream exists only while ringing, so the device is free the rest of the time.
 */
export class Ringer {
  #device: string | null;
  #stream: PlaybackStream | undefined;
  readonly #devices: AudioDevices;
  readonly #logger: Logger;

  constructor(private readonly options: RingerOptions) {
    this.#devices = options.devices;
    this.#device = options.device;
    this.#logger = options.logger ?? silentLogger;
  }

  /**
   * A ringer that loops a WAV file. If the file cannot be played, the two-tone ring is used
   * instead and the reason is logged: a broken ring tone must not silence incoming calls.
   */
  static async withWavFile(options: Omit<RingerOptions, 'tone'>, path: string): Promise<Ringer> {
    try {
      const { samples } = await readWavFile(path, options.devices.format.sampleRate);
      if (samples.length === 0) throw new Error(`${path} holds no audio`);
      return new Ringer({ ...options, tone: samples });
    } catch (error) {
      (options.logger ?? silentLogger).warn('ring tone file unusable, using the generated ring', {
        path,
        error: error instanceof Error ? error.message : String(error),
      });
      return new Ringer(options);
    }
  }

  get ringing(): boolean {
    return this.#stream !== undefined;
  }

  /** The device it rings on (after a fallback, the one actually playing). */
  get device(): string | null {
    return this.#stream?.device ?? this.#device;
  }

  start(): void {
    if (this.#stream) return;
    const source = this.#newSource();
    const frame = (): Int16Array => {
      const out = new Int16Array(this.#devices.format.frameSamples);
      source.fill(out);
      return out;
    };
    try {
      this.#stream = this.#devices.openPlayback(this.#device, frame);
    } catch (error) {
      this.#logger.error('cannot open the ringer device', {
        device: this.#device,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  stop(): void {
    const stream = this.#stream;
    this.#stream = undefined;
    stream?.close();
  }

  /** Moves the ringer to another device; a ring in progress restarts there. */
  setDevice(device: string | null): void {
    this.#device = device;
    if (!this.#stream) return;
    this.stop();
    this.start();
  }

  #newSource(): FrameSource {
    const rate = this.#devices.format.sampleRate;
    if (this.options.tone) return new LoopingClip(this.options.tone);
    return new TwoToneRing(rate, RING_FREQUENCIES_HZ, this.options.levelDbfs, this.options.cadence);
  }
}

export interface TestToneOptions {
  frequencyHz?: number;
  durationMs?: number;
  levelDbfs?: number;
  /** For the safety timeout only (the tone itself is timed by the device's frames). */
  clock?: Clock;
}

/**
 * Plays a test tone (1 kHz, 1 s by default) on a device, for the settings window. Resolves
 * once the tone has been played out (the device pulled the tone and enough silence after it
 * to cover its latency), then closes the stream.
 */
export function playTestTone(devices: AudioDevices, device: string | null, options: TestToneOptions = {}): Promise<void> {
  const durationMs = options.durationMs ?? 1000;
  const clock = options.clock ?? systemClock;
  const { sampleRate, frameSamples } = devices.format;
  const tone = new ToneBurst(sampleRate, options.frequencyHz ?? 1000, durationMs, options.levelDbfs ?? DEFAULT_RING_LEVEL_DBFS);
  const period = frameMs(devices.format);

  return new Promise<void>((resolve, reject) => {
    let stream: PlaybackStream | undefined;
    let tailFrames = -1;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      safety.cancel();
      // Closing from inside the stream's own callback is allowed, but deferring keeps the
      // device layer's bookkeeping out of our way.
      queueMicrotask(() => stream?.close());
      resolve();
    };
    const safety = clock.setTimeout(finish, durationMs + 3000);
    const pull = (): Int16Array => {
      const frame = new Int16Array(frameSamples);
      tone.fill(frame);
      if (tone.finished && !done) {
        if (tailFrames < 0) tailFrames = Math.ceil((stream?.latencyMs ?? 0) / period) + 2;
        else if (tailFrames-- === 0) finish();
      }
      return frame;
    };
    try {
      stream = devices.openPlayback(device, pull);
    } catch (error) {
      done = true;
      safety.cancel();
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

function edgeGain(index: number, length: number, ramp: number): number {
  const fromEdge = Math.min(index, length - 1 - index);
  if (fromEdge >= ramp || ramp === 0) return 1;
  return 0.5 - 0.5 * Math.cos((Math.PI * fromEdge) / ramp);
}

function dbToGain(db: number): number {
  return 10 ** (db / 20);
}
