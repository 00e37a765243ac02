import { availableParallelism } from 'node:os';
import { availableCodecs } from '../media/codec/create-codec.js';
import { loadServiceFiles } from '../media/audio/service-files.js';
import type { MediaEncryption } from '../contract/vocabulary.js';
import type { MediaEngine } from '../media/media-engine.js';
import { offerProblem, type OfferRefusal } from '../media/sdp/negotiate.js';
import { RtpMediaEngine, type LineMedia } from '../media/rtp-media-engine.js';
import { MediaPlacement } from '../media/media-placement.js';
import { WorkerMediaEngine } from '../media/worker/worker-media-engine.js';
import { Devices } from './devices-module.js';
import type { CoreHost, CoreModule } from './module-api.js';
import { serviceId } from './services.js';

export interface MediaService {
  readonly engine: MediaEngine;
  /** Counters for `status`. */
  stats(): { calls: number; lateFrames: number };
  /**
   * The media worker threads' heaps, bytes (after a full collection in each when `gc` and Node
   * runs with --expose-gc); undefined when media runs on the main thread.
   */
  workersHeapUsed(gc: boolean): Promise<number | undefined>;
  /**
   * Why a remote SDP offer could not be answered under `encryption` (codecs, address family,
   * SRTP), or undefined when it could: checked when an INVITE arrives, before it rings.
   */
  checkOffer(sdp: string, encryption: MediaEncryption): OfferRefusal | undefined;
}

export const Media = serviceId<MediaService>('media');

/**
 * Plain RTP media for every call: the codecs that can run here, the media address, the WAV
 * of each file line (read once), and how each line's calls get their audio (the headset
 * and microphone chosen for the line or by default, or a service mode).
 */
export const mediaModule: CoreModule = {
  name: 'media',
  needs: [Devices],
  provides: [Media],
  async install(host: CoreHost): Promise<void> {
    const { config } = host;
    const { devices, selected } = host.services.get(Devices);
    const codecs = availableCodecs(config.media.codecs);
    if (codecs.length === 0) throw new Error(`none of the configured codecs (${config.media.codecs.join(', ')}) can run here`);
    const address = config.media.address ?? host.localAddress;
    const lineMedia = (id: string): LineMedia => {
      const l = config.lines.find((x) => x.id === id);
      const m = l?.media ?? {};
      const mode = m.mode ?? (l?.autoAnswerMs !== undefined ? 'echo' : 'device');
      const chosen = selected.perLine[id] ?? {};
      return { mode, headset: chosen.headset ?? m.headset ?? selected.headset, microphone: chosen.microphone ?? m.microphone ?? selected.microphone };
    };
    const options = {
      address,
      ports: { min: config.media.rtpPortMin, max: config.media.rtpPortMax },
      codecs,
      symmetricRtp: config.media.symmetricRtp,
      jitter: { minDelayMs: config.media.jitterMinMs, maxDelayMs: config.media.jitterMaxMs },
      rtpTimeoutMs: config.media.rtpTimeoutSeconds * 1000,
      // Converted once, here, to the rate of every codec in use (not per call, not in a media tick).
      serviceFiles: await loadServiceFiles(config.lines, host.baseDir),
      devices,
      clock: host.clock,
      log: host.log.child('media'),
      lineMedia,
    };
    // Media off the SIP thread: one worker per core by default; 0 keeps it on the main thread.
    // Headset calls stay on the main thread unless asked (media-placement.ts says why).
    const workers = config.media.workers ?? availableParallelism();
    const local = new RtpMediaEngine(options);
    host.onClose(() => local.close());
    let engine: RtpMediaEngine | MediaPlacement = local;
    let pool: WorkerMediaEngine | undefined;
    if (workers > 0) {
      const started = new WorkerMediaEngine({ ...options, workers });
      try {
        await started.start();
      } catch (error) {
        await started.shutdown();
        throw error;
      }
      pool = started;
      host.onClose(() => started.shutdown());
      engine = new MediaPlacement(local, started, (line) => !config.media.deviceCallsInWorkers && lineMedia(line).mode === 'device');
    }
    host.services.provide(Media, {
      engine,
      stats: () => engine.stats(),
      workersHeapUsed: (gc) => (pool ? (gc ? pool.gc() : Promise.resolve(pool.workersHeapUsed)) : Promise.resolve(undefined)),
      // The same check the answer makes; the port is a placeholder (no port is bound for it).
      checkOffer: (sdp, encryption) => offerProblem(sdp, { address, rtpPort: config.media.rtpPortMin, codecs, encryption, telephoneEvent: true }),
    });
  },
};
