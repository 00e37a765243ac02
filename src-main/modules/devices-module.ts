import type { SelectedDevices } from '../contract/control-events.js';
import type { AudioDevices } from '../media/audio/audio-device.js';
import { createAudioDevices } from '../media/audio/create-audio-devices.js';
import { playTestTone, Ringer } from '../media/audio/ringer.js';
import { resolve as resolvePath } from 'node:path';
import type { CoreHost, CoreModule } from './module-api.js';
import { playRingback } from './ringback.js';
import { serviceId } from './services.js';

/** The sound card, the ringer, and which devices the agent chose (mutated by devices.set; media reads it per call). */
export interface DevicesService {
  readonly devices: AudioDevices;
  readonly ringer: Ringer;
  readonly selected: SelectedDevices;
}

export const Devices = serviceId<DevicesService>('devices');

/**
 * The sound card as the agent sees it: list and choose devices, test them, ring while a
 * call rings on an agent line, and report a headset that vanished mid-call.
 */
export const devicesModule: CoreModule = {
  name: 'devices',
  provides: [Devices],
  async install(host: CoreHost): Promise<void> {
    const { config } = host;
    const { devices, note } = createAudioDevices(config.media.audio, { clock: host.clock, logger: host.log.child('audio') });
    host.log.info(`sound card: ${note}`);
    const selected: SelectedDevices = { headset: config.media.headset ?? null, microphone: config.media.microphone ?? null, ringer: config.media.ringer ?? null, perLine: {} };
    const ringerOptions = { devices, device: selected.ringer, logger: host.log.child('ringer') };
    let ringer: Ringer;
    try {
      ringer = config.media.ringtone ? await Ringer.withWavFile(ringerOptions, resolvePath(host.baseDir, config.media.ringtone)) : new Ringer(ringerOptions);
    } catch (error) {
      devices.close();
      throw error;
    }
    registerDeviceCommands({ host, devices, ringer, selected });
    playRingback(host, devices, selected);
    host.services.provide(Devices, { devices, ringer, selected });
  },
};

export interface DeviceDeps {
  host: CoreHost;
  devices: AudioDevices;
  ringer: Ringer;
  /** Current selection: defaults and per-line choices (mutated by devices.set; media reads it per call). */
  selected: SelectedDevices;
}

/** devices.list / devices.set / devices.test, the ringer following the offers, device.lost. */
export function registerDeviceCommands(d: DeviceDeps): void {
  const { host, devices, ringer, selected } = d;
  const answer = (id?: string) => {
    const { inputs, outputs } = devices.list();
    const e = { event: 'devices' as const, inputs, outputs, selected: structuredClone(selected), ...(id ? { id } : {}) };
    host.emit(e);
    return { ok: true as const, value: e };
  };
  host.commands.register('devices.list', (c) => answer(c.id));
  host.commands.register('devices.set', (c) => {
    const { inputs, outputs } = devices.list();
    const wanted: [kind: 'input' | 'output', name: string | null | undefined, list: { name: string }[]][] = [
      ['output', c.headset, outputs],
      ['output', c.ringer, outputs],
      ['input', c.microphone, inputs],
    ];
    const unknown = wanted.find(([, name, list]) => typeof name === 'string' && !list.some((x) => x.name === name));
    if (unknown) return { ok: false, error: `no ${unknown[0]} device named "${unknown[1] ?? ''}"` };
    if (c.line && !host.lineIds().includes(c.line)) return { ok: false, error: `no line "${c.line}"` };
    const kinds = ['headset', 'microphone', 'ringer'] as const;
    if (c.line) {
      // null drops the line's own choice: it follows the default again.
      const own = (selected.perLine[c.line] ??= {});
      for (const k of kinds) {
        const name = c[k];
        if (name === null) delete own[k];
        else if (name !== undefined) own[k] = name;
      }
    } else {
      // null: the system default.
      for (const k of kinds) {
        const name = c[k];
        if (name !== undefined) selected[k] = name;
      }
      if (c.ringer !== undefined) ringer.setDevice(c.ringer);
    }
    return answer(c.id);
  });
  host.commands.register('devices.test', async (c) => {
    const name = c.device === 'ringer' ? selected.ringer : selected.headset;
    await playTestTone(devices, name);
    return { ok: true };
  });

  // Ring while at least one call rings on an agent line (service lines answer by themselves).
  const ringing = new Set<string>();
  const update = (): void => (ringing.size > 0 ? ringer.start() : ringer.stop());
  host.events.on('event', (e) => {
    if (e.event === 'call.offered' && host.isAgentLine(e.line)) ringing.add(`${e.call}@${e.line}`);
    else if (e.event === 'call.offer.ended' || (e.event === 'call.answered' && e.line)) ringing.delete(`${e.call}@${e.line}`);
    else if (e.event === 'call.ended') for (const k of [...ringing]) if (k.startsWith(`${e.call}@`)) ringing.delete(k);
    else return;
    update();
  });
  devices.events.on('fallback', (_kind, lost, fallback) => host.emit({ event: 'device.lost', device: lost, fallback }));
  host.onStop(() => ringer.stop());
  host.onClose(() => devices.close());
}
