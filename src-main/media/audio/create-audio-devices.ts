import { systemClock, type Clock } from '../../common/clock.js';
import { silentLogger, type Logger } from '../../common/logger.js';
import type { AudioDevices } from './audio-device.js';
import { createAudifyDevices, type AudifyDevicesOptions } from './audify-devices.js';
import { linuxHasSoundCards } from './audify/alsa-host.js';
import { NullAudioDevices } from './null-devices.js';

/** The config value `media.audio`. */
export type AudioBackendChoice = 'auto' | 'pulse' | 'alsa' | 'null';

/**
 * The sound card settings for calls, chosen for latency (issue 13; `npm run bench -- latency`
 * measures each part): 10 ms frames, 30 ms queued ahead in audify (how long the main thread,
 * where headset calls render, may stall before the card plays a gap) and a 20 ms PulseAudio
 * playback buffer. 20 ms queued and 10 ms in PulseAudio were ~10 ms quicker but left gaps
 * in the tone tests on this 2-core machine.
 */
export const CALL_AUDIO = { frameMs: 10, queueMs: 30, pulseLatencyMs: 20 } as const;

export interface AudioBackendOptions {
  frameMs?: 10 | 20;
  clock?: Clock;
  logger?: Logger;
  /** Passed to the audify backend (latency tuning, re-list period). */
  audify?: Omit<AudifyDevicesOptions, 'frameMs' | 'clock' | 'logger' | 'linuxApi'>;
}

export interface CreatedAudioDevices {
  devices: AudioDevices;
  /** Why this backend, for the log and the settings window. */
  note: string;
}

/**
 * Picks the sound-card backend.
 * - 'auto': audify when it loads and sees at least one device (on Linux through PulseAudio,
 *   or plain ALSA when there is no sound server but there are cards), else the null backend.
 * - 'pulse' / 'alsa': that Linux API (on Windows and macOS audify uses WASAPI / CoreAudio).
 *   Kept even with no device yet: streams run on a timer until one appears.
 * - 'null': no sound card, frames timed by a timer.
 * Whatever was asked, when audify cannot load the null backend is used; the note says why.
 */
export function createAudioDevices(choice: AudioBackendChoice, options: AudioBackendOptions = {}): CreatedAudioDevices {
  const frameMs = options.frameMs ?? CALL_AUDIO.frameMs;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const nullDevices = (): AudioDevices =>
    new NullAudioDevices({
      clock,
      format: { sampleRate: 48000, frameSamples: 48 * frameMs },
      onCallbackError: (error) => logger.error('audio callback threw', { error: String(error) }),
    });

  if (choice === 'null') return { devices: nullDevices(), note: "media.audio is 'null': no sound card, frames are timer-driven" };

  const audify = (linuxApi: 'pulse' | 'alsa') =>
    createAudifyDevices({ queueMs: CALL_AUDIO.queueMs, pulseLatencyMs: CALL_AUDIO.pulseLatencyMs, ...options.audify, frameMs, clock, logger, linuxApi });
  const first = audify(choice === 'alsa' ? 'alsa' : 'pulse');
  if (!first.ok) return { devices: nullDevices(), note: `${first.reason}; using no sound card (timer-driven)` };

  let devices = first.devices;
  let count = countDevices(devices);
  if (count === 0 && choice === 'auto' && process.platform === 'linux' && linuxHasSoundCards()) {
    devices.close();
    const alsa = audify('alsa');
    if (alsa.ok) {
      devices = alsa.devices;
      count = countDevices(devices);
    }
  }
  if (count === 0) {
    if (choice === 'auto') {
      devices.close();
      return { devices: nullDevices(), note: `audify (${devices.backend}) sees no audio device; using no sound card (timer-driven)` };
    }
    return { devices, note: `audify (${devices.backend}) sees no audio device yet; streams run on a timer until one appears` };
  }
  const { inputs, outputs } = devices.list();
  const other = choice !== 'auto' && choice !== devices.backend ? ` ('${choice}' does not apply on ${process.platform})` : '';
  return { devices, note: `audify (${devices.backend}): ${outputs.length} output(s), ${inputs.length} input(s)${other}` };
}

function countDevices(devices: AudioDevices): number {
  const { inputs, outputs } = devices.list();
  return inputs.length + outputs.length;
}
