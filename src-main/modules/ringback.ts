import type { SelectedDevices } from '../contract/control-events.js';
import type { AudioDevices } from '../media/audio/audio-device.js';
import { Ringer } from '../media/audio/ringer.js';
import type { CoreHost } from './module-api.js';

/** Quieter than the ringer: it plays in the agent's ear. */
const RINGBACK_LEVEL_DBFS = -20;

/**
 * The ringback tone in the agent's headset while a call they dialled rings at the far end
 * (180 Ringing, 181, 182, also when the 180 had no Contact, as Linphone sends it), on the
 * line's own headset (device-mode lines only). It stops on 183 Session Progress, when the
 * PBX plays its own ringback or an announcement as early media, and on answer or end.
 */
export function playRingback(host: CoreHost, devices: AudioDevices, selected: SelectedDevices): void {
  const playing = new Map<string, Ringer>();
  /** Calls whose PBX sent 183: its early media is the ringback from then on. */
  const early = new Set<string>();
  const headsetOf = (line: string): string | null | undefined => {
    const l = host.config.lines.find((x) => x.id === line);
    if (!l || (l.media?.mode ?? (l.autoAnswerMs !== undefined ? 'echo' : 'device')) !== 'device') return undefined;
    return selected.perLine[line]?.headset ?? l.media?.headset ?? selected.headset;
  };
  const stop = (call: string): void => {
    playing.get(call)?.stop();
    playing.delete(call);
  };
  host.events.on('event', (e) => {
    if (e.event === 'call.progress') {
      if (e.code === 183) {
        early.add(e.call);
        return stop(e.call);
      }
      if (playing.has(e.call) || early.has(e.call) || !host.isAgentLine(e.line)) return;
      const headset = headsetOf(e.line);
      if (headset === undefined) return;
      const ringer = new Ringer({ devices, device: headset, levelDbfs: RINGBACK_LEVEL_DBFS, logger: host.log.child('ringback') });
      playing.set(e.call, ringer);
      ringer.start();
    } else if (e.event === 'call.answered' || e.event === 'call.ended') {
      stop(e.call);
      early.delete(e.call);
    }
  });
  host.onStop(() => {
    for (const call of [...playing.keys()]) stop(call);
  });
}
