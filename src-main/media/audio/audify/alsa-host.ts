import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Logger } from '../../../common/logger.js';
import type { RtDeviceInfo } from './audify-binding.js';
import type { AudifyRuntime } from './audify-runtime.js';
import {
  NoDeviceError,
  listWith,
  openOn,
  pickDevice,
  toSnapshot,
  type AudioHost,
  type DeviceSnapshot,
  type OpenRequest,
  type OpenedStream,
  type StreamKind,
} from './audio-host.js';
import { isPulseMonitor, noShm, withEnv } from './pulse-env.js';

/**
 * Linux, ALSA API. With a PulseAudio server, devices are still listed (and named) by the
 * Pulse API, and a stream is opened on ALSA's `pulse` PCM with PULSE_SINK / PULSE_SOURCE set
 * to the device's PulseAudio name, and RTAUDIO_MINIMIZE_LATENCY. Without a server, the ALSA
 * devices themselves are listed and opened.
 */
export class AlsaHost implements AudioHost {
  readonly backend = 'alsa';

  constructor(
    private readonly runtime: AudifyRuntime,
    private readonly logger: Logger,
  ) {}

  list(): DeviceSnapshot {
    const audify = this.runtime.audify;
    const viaPulse = listWith(audify, audify.RtAudioApi.LINUX_PULSE);
    if (viaPulse.length > 0) return toSnapshot(viaPulse, isPulseMonitor);
    // Without cards, probing ALSA only makes libasound print errors on stderr.
    if (!linuxHasSoundCards()) return { inputs: [], outputs: [] };
    return toSnapshot(listWith(audify, audify.RtAudioApi.LINUX_ALSA), () => false);
  }

  open(request: OpenRequest): OpenedStream {
    const audify = this.runtime.audify;
    const flags = audify.RtAudioStreamFlags.RTAUDIO_MINIMIZE_LATENCY;
    const pulseDevices = listWith(audify, audify.RtAudioApi.LINUX_PULSE);
    const rt = new audify.RtAudio(audify.RtAudioApi.LINUX_ALSA);
    const alsaDevices = rt.getDevices();
    let shownName: string;
    let alsaDevice: RtDeviceInfo | undefined;
    let env: Record<string, string | undefined> = noShm();
    if (pulseDevices.length > 0) {
      const chosen = pickDevice(pulseDevices, request.kind, request.name);
      if (!chosen) throw new NoDeviceError(`no ${request.kind} device ${request.name ?? '(default)'}`);
      shownName = chosen.name;
      alsaDevice = pickPulsePcm(alsaDevices, request.kind);
      // The server's default needs no routing (and so works without pactl).
      const isDefault = Boolean(request.kind === 'playback' ? chosen.isDefaultOutput : chosen.isDefaultInput);
      if (!isDefault) {
        const pulseName = pulseNameOf(request.kind, chosen.name, this.logger);
        if (pulseName === undefined) throw new NoDeviceError(`no PulseAudio name for "${chosen.name}" (is pactl installed?)`);
        env = { ...env, ...(request.kind === 'playback' ? { PULSE_SINK: pulseName } : { PULSE_SOURCE: pulseName }) };
      }
    } else {
      alsaDevice = pickDevice(alsaDevices, request.kind, request.name);
      shownName = alsaDevice?.name ?? '';
    }
    if (!alsaDevice) throw new NoDeviceError(`no ALSA ${request.kind} device ${request.name ?? '(default)'}`);
    const device = alsaDevice;
    withEnv(env, () => openOn(this.runtime, rt, device, request, flags));
    // Two ALSA periods of one frame (RTAUDIO_MINIMIZE_LATENCY) plus the plugin's own
    // buffering: about three frames, as measured with the test harness.
    const frameMs = (request.format.frameSamples * 1000) / request.format.sampleRate;
    return { rt, device: shownName, deviceLatencyMs: request.kind === 'playback' ? 3 * frameMs : frameMs };
  }
}

/** Whether the kernel knows any sound card (/proc/asound/cards). */
export function linuxHasSoundCards(): boolean {
  try {
    const cards = readFileSync('/proc/asound/cards', 'utf8');
    return cards.trim() !== '' && !cards.includes('no soundcards');
  } catch {
    return false;
  }
}

/** ALSA's PCM that goes to PulseAudio: "PulseAudio Sound Server" (`pulse`), else the default. */
function pickPulsePcm(devices: readonly RtDeviceInfo[], kind: StreamKind): RtDeviceInfo | undefined {
  const usable = devices.filter((d) => (kind === 'playback' ? d.outputChannels : d.inputChannels) > 0);
  return usable.find((d) => /pulse/i.test(d.name)) ?? pickDevice(devices, kind, null);
}

/** The PulseAudio name (e.g. "headset") of a sink or source shown by its description. */
function pulseNameOf(kind: StreamKind, description: string, logger: Logger): string | undefined {
  const what = kind === 'playback' ? 'sinks' : 'sources';
  const run = (args: string[]): string =>
    execFileSync('pactl', args, {
      encoding: 'utf8',
      timeout: 2000,
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, LC_ALL: 'C' },
    });
  try {
    const parsed: unknown = JSON.parse(run(['-f', 'json', 'list', what]));
    if (Array.isArray(parsed)) {
      for (const entry of parsed as Array<{ name?: unknown; description?: unknown }>) {
        if (entry.description === description && typeof entry.name === 'string') return entry.name;
      }
      return undefined;
    }
  } catch {
    // pactl before PulseAudio 16 has no JSON output: read the text form below
  }
  try {
    let name: string | undefined;
    for (const line of run(['list', what]).split('\n')) {
      const n = /^\s*Name: (.*)$/.exec(line);
      if (n) name = n[1];
      const d = /^\s*Description: (.*)$/.exec(line);
      if (d && d[1] === description) return name;
    }
  } catch (error) {
    logger.warn('pactl failed; cannot route the ALSA stream by name', { error: String(error) });
  }
  return undefined;
}
