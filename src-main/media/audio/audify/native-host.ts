import type { AudioFormat } from '../audio-device.js';
import type { RtAudioInstance } from './audify-binding.js';
import type { AudifyRuntime } from './audify-runtime.js';
import { NoDeviceError, listWith, openOn, pickDevice, toSnapshot, type AudioHost, type DeviceSnapshot, type OpenRequest, type OpenedStream } from './audio-host.js';

/**
 * Windows (WASAPI) and macOS (CoreAudio): the platform's API, devices by their own names.
 * No RTAUDIO_MINIMIZE_LATENCY: on CoreAudio it replaces the frame size with the device's
 * minimum, and audify then drops every buffer. (Untested here: no such machine.)
 */
export class NativeHost implements AudioHost {
  constructor(
    private readonly runtime: AudifyRuntime,
    private readonly api: number,
    readonly backend: string,
  ) {}

  list(): DeviceSnapshot {
    return toSnapshot(listWith(this.runtime.audify, this.api), () => false);
  }

  open(request: OpenRequest): OpenedStream {
    const rt = new this.runtime.audify.RtAudio(this.api);
    const device = pickDevice(rt.getDevices(), request.kind, request.name);
    if (!device) throw new NoDeviceError(`no ${request.kind} device ${request.name ?? '(default)'}`);
    openOn(this.runtime, rt, device, request, 0);
    return { rt, device: device.name, deviceLatencyMs: streamLatencyMs(rt, request.format) };
  }
}

function streamLatencyMs(rt: RtAudioInstance, format: AudioFormat): number {
  try {
    return (rt.getStreamLatency() * 1000) / format.sampleRate;
  } catch {
    return 0;
  }
}
