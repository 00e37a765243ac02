import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ensurePrivateDir } from '../common/private-files.js';
import type { CommandResult } from '../contract/commands.js';
import { convertRate, readWavFile } from '../media/audio/wav-file.js';
import type { MediaSession, RecordStart } from '../media/media-engine.js';
import { recordingFileName, recordingInside, recordingModeFor } from '../recording/recording-paths.js';
import { sweepRecordings } from '../recording/recording-retention.js';
import type { RecordingMode } from '../recording/recording-types.js';
import { Devices } from './devices-module.js';
import { Media } from './media-module.js';
import type { CoreHost, CoreModule } from './module-api.js';
import { serviceId } from './services.js';

/** Where the recordings are, for the front ends that play them (the dashboard's history). */
export interface RecordingsService {
  /** The recordings folder (absolute). */
  readonly dir: string;
}

export const Recordings = serviceId<RecordingsService>('recordings');

const DAY_MS = 86_400_000;

/**
 * Call recording (docs/recording.md): `recording.mode` (per line: `lines[].recording`) says
 * whether calls are recorded from their first frame (all), at the agent's `record` command
 * (on-demand), or never. The media records both sides into a stereo file in `recording.dir`
 * (0700; files 0600), after the consent message when one is configured; this module names the
 * files, emits `recording.started`/`recording.stopped`, and deletes recordings past
 * `recording.retentionDays` at start and daily.
 */
export const recordingModule: CoreModule = {
  name: 'recording',
  needs: [Media, Devices],
  provides: [Recordings],
  async install(host: CoreHost): Promise<void> {
    const cfg = host.config.recording;
    const log = host.log.child('recording');
    const dir = resolve(host.baseDir, cfg.dir);
    const perLine = new Map<string, RecordingMode | undefined>(host.config.lines.map((l) => [l.id, l.recording]));
    const modeOf = (line: string): RecordingMode => recordingModeFor(line, cfg.mode, perLine);
    const used = host.lineIds().some((l) => modeOf(l) !== 'off');
    host.services.provide(Recordings, { dir });
    const refuse = (why: string): CommandResult => ({ ok: false, error: why });
    host.commands.register('recording.get', (c) => playable(dir, c.file));
    if (!used) {
      host.commands.register('record', () => refuse('recording is off (recording.mode)'));
      return;
    }
    ensurePrivateDir(dir);
    const consent = cfg.consent ? await loadConsent(resolve(host.baseDir, cfg.consent), host.services.get(Devices).devices.format.sampleRate) : undefined;

    // Retention: at start (which also repairs WAVs a crash left open), then daily.
    const active = new Map<string, { file: string; line: string }>();
    const sweep = async (repair: boolean): Promise<void> => {
      const r = await sweepRecordings(dir, cfg.retentionDays, host.clock.wallNow(), { repair, skip: new Set([...active.values()].map((a) => a.file)) });
      if (r.deleted.length > 0) log.info(`deleted ${r.deleted.length} recording(s) older than ${cfg.retentionDays} days`);
      if (r.repaired.length > 0) log.warn(`repaired ${r.repaired.length} recording(s) an earlier run left unfinished`, { files: r.repaired });
      for (const f of r.failed) log.warn(`could not sweep ${f.file}: ${f.error}`);
    };
    await sweep(true);
    const daily = host.clock.setInterval(() => void sweep(false).catch((error: unknown) => log.error('the recordings sweep failed', { error })), DAY_MS);
    host.onClose(() => daily.cancel());

    const startFor = (callId: string, line: string, withConsent = true): RecordStart => {
      const file = resolve(dir, recordingFileName(host.clock.wallNow(), line, callId, cfg.format));
      // Known from now on (a second `record` gets this file), until the media says it is closed.
      active.set(callId, { file, line });
      let announced = false;
      return {
        request: { file, format: cfg.format, ...(consent && withConsent ? { consent } : {}) },
        listener: {
          started: (f) => {
            active.set(callId, { file: f, line });
            // A re-opened media (its worker died) carries on in the same file: one event.
            if (announced) return;
            announced = true;
            host.emit({ event: 'recording.started', call: callId, line, file: f });
          },
          stopped: (f, error) => {
            if (active.get(callId)?.file === f) active.delete(callId);
            if (error) log.warn(`the recording of call ${callId} stopped: ${error}`);
            // A recording whose file never opened was never announced: only its failure is news.
            if (!announced && !error) return;
            host.emit({ event: 'recording.stopped', call: callId, line, file: f, ...(error ? { error } : {}) });
          },
        },
      };
    };
    const engine = host.services.get(Media).engine;
    // An outbound call's media opens with its INVITE and may carry early media (ringback):
    // its consent waits for the answer. An inbound call's media opens as it is answered.
    const consentAtAnswer = new Set<string>();
    engine.recordAtOpen = (req) => {
      if (modeOf(req.line) !== 'all') return undefined;
      const outbound = host.calls.get(req.callId)?.direction === 'outbound';
      if (outbound && consent) consentAtAnswer.add(req.callId);
      return startFor(req.callId, req.line, !outbound);
    };
    host.events.on('event', (e) => {
      if (e.event === 'call.answered' && consent && consentAtAnswer.delete(e.call)) host.calls.get(e.call)?.media?.playConsent?.(consent);
      else if (e.event === 'call.ended') consentAtAnswer.delete(e.call);
    });

    host.commands.register('record', (c) => {
      const call = c.call !== undefined ? host.calls.get(c.call) : c.line !== undefined ? host.calls.activeOn(c.line) : undefined;
      if (c.call === undefined && c.line === undefined) return refuse('record needs a line or a call');
      if (!call || call.isEnded) return refuse(c.call !== undefined ? `no call ${c.call}` : `line ${c.line} has no active call`);
      const line = call.line ?? c.line ?? '';
      if (modeOf(line) === 'off') return refuse(`recording is off on line ${line}`);
      const media: MediaSession | undefined = call.media;
      if (!media?.record) return refuse(`call ${call.id} has no media to record`);
      const now = active.get(call.id);
      if (!c.on) {
        if (!now) return refuse(`call ${call.id} is not being recorded`);
        media.record(null);
        return { ok: true, value: { call: call.id, file: now.file } };
      }
      if (now) return { ok: true, value: { call: call.id, file: now.file } };
      const start = startFor(call.id, line);
      media.record(start.request, start.listener);
      return { ok: true, value: { call: call.id, file: start.request.file } };
    });
  },
};

/** A recording's bytes for a window to play; only LineDesk's recordings directly in the folder (recordingInside). */
async function playable(dir: string, name: string): Promise<CommandResult> {
  const file = await recordingInside(dir, name);
  if (!file) return { ok: false, error: 'not a recording of this desk' };
  const { size } = await stat(file);
  if (size > MAX_PLAYABLE_BYTES) return { ok: false, error: `the recording is too large to play here (${Math.round(size / 1e6)} MB); open ${file}` };
  const data = await readFile(file);
  return { ok: true, value: { file, mime: file.endsWith('.opus') ? 'audio/ogg; codecs=opus' : 'audio/wav', data: data.toString('base64') } };
}

/** The largest recording a window is sent whole (about 30 min of 8 kHz WAV, many hours of Opus). */
const MAX_PLAYABLE_BYTES = 64 * 1024 * 1024;

/** The consent WAV at every rate the media may run at, on SharedArrayBuffers (media workers share them). */
async function loadConsent(file: string, deviceRate: number | undefined): Promise<Array<readonly [number, Int16Array]>> {
  let pcm: { samples: Int16Array; sampleRate: number };
  try {
    pcm = await readWavFile(file);
  } catch (error) {
    throw new Error(`recording.consent: cannot play ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const out: Array<readonly [number, Int16Array]> = [];
  for (const rate of new Set([8_000, 16_000, 48_000, ...(deviceRate ? [deviceRate] : [])])) {
    try {
      const converted = convertRate(pcm.samples, pcm.sampleRate, rate);
      const shared = new Int16Array(new SharedArrayBuffer(converted.length * 2));
      shared.set(converted);
      out.push([rate, shared]);
    } catch {
      // A rate the file cannot be converted to: the media uses another one it has.
    }
  }
  if (out.length === 0) throw new Error(`recording.consent: ${file} cannot be converted to the media's rates`);
  return out;
}
