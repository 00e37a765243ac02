import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { AudioDevices } from './audio/audio-device.js';
import { AudioRouter } from './audio-router.js';
import { CallMedia, type MediaMode } from './call-media.js';
import type { MediaEngine, MediaRequest, MediaSession, RecordStart } from './media-engine.js';
import { MediaTicker, SERVICE_TICK_MS } from './media-ticker.js';
import { serviceFilesByRate, type ServiceFile } from './audio/service-files.js';
import { codecSampleRate } from './codec/create-codec.js';
import { bindRtpPortPair, type PortRange } from './rtp/rtp-port-pair.js';
import type { AudioCodecName } from './sdp/codecs.js';

/** How one line's calls get their audio. */
export interface LineMedia {
  mode: MediaMode;
  headset: string | null;
  microphone: string | null;
}

export interface RtpMediaEngineOptions {
  address: string;
  ports: PortRange;
  codecs: readonly AudioCodecName[];
  symmetricRtp: boolean;
  jitter: { minDelayMs: number; maxDelayMs: number };
  /** A call ends as failed after this long with nothing from the far end while its audio is expected; 0/absent: never. */
  rtpTimeoutMs?: number;
  /** The WAV of each "file" service line, by line id, at the file's own rate. */
  serviceFiles?: ReadonlyMap<string, ServiceFile>;
  /** The sound card; device-mode calls fall back to listening when there is none. */
  devices: AudioDevices | undefined;
  clock: Clock;
  log: Logger;
  /** How a line's calls get their audio (read at each call's start: device choices may change). */
  lineMedia(lineId: string): LineMedia;
}

/**
 * Plain RTP media for every call of every line: binds a port pair per call, builds its
 * CallMedia, and connects it to the sound card (agent lines) or to a frame ticker
 * (service lines).
 */
export class RtpMediaEngine implements MediaEngine {
  readonly router: AudioRouter | undefined;
  readonly ticker: MediaTicker;
  recordAtOpen: ((request: MediaRequest) => RecordStart | undefined) | undefined;
  /** Open calls' media, for close() and the counters. */
  readonly #open = new Set<CallMedia>();
  /** Service files by line, converted here once to every codec sample rate in use (rate → PCM). */
  readonly #files: ReadonlyMap<string, ReadonlyMap<number, Int16Array>>;

  /** Throws when a service file cannot be converted to a codec's rate (the message names the line). */
  constructor(private readonly o: RtpMediaEngineOptions) {
    this.#files = serviceFilesByRate(o.serviceFiles ?? new Map(), o.codecs.map(codecSampleRate));
    this.router = o.devices ? new AudioRouter(o.devices, o.log.child('audio')) : undefined;
    this.ticker = new MediaTicker(o.clock, SERVICE_TICK_MS, o.log.child('ticker'));
  }

  async open(request: MediaRequest): Promise<MediaSession> {
    const pair = await bindRtpPortPair(this.o.address, this.o.ports);
    const { callId, line } = request;
    const lm = this.o.lineMedia(line);
    const mode: MediaMode = lm.mode === 'device' && !this.router ? 'listen' : lm.mode;
    const file = this.#files.get(line);
    const media: CallMedia = new CallMedia({
      callId,
      address: this.o.address,
      pair,
      codecs: this.o.codecs,
      mode,
      ...(file ? { file } : {}),
      deviceRate: this.o.devices?.format.sampleRate ?? 48_000,
      clock: this.o.clock,
      log: this.o.log.child(callId),
      symmetricRtp: this.o.symmetricRtp,
      ...(request.signallingPeerIp ? { signallingPeerIp: request.signallingPeerIp } : {}),
      encryption: request.encryption ?? 'off',
      jitter: this.o.jitter,
      rtpTimeoutMs: this.o.rtpTimeoutMs ?? 0,
      attachDevice: (client) => this.router!.attach(client, lm.headset, lm.microphone),
      subscribeTicker: (tick) => this.ticker.subscribe(tick),
      on: { ...request.on, closed: () => this.#open.delete(media) },
    });
    this.#open.add(media);
    const rec = this.recordAtOpen?.(request);
    if (rec) media.record(rec.request, rec.listener);
    return media;
  }

  /** Counters for monitoring and benchmarks. */
  stats(): { calls: number; lateFrames: number } {
    return { calls: this.#open.size, lateFrames: this.ticker.lateFrames };
  }

  close(): void {
    for (const media of [...this.#open]) media.close();
    this.router?.close();
  }
}
