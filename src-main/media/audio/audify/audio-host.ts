import type { AudioDeviceInfo, AudioFormat } from '../audio-device.js';
import type { AudifyModule, RtAudioInstance, RtDeviceInfo } from './audify-binding.js';
import type { AudifyRuntime } from './audify-runtime.js';

/*
 * What a host (one platform / RtAudio API) offers the streams: listing devices and opening a
 * stream on one. The hosts themselves are pulse-host.ts, alsa-host.ts and native-host.ts;
 * the helpers they share are here.
 */

export type StreamKind = 'playback' | 'capture';

/** A listed device; `hidden` ones (PulseAudio monitors) can be opened but are not offered. */
export interface ListedDevice extends AudioDeviceInfo {
  hidden: boolean;
}

/** Every device the API lists, as the stream logic sees them. */
export interface DeviceSnapshot {
  inputs: ListedDevice[];
  outputs: ListedDevice[];
}

export interface OpenRequest {
  kind: StreamKind;
  /** null: the default device. */
  name: string | null;
  format: AudioFormat;
  /** Playback: frames written before start, i.e. queued ahead in audify. */
  primeFrames: number;
  /** Playback: the card took a frame; write the next one to `rt`. Also called to prime. */
  onOutputFrame?: (rt: RtAudioInstance) => void;
  onInput?: (data: Buffer) => void;
}

export interface OpenedStream {
  rt: RtAudioInstance;
  device: string;
  /** Latency of the device side alone (without audify's queue). */
  deviceLatencyMs: number;
}

/** No device to open: not listed, or the server is gone. */
export class NoDeviceError extends Error {
  override readonly name = 'NoDeviceError';
}

export interface AudioHost {
  readonly backend: string;
  list(): DeviceSnapshot;
  /** Opens and starts a stream; throws NoDeviceError or audify's error. */
  open(request: OpenRequest): OpenedStream;
}

/**
 * The devices an API lists, from a fresh instance: a long-lived one keeps stale "default"
 * flags. Empty when the API fails (e.g. no server).
 */
export function listWith(audify: AudifyModule, api: number): RtDeviceInfo[] {
  try {
    return new audify.RtAudio(api).getDevices();
  } catch {
    return [];
  }
}

export function toSnapshot(devices: readonly RtDeviceInfo[], hideInput: (name: string) => boolean): DeviceSnapshot {
  const inputs: ListedDevice[] = [];
  const outputs: ListedDevice[] = [];
  for (const d of devices) {
    if (d.outputChannels > 0) {
      outputs.push({ name: d.name, isDefault: Boolean(d.isDefaultOutput), channels: d.outputChannels, hidden: false });
    }
    if (d.inputChannels > 0) {
      inputs.push({ name: d.name, isDefault: Boolean(d.isDefaultInput), channels: d.inputChannels, hidden: hideInput(d.name) });
    }
  }
  return { inputs, outputs };
}

/** Device names match exactly, else ignoring case (a name typed into the config). */
export function findByName<D extends { name: string }>(list: readonly D[], name: string): D | undefined {
  return list.find((d) => d.name === name) ?? list.find((d) => d.name.toLowerCase() === name.toLowerCase());
}

/** The named device (exact, then case-insensitive), or the default one for null. */
export function pickDevice(devices: readonly RtDeviceInfo[], kind: StreamKind, name: string | null): RtDeviceInfo | undefined {
  const usable = devices.filter((d) => (kind === 'playback' ? d.outputChannels : d.inputChannels) > 0);
  if (name !== null) return findByName(usable, name);
  return usable.find((d) => Boolean(kind === 'playback' ? d.isDefaultOutput : d.isDefaultInput)) ?? usable[0];
}

/**
 * Opens one mono 16-bit stream on an instance and starts it; retires the instance on failure.
 * Callbacks reach JS through thread-safe functions, so they run on the main thread. The
 * output callback fires once per frame the audio thread takes from audify's queue; when
 * that queue is empty the card plays silence and no callback comes, so the queue is primed
 * (primeFrames) and every callback writes exactly one frame.
 */
export function openOn(runtime: AudifyRuntime, rt: RtAudioInstance, device: RtDeviceInfo, request: OpenRequest, flags: number): void {
  const params = { deviceId: device.id, nChannels: 1 };
  const playback = request.kind === 'playback';
  try {
    const frames = rt.openStream(
      playback ? params : null,
      playback ? null : params,
      runtime.audify.RtAudioFormat.RTAUDIO_SINT16,
      request.format.sampleRate,
      request.format.frameSamples,
      'LineDesk',
      playback ? null : (request.onInput ?? null),
      playback ? () => request.onOutputFrame?.(rt) : null,
      flags,
      runtime.onError,
    );
    // audify drops every buffer whose size differs from the one it was opened with.
    if (frames !== request.format.frameSamples) {
      throw new Error(`the device wants ${frames}-sample buffers, not ${request.format.frameSamples}`);
    }
    if (playback) for (let i = 0; i < request.primeFrames; i++) request.onOutputFrame?.(rt);
    rt.start();
  } catch (error) {
    runtime.retire(rt);
    throw error;
  }
}
