import type { AudifyRuntime } from './audify-runtime.js';
import { NoDeviceError, listWith, openOn, pickDevice, toSnapshot, type AudioHost, type DeviceSnapshot, type OpenRequest, type OpenedStream } from './audio-host.js';
import { isPulseMonitor, noShm, withEnv } from './pulse-env.js';

/**
 * Linux, PulseAudio API (also PipeWire's pipewire-pulse): devices by their description, as in
 * the desktop's sound settings. RtAudio's Pulse API opens playback without buffer attributes,
 * and the server then buffers ~140 ms; libpulse honours PULSE_LATENCY_MSEC for every stream
 * it connects, so it is set for the duration of openStream (which connects synchronously).
 */
export class PulseHost implements AudioHost {
  readonly backend = 'pulse';

  constructor(
    private readonly runtime: AudifyRuntime,
    private readonly pulseLatencyMs: number,
  ) {}

  list(): DeviceSnapshot {
    const audify = this.runtime.audify;
    return toSnapshot(listWith(audify, audify.RtAudioApi.LINUX_PULSE), isPulseMonitor);
  }

  open(request: OpenRequest): OpenedStream {
    const audify = this.runtime.audify;
    const rt = new audify.RtAudio(audify.RtAudioApi.LINUX_PULSE);
    const device = pickDevice(rt.getDevices(), request.kind, request.name);
    if (!device) throw new NoDeviceError(`no ${request.kind} device ${request.name ?? '(default)'}`);
    // Capture already asks for one-frame fragments; only playback needs the latency override.
    const env = { ...noShm(), ...(request.kind === 'playback' ? { PULSE_LATENCY_MSEC: String(this.pulseLatencyMs) } : {}) };
    withEnv(env, () => openOn(this.runtime, rt, device, request, 0));
    const frameMs = (request.format.frameSamples * 1000) / request.format.sampleRate;
    return { rt, device: device.name, deviceLatencyMs: request.kind === 'playback' ? this.pulseLatencyMs : frameMs };
  }
}
