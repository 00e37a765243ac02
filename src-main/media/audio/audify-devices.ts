import { systemClock, type Clock, type TimerHandle } from '../../common/clock.js';
import { Emitter } from '../../common/emitter.js';
import { silentLogger, type Logger } from '../../common/logger.js';
import type { AudioDeviceEvents, AudioDeviceInfo, AudioDevices, AudioFormat, CaptureStream, PlaybackStream } from './audio-device.js';
import { AlsaHost } from './audify/alsa-host.js';
import { loadAudify } from './audify/audify-binding.js';
import { runtimeOf, type AudifyRuntime } from './audify/audify-runtime.js';
import type { AudioHost, DeviceSnapshot, ListedDevice } from './audify/audio-host.js';
import { NativeHost } from './audify/native-host.js';
import { PulseHost } from './audify/pulse-host.js';
import { ResilientCapture } from './audify/resilient-capture.js';
import { ResilientPlayback } from './audify/resilient-playback.js';
import type { ResilientStream, StreamContext } from './audify/resilient-stream.js';

/*
 * The sound card through audify (RtAudio 6.0.1 behind N-API), in audify/:
 * - audify-binding.ts: loading audify, and the typed view of its API;
 * - audify-runtime.ts: its process-wide error function, and retiring instances safely;
 * - pulse-host.ts, alsa-host.ts, native-host.ts: listing and opening devices per API
 *   (audio-host.ts: what they share);
 * - resilient-stream.ts (+ -playback, -capture): streams that survive their device.
 * This file is the AudioDevices they make up.
 */

export interface AudifyDevicesOptions {
  /** Frame length: 10 or 20 ms at 48 kHz. Default 20. */
  frameMs?: 10 | 20;
  /**
   * Linux only: 'pulse' (default) lists and opens through the PulseAudio API; 'alsa' lists
   * through PulseAudio but streams through ALSA's `pulse` PCM (or plain ALSA without a server).
   */
  linuxApi?: 'pulse' | 'alsa';
  /** PulseAudio playback buffer (PULSE_LATENCY_MSEC). Default 20. */
  pulseLatencyMs?: number;
  /**
   * Audio queued ahead in audify, i.e. how long the main thread may stall before the card
   * plays a gap. Default 40 ms (2 frames of 20 ms, 4 of 10 ms); at least one frame.
   */
  queueMs?: number;
  /** How often the device list is re-read to notice plugged/unplugged devices. Default 1000. */
  relistMs?: number;
  clock?: Clock;
  logger?: Logger;
}

export type AudifyDevicesResult = { ok: true; devices: AudifyDevices } | { ok: false; reason: string };

/** Loads audify and builds the backend; says why when it cannot (never throws). */
export function createAudifyDevices(options: AudifyDevicesOptions = {}): AudifyDevicesResult {
  const load = loadAudify();
  if (!load.ok) return load;
  const logger = options.logger ?? silentLogger;
  const audify = load.audify;
  const runtime = runtimeOf(audify);
  const platform = process.platform;
  let host: AudioHost;
  if (platform === 'win32') host = new NativeHost(runtime, audify.RtAudioApi.WINDOWS_WASAPI, 'wasapi');
  else if (platform === 'darwin') host = new NativeHost(runtime, audify.RtAudioApi.MACOSX_CORE, 'coreaudio');
  else if (options.linuxApi === 'alsa') host = new AlsaHost(runtime, logger);
  else host = new PulseHost(runtime, options.pulseLatencyMs ?? 20);
  try {
    return { ok: true, devices: new AudifyDevices(runtime, host, options) };
  } catch (error) {
    return { ok: false, reason: `audify failed to start: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/**
 * AudioDevices over audify. Re-reads the device list every second (emitting `changed`), and
 * after any audio error; streams whose device vanished move to the default device (emitting
 * `fallback`), and move back when it returns.
 */
export class AudifyDevices implements AudioDevices {
  // (Built by createAudifyDevices, which loads audify and picks the host.)
  readonly events = new Emitter<AudioDeviceEvents>();
  readonly format: AudioFormat;
  readonly backend: string;
  readonly #host: AudioHost;
  readonly #runtime: AudifyRuntime;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #queueFrames: number;
  readonly #streams = new Set<ResilientStream>();
  readonly #relist: TimerHandle;
  readonly #stopListening: () => void;
  #snapshot: DeviceSnapshot;
  #signature: string;
  #closed = false;
  #errorCheck: TimerHandle | undefined;
  #errorsSinceCheck = 0;
  #errorsLogged = 0;

  constructor(runtime: AudifyRuntime, host: AudioHost, options: AudifyDevicesOptions = {}) {
    const frameMs = options.frameMs ?? 20;
    if (frameMs !== 10 && frameMs !== 20) throw new RangeError(`frameMs must be 10 or 20, not ${String(frameMs)}`);
    this.format = { sampleRate: 48000, frameSamples: 48 * frameMs };
    this.#queueFrames = Math.max(1, Math.round((options.queueMs ?? 40) / frameMs));
    this.#runtime = runtime;
    this.#host = host;
    this.backend = host.backend;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#snapshot = host.list();
    this.#signature = signatureOf(this.#snapshot);
    this.#stopListening = runtime.listen((type, message) => this.#audioError(type, message));
    this.#relist = this.#clock.setInterval(() => this.#refresh(false), options.relistMs ?? 1000);
  }

  list(): { inputs: AudioDeviceInfo[]; outputs: AudioDeviceInfo[] } {
    if (!this.#closed) this.#refresh(false);
    return visible(this.#snapshot);
  }

  openPlayback(device: string | null, pull: () => Int16Array): PlaybackStream {
    return this.#start(new ResilientPlayback(device, this.#context(), pull));
  }

  openCapture(device: string | null, push: (frame: Int16Array) => void): CaptureStream {
    return this.#start(new ResilientCapture(device, this.#context(), push));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#relist.cancel();
    this.#errorCheck?.cancel();
    for (const stream of [...this.#streams]) stream.close();
    this.#stopListening();
    this.events.removeAllListeners();
  }

  #start<S extends ResilientStream>(stream: S): S {
    if (this.#closed) throw new Error('the audio devices are closed');
    this.#streams.add(stream);
    stream.start(this.#snapshot);
    return stream;
  }

  #context(): StreamContext {
    return {
      host: this.#host,
      format: this.format,
      clock: this.#clock,
      logger: this.#logger,
      runtime: this.#runtime,
      queueFrames: this.#queueFrames,
      onFallback: (kind, lost, fallback) => {
        if (!this.#closed) this.events.emit('fallback', kind, lost, fallback);
      },
      onClosed: (stream) => this.#streams.delete(stream),
    };
  }

  #refresh(afterError: boolean): void {
    if (this.#closed) return;
    const snapshot = this.#host.list();
    const signature = signatureOf(snapshot);
    this.#snapshot = snapshot;
    if (signature !== this.#signature) {
      this.#signature = signature;
      this.events.emit('changed');
    }
    for (const stream of [...this.#streams]) stream.check(snapshot, afterError);
  }

  // Errors cannot be traced to a stream (see audify-runtime.ts): re-check everything soon,
  // and once more a little later so a runaway stream has shown its callback rate.
  #audioError(type: number, message: string): void {
    // Listing while the server is down fails too; that is our own probe, not a stream.
    if (message.includes('probeDevices')) {
      this.#logger.debug('device probe failed', { message });
      return;
    }
    this.#errorsSinceCheck++;
    if (this.#errorsLogged < 5 || this.#errorsSinceCheck === 1) {
      this.#errorsLogged++;
      this.#logger.warn('audio error', { type, message });
    }
    if (this.#errorCheck || this.#closed) return;
    this.#errorCheck = this.#clock.setTimeout(() => {
      this.#refresh(true);
      this.#errorCheck = this.#clock.setTimeout(() => {
        this.#errorCheck = undefined;
        this.#errorsSinceCheck = 0;
        this.#refresh(true);
      }, 300);
    }, 30);
  }
}

function visible(snapshot: DeviceSnapshot): { inputs: AudioDeviceInfo[]; outputs: AudioDeviceInfo[] } {
  const strip = (list: ListedDevice[]): AudioDeviceInfo[] =>
    list.filter((d) => !d.hidden).map(({ name, isDefault, channels }) => ({ name, isDefault, channels }));
  return { inputs: strip(snapshot.inputs), outputs: strip(snapshot.outputs) };
}

function signatureOf(snapshot: DeviceSnapshot): string {
  const { inputs, outputs } = visible(snapshot);
  const part = (list: AudioDeviceInfo[]): string => list.map((d) => `${d.name}${d.isDefault ? '*' : ''}`).join('\u0000');
  return `${part(outputs)}\u0001${part(inputs)}`;
}
