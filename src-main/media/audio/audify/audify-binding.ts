import { requireAudify } from '../../audify-module.js';

/*
 * A narrow typed view of audify's RtAudio API (audify 1.10.1, RtAudio 6.0.1 behind N-API).
 * Its index.d.ts uses const enums, which do not work with isolatedModules, so the runtime
 * objects are used and checked here once.
 */

export interface RtDeviceInfo {
  id: number;
  name: string;
  outputChannels: number;
  inputChannels: number;
  isDefaultOutput: number | boolean;
  isDefaultInput: number | boolean;
}

export interface RtStreamParameters {
  deviceId: number;
  nChannels: number;
}

export type RtErrorCallback = (type: number, message: string) => void;

export interface RtAudioInstance {
  openStream(
    output: RtStreamParameters | null,
    input: RtStreamParameters | null,
    format: number,
    sampleRate: number,
    frameSize: number,
    streamName: string,
    inputCallback: ((data: Buffer) => void) | null,
    frameOutputCallback: (() => void) | null,
    flags: number,
    errorCallback: RtErrorCallback,
  ): number;
  closeStream(): void;
  start(): void;
  write(pcm: Buffer): void;
  getDevices(): RtDeviceInfo[];
  getStreamLatency(): number;
}

export interface AudifyModule {
  RtAudio: new (api?: number) => RtAudioInstance;
  RtAudioApi: { UNSPECIFIED: number; LINUX_ALSA: number; LINUX_PULSE: number; MACOSX_CORE: number; WINDOWS_WASAPI: number };
  RtAudioFormat: { RTAUDIO_SINT16: number };
  RtAudioStreamFlags: { RTAUDIO_MINIMIZE_LATENCY: number };
}

export type AudifyLoad = { ok: true; audify: AudifyModule } | { ok: false; reason: string };

/**
 * Loads audify (an optional dependency with a native addon: it may be missing, or fail to
 * load on a machine without libasound/libpulse). requireAudify loads it once per process;
 * this only checks its shape. Never throws.
 */
export function loadAudify(): AudifyLoad {
  const required = requireAudify();
  if (!required.ok) return { ok: false, reason: required.reason };
  return isAudifyModule(required.exports)
    ? { ok: true, audify: required.exports }
    : { ok: false, reason: 'the audify module does not have the expected RtAudio API' };
}

function isAudifyModule(m: unknown): m is AudifyModule {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Partial<Record<keyof AudifyModule, unknown>>;
  const api = r.RtAudioApi as Partial<Record<string, unknown>> | undefined;
  const format = r.RtAudioFormat as Partial<Record<string, unknown>> | undefined;
  const flags = r.RtAudioStreamFlags as Partial<Record<string, unknown>> | undefined;
  return (
    typeof r.RtAudio === 'function' &&
    typeof api?.LINUX_PULSE === 'number' &&
    typeof format?.RTAUDIO_SINT16 === 'number' &&
    typeof flags?.RTAUDIO_MINIMIZE_LATENCY === 'number'
  );
}
