import type { Clock, TimerHandle } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { CallMedia } from '../call-media.js';
import { MediaTicker, SERVICE_TICK_MS } from '../media-ticker.js';
import { bindRtpPortPair } from '../rtp/rtp-port-pair.js';
import { fromWire, type CrashKind, type FromWorker, type OpenRequestMessage, type ToWorker, type WorkerInit } from './media-protocol.js';
import { WorkerDeviceLink } from './worker-device-link.js';
import type { RecordListener } from '../../recording/recording-types.js';

interface Session {
  media: CallMedia;
  port: number;
}

/**
 * What runs inside one media worker: the calls' media placed here (CallMedia: RTP/SRTP, codec,
 * jitter buffer, DTMF), one frame ticker for the service lines, and the far end of the PCM
 * rings of device-mode calls. It only answers the main thread's messages and reports back;
 * it decides nothing about calls.
 */
export class MediaWorkerHost {
  readonly #sessions = new Map<number, Session>();
  /** Session ids closed while their ports were still being bound. */
  readonly #closedEarly = new Set<number>();
  #init: WorkerInit | undefined;
  #files = new Map<string, ReadonlyMap<number, Int16Array>>();
  #ticker: MediaTicker;
  #heartbeat: TimerHandle | undefined;

  constructor(
    private readonly post: (m: FromWorker) => void,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.#ticker = new MediaTicker(clock, SERVICE_TICK_MS, log.child('ticker'));
  }

  get calls(): number {
    return this.#sessions.size;
  }

  handle(m: ToWorker): void {
    switch (m.t) {
      case 'init':
        this.#start(m.init);
        return;
      case 'open':
        void this.#open(m);
        return;
      case 'apply':
        this.#withSession(m.id, (s) => {
          try {
            s.media.apply(fromWire(m.negotiated), m.changes);
          } catch (error) {
            this.post({ t: 'apply-failed', id: m.id, error: messageOf(error) });
          }
        });
        return;
      case 'dtmf':
        this.#withSession(m.id, (s) => s.media.sendDtmf(m.tones, m.durationMs));
        return;
      case 'mute':
        this.#withSession(m.id, (s) => s.media.setMuted(m.on));
        return;
      case 'record':
        this.#withSession(m.id, (s) => s.media.record(m.request, this.#recordListener(m.id)));
        return;
      case 'consent':
        this.#withSession(m.id, (s) => s.media.playConsent(m.consent));
        return;
      case 'close':
        if (!this.#sessions.has(m.id)) this.#closedEarly.add(m.id);
        this.#withSession(m.id, (s) => s.media.close());
        return;
      case 'gc':
        (globalThis as { gc?: () => void }).gc?.();
        this.post({ t: 'gc-done', heapUsed: process.memoryUsage().heapUsed });
        return;
      case 'crash':
        setImmediate(() => crash(m.how));
        return;
    }
  }

  /** Closes every call's media (the worker is being shut down). */
  close(): void {
    this.#heartbeat?.cancel();
    for (const s of [...this.#sessions.values()]) s.media.close();
  }

  #start(init: WorkerInit): void {
    this.#init = init;
    this.#files = new Map(init.files.map(([line, byRate]) => [line, new Map(byRate)]));
    this.#heartbeat = this.clock.setInterval(() => this.#beat(), init.heartbeatMs);
    this.post({ t: 'ready' });
  }

  #beat(): void {
    this.post({ t: 'heartbeat', lateFrames: this.#ticker.lateFrames, calls: this.#sessions.size, heapUsed: process.memoryUsage().heapUsed });
  }

  async #open(m: OpenRequestMessage): Promise<void> {
    const init = this.#init;
    if (!init) {
      this.post({ t: 'open-failed', id: m.id, error: 'the media worker has not been set up' });
      return;
    }
    let pair;
    try {
      pair = await bindRtpPortPair(init.address, m.ports, { recent: m.avoid, ...(m.port !== undefined ? { port: m.port } : {}) });
    } catch (error) {
      this.post({ t: 'open-failed', id: m.id, error: messageOf(error) });
      return;
    }
    if (this.#closedEarly.delete(m.id)) {
      pair.close();
      this.post({ t: 'closed', id: m.id, port: pair.port });
      return;
    }
    const id = m.id;
    const log = this.log.child(m.callId);
    const file = this.#files.get(m.line);
    const device = m.device;
    const media = new CallMedia({
      callId: m.callId,
      address: init.address,
      pair,
      codecs: init.codecs,
      mode: m.mode,
      ...(file ? { file } : {}),
      deviceRate: init.deviceRate,
      clock: this.clock,
      log,
      symmetricRtp: init.symmetricRtp,
      ...(m.signallingPeerIp ? { signallingPeerIp: m.signallingPeerIp } : {}),
      encryption: m.encryption,
      jitter: init.jitter,
      rtpTimeoutMs: init.rtpTimeoutMs,
      attachDevice: (client) => {
        if (!device) throw new Error('a device-mode call without its PCM rings');
        return new WorkerDeviceLink(device, client, this.clock, log).start();
      },
      subscribeTicker: (tick) => this.#ticker.subscribe(tick),
      on: {
        quality: (quality) => this.post({ t: 'quality', id, quality }),
        dtmf: (digit, durationMs) => this.post({ t: 'dtmf', id, digit, durationMs }),
        silent: (detail) => this.post({ t: 'media-silent', id, detail }),
        // The main thread's proxy tells the call about remote hold as it applies the negotiation.
        remoteHold: () => {},
        closed: () => {
          this.#sessions.delete(id);
          this.post({ t: 'closed', id, port: pair.port });
        },
      },
    });
    this.#sessions.set(id, { media, port: pair.port });
    this.post({ t: 'opened', id, port: pair.port });
    if (m.record) media.record(m.record, this.#recordListener(id));
  }

  /** Tells the main thread when a session's recording file opens and closes (after the session itself may be gone). */
  #recordListener(id: number): RecordListener {
    return {
      started: (file) => this.post({ t: 'recording', id, state: 'started', file }),
      stopped: (file, error) => this.post({ t: 'recording', id, state: 'stopped', file, ...(error ? { error } : {}) }),
    };
  }

  #withSession(id: number, fn: (s: Session) => void): void {
    const s = this.#sessions.get(id);
    if (s) fn(s);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The test hook's ways to die, as a bug would kill a worker. */
function crash(how: CrashKind): void {
  if (how === 'exit') process.exit(70);
  if (how === 'hang') for (;;);
  throw new Error('media worker crash requested');
}
