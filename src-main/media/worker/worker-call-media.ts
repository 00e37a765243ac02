import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { MediaEncryption } from '../../contract/vocabulary.js';
import type { MediaMode } from '../call-media.js';
import { isDtmfSymbol } from '../dtmf/rfc4733.js';
import type { MediaRequest, MediaSession, RecordStart } from '../media-engine.js';
import type { ConsentPcm, RecordListener, RecordRequest } from '../../recording/recording-types.js';
import { repairOgg } from '../../recording/ogg-repair.js';
import { repairWav } from '../../recording/wav-header.js';
import type { AudioCodecName } from '../sdp/codecs.js';
import { compareNegotiated, type Negotiated, type NegotiationChanges } from '../sdp/negotiate.js';
import { srtpKeyId } from '../srtp/call-srtp.js';
import type { SrtpSuiteName } from '../srtp/srtp-suites.js';
import type { DeviceBridge } from './device-bridge.js';
import { toWire, type FromWorker, type ToWorker } from './media-protocol.js';
import type { MediaWorker } from './media-worker.js';

/** What a call's proxy needs from the engine. */
export interface WorkerCallMediaOptions {
  id: number;
  request: MediaRequest;
  mode: MediaMode;
  address: string;
  codecs: readonly AudioCodecName[];
  ports: { min: number; max: number };
  /** Ports released lately by any worker. */
  recentPorts(): number[];
  /** A worker for the call (the least loaded one alive). */
  pick(): Promise<MediaWorker>;
  /** Device mode: the PCM rings, and connecting them to the sound card (returns the detach function). */
  device?: { bridge: DeviceBridge; attach(): () => void };
  clock: Clock;
  log: Logger;
  /** The media is gone for good (closed, or failed): the engine stops counting it. */
  gone(proxy: WorkerCallMedia, port: number | undefined): void;
  /** A recording to start with the media. */
  record?: RecordStart;
  /** Its recording's file is closed (it may come after `gone`). */
  recordingOver?(proxy: WorkerCallMedia): void;
}

/** After a re-open, a second death of its worker within this time ends the call instead (a crash loop). */
const REOPEN_GUARD_MS = 60_000;

/**
 * A call's media as the main thread holds it while the media itself runs in a worker: the
 * MediaSession the SDH and the Call drive (its calls become messages to the worker; quality and
 * RFC 4733 digits come back), with the state the call reads kept here (what was negotiated,
 * mute, the SRTP suite) so nothing waits on the worker. What can be refused is checked here,
 * synchronously, as CallMedia would (a key of ours never gets a second SRTP context).
 *
 * When its worker dies, the media is re-opened on another worker, on the same ports, with the
 * last negotiation and mute state: the far end notices a new SSRC and a short gap. Not for
 * SRTP (a new context could not read the far end's stream past its first rollover, and ours
 * would start over under the same key), nor twice within a minute (a call whose media kills
 * its worker): those calls fail (`on.failed`), which ends them.
 */
export class WorkerCallMedia implements MediaSession {
  readonly address: string;
  readonly codecs: readonly AudioCodecName[];
  readonly encryption: MediaEncryption;
  #port = 0;
  #worker: MediaWorker | undefined;
  #opening: { resolve: (port: number) => void; reject: (e: Error) => void } | undefined;
  #neg: Negotiated | undefined;
  #muted = false;
  #ourKey: string | undefined;
  readonly #usedKeys = new Set<string>();
  #detach: (() => void) | undefined;
  #reopenedAt: number | undefined;
  #closed = false;
  #gone = false;
  /** The recording asked for, until its file is closed. */
  #recording: RecordStart | undefined;

  constructor(private readonly o: WorkerCallMediaOptions) {
    this.#recording = o.record;
    this.address = o.address;
    this.codecs = o.codecs;
    this.encryption = o.request.encryption ?? 'off';
  }

  get id(): number {
    return this.o.id;
  }

  get rtpPort(): number {
    return this.#port;
  }

  get worker(): MediaWorker | undefined {
    return this.#worker;
  }

  get negotiated(): Negotiated | undefined {
    return this.#neg;
  }

  get muted(): boolean {
    return this.#muted;
  }

  /** A recording is on, or its file not closed yet. */
  get recording(): boolean {
    return this.#recording !== undefined;
  }

  get srtpSuite(): SrtpSuiteName | undefined {
    return this.#neg?.srtp?.suite;
  }

  /** Binds the call's ports in a worker (once: `open`, or a re-open on `port`). */
  async open(port?: number): Promise<void> {
    const worker = await this.o.pick();
    this.#worker = worker;
    const request = this.o.request;
    const bound = await new Promise<number>((resolve, reject) => {
      this.#opening = { resolve, reject };
      worker.post({
        t: 'open',
        id: this.o.id,
        callId: request.callId,
        line: request.line,
        mode: this.o.mode,
        encryption: this.encryption,
        ...(request.signallingPeerIp ? { signallingPeerIp: request.signallingPeerIp } : {}),
        ports: this.o.ports,
        ...(port !== undefined ? { port } : {}),
        avoid: this.o.recentPorts(),
        ...(this.o.device ? { device: this.o.device.bridge.rings } : {}),
        ...(this.#recording ? { record: this.#recording.request } : {}),
      });
    });
    this.#port = bound;
  }

  apply(n: Negotiated, changes: NegotiationChanges): void {
    if (this.#closed) return;
    const first = this.#neg === undefined;
    if (first || changes.srtp) this.#checkKey(n);
    const wasRemoteHold = this.#neg?.remoteHold ?? false;
    this.#neg = n;
    this.#post({ t: 'apply', id: this.o.id, negotiated: toWire(n), changes });
    if (first && this.o.device) this.#detach = this.o.device.attach();
    if (!first && n.remoteHold !== wasRemoteHold) this.o.request.on.remoteHold(n.remoteHold);
  }

  setMuted(on: boolean): void {
    this.#muted = on;
    this.#post({ t: 'mute', id: this.o.id, on });
  }

  sendDtmf(tones: string, durationMs?: number): boolean {
    if (this.#closed || !this.#neg?.telephoneEvent || this.#opening) return false;
    if (![...tones.toUpperCase()].some(isDtmfSymbol)) return false;
    this.#post({ t: 'dtmf', id: this.o.id, tones, ...(durationMs !== undefined ? { durationMs } : {}) });
    return true;
  }

  record(request: RecordRequest | null, listener?: RecordListener): void {
    if (this.#closed) return;
    if (request) {
      if (this.#recording || !listener) return;
      this.#recording = { request, listener };
    }
    this.#post({ t: 'record', id: this.o.id, request });
  }

  playConsent(consent: ConsentPcm): void {
    if (!this.#closed) this.#post({ t: 'consent', id: this.o.id, consent });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopDevice();
    if (this.#worker?.alive) this.#worker.post({ t: 'close', id: this.o.id });
    else this.#finish();
  }

  /** A message from the worker about this call. */
  onMessage(m: FromWorker): void {
    switch (m.t) {
      case 'opened':
        this.#opening?.resolve(m.port);
        this.#opening = undefined;
        return;
      case 'open-failed':
        this.#opening?.reject(new Error(m.error));
        this.#opening = undefined;
        return;
      case 'closed':
        // Closed while it was still binding: that open is over too.
        this.#opening?.reject(new Error('the call\'s media was closed while it opened'));
        this.#opening = undefined;
        if (this.#closed) this.#finish(m.port);
        return;
      case 'quality':
        if (!this.#closed) this.o.request.on.quality(m.quality);
        return;
      case 'dtmf':
        if (!this.#closed) this.o.request.on.dtmf(m.digit, m.durationMs);
        return;
      case 'recording':
        if (m.state === 'started') this.#recording?.listener.started(m.file);
        else this.#recordingOver(m.file, m.error);
        return;
      case 'apply-failed':
        this.#fail(`the media could not take the negotiation: ${m.error}`);
        return;
      case 'media-silent':
        if (!this.#closed) this.o.request.on.silent?.(m.detail);
        return;
      default:
        return;
    }
  }

  /** Its worker died: re-open elsewhere, or fail the call (see the class comment). */
  workerDied(reason: string): void {
    const why = `the media worker died (${reason})`;
    if (this.#gone || this.#closed) {
      this.#finish();
      // Its recording's file was not closed: make it readable (the sizes in its header).
      if (this.#recording) void this.#repairRecording().then(() => this.#recordingOver(this.#recording?.request.file ?? '', why));
      return;
    }
    if (this.#opening) {
      // Still binding: the call has no ports yet, so it loses nothing by starting over elsewhere.
      const opening = this.#opening;
      this.#opening = undefined;
      this.open().then(() => opening.resolve(this.#port), (e: unknown) => opening.reject(e instanceof Error ? e : new Error(String(e))));
      return;
    }
    if (this.#neg?.srtp) return this.#fail(`${why}; an SRTP call cannot be carried over to another worker`);
    const now = this.o.clock.now();
    if (this.#reopenedAt !== undefined && now - this.#reopenedAt < REOPEN_GUARD_MS) return this.#fail(`${why} again within a minute of the last re-open`);
    this.#reopenedAt = now;
    this.o.log.warn(`${why}: re-opening the call's media on another worker, port ${this.#port}`);
    void this.#reopen(why);
  }

  async #reopen(why: string): Promise<void> {
    this.o.device?.bridge.restart();
    // The recording carries on in the same file (its consent was played, or cut short: not again).
    const rec = this.#recording;
    if (rec) {
      // A file the dead worker never opened is started afresh.
      const exists = await this.#repairRecording();
      const { consent: _played, append: _was, ...request } = rec.request;
      rec.request = exists ? { ...request, append: true } : request;
    }
    try {
      await this.open(this.#port);
    } catch (error) {
      return this.#fail(`${why}; re-opening its media failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (this.#closed) {
      this.#worker?.post({ t: 'close', id: this.o.id });
      return;
    }
    const n = this.#neg;
    if (n) this.#post({ t: 'apply', id: this.o.id, negotiated: toWire(n), changes: compareNegotiated(undefined, n) });
    if (this.#muted) this.#post({ t: 'mute', id: this.o.id, on: true });
  }

  /** Fixes the sizes of the recording's WAV (its worker died); false when the file is not there. */
  async #repairRecording(): Promise<boolean> {
    const rec = this.#recording;
    if (!rec) return false;
    try {
      if (rec.request.format === 'wav') await repairWav(rec.request.file);
      else await repairOgg(rec.request.file);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.o.log.warn(`could not repair the recording ${rec.request.file}`, { error });
      return false;
    }
  }

  #recordingOver(file: string, error?: string): void {
    const rec = this.#recording;
    this.#recording = undefined;
    rec?.listener.stopped(file || rec.request.file, error);
    this.o.recordingOver?.(this);
  }

  /** The same refusal as CallSrtp's, here so that the SDH hears it at once. */
  #checkKey(n: Negotiated): void {
    if (!n.srtp) {
      this.#ourKey = undefined;
      return;
    }
    const id = srtpKeyId(n.srtp.local);
    if (id === this.#ourKey) return;
    if (this.#usedKeys.has(id)) throw new Error('refusing to put an SRTP key of ours into a second SRTP context (RFC 3711 §9.1)');
    this.#usedKeys.add(id);
    this.#ourKey = id;
  }

  #post(m: ToWorker): void {
    // While re-opening, nothing is sent: the re-open applies the latest state.
    if (!this.#opening) this.#worker?.post(m);
  }

  #fail(detail: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopDevice();
    this.o.log.error(`the call's media failed: ${detail}`);
    if (this.#worker?.alive) this.#worker.post({ t: 'close', id: this.o.id });
    else this.#finish();
    this.o.request.on.failed?.(detail);
  }

  #stopDevice(): void {
    this.#detach?.();
    this.#detach = undefined;
    this.o.device?.bridge.close();
  }

  #finish(port?: number): void {
    if (this.#gone) return;
    this.#gone = true;
    this.o.gone(this, port ?? (this.#port || undefined));
  }
}
