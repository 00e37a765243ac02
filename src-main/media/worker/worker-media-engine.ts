import { serviceFilesByRate } from '../audio/service-files.js';
import { AudioRouter } from '../audio-router.js';
import type { MediaMode } from '../call-media.js';
import { codecSampleRate } from '../codec/create-codec.js';
import type { MediaEngine, MediaRequest, MediaSession, RecordStart } from '../media-engine.js';
import type { RtpMediaEngineOptions } from '../rtp-media-engine.js';
import { RECENT_PORTS } from '../rtp/rtp-port-pair.js';
import { DeviceBridge } from './device-bridge.js';
import type { FromWorker } from './media-protocol.js';
import type { MediaWorker } from './media-worker.js';
import { levelOf } from './worker-log.js';
import { WorkerCallMedia } from './worker-call-media.js';
import { MediaWorkerPool } from './worker-pool.js';

/** The same media settings as the in-thread engine (the sound card stays on the main thread), and the pool's. */
export interface WorkerMediaEngineOptions extends RtpMediaEngineOptions {
  /** Worker threads (one per core is the default the media module picks). */
  workers: number;
  /** Tests: another worker script, a shorter watchdog. */
  script?: string | URL;
  heartbeatMs?: number;
  watchdogMs?: number;
}

/**
 * Media for every call, in worker threads: the main thread keeps SIP, dispatch, agent state
 * and the windows, and each call's RTP, codec, jitter buffer and DTMF run on one worker of a
 * pool (the one with the fewest calls when it opens). The sound card stays here; device-mode
 * calls exchange PCM with their worker through shared rings (DeviceBridge), which the
 * AudioRouter mixes as before. open() resolves once the worker has bound the call's ports.
 *
 * A worker that dies is replaced; each of its calls is re-opened on another worker or ended
 * as failed (WorkerCallMedia says which), never left silent.
 */
export class WorkerMediaEngine implements MediaEngine {
  readonly router: AudioRouter | undefined;
  readonly #pool: MediaWorkerPool;
  readonly #sessions = new Map<number, WorkerCallMedia>();
  /** Where each session was placed last (its worker, before the worker has bound its ports). */
  readonly #placed = new Map<number, MediaWorker>();
  readonly #recentPorts: number[] = [];
  /** Media gone whose recording's file is still being closed (its `recording` message is still to come). */
  readonly #finishing = new Map<number, WorkerCallMedia>();
  recordAtOpen: ((request: MediaRequest) => RecordStart | undefined) | undefined;
  #nextId = 1;
  #closed = false;

  constructor(private readonly o: WorkerMediaEngineOptions) {
    const files = serviceFilesByRate(o.serviceFiles ?? new Map(), o.codecs.map(codecSampleRate), (n) => new Int16Array(new SharedArrayBuffer(n * 2)));
    this.router = o.devices ? new AudioRouter(o.devices, o.log.child('audio')) : undefined;
    const heartbeatMs = o.heartbeatMs ?? 500;
    this.#pool = new MediaWorkerPool({
      size: o.workers,
      init: {
        address: o.address,
        codecs: o.codecs,
        symmetricRtp: o.symmetricRtp,
        jitter: o.jitter,
        rtpTimeoutMs: o.rtpTimeoutMs ?? 0,
        files: [...files].map(([line, byRate]) => [line, [...byRate]]),
        deviceRate: o.devices?.format.sampleRate ?? 48_000,
        logLevel: levelOf(o.log),
        heartbeatMs,
      },
      clock: o.clock,
      log: o.log,
      ...(o.script ? { script: o.script } : {}),
      watchdogMs: o.watchdogMs ?? Math.max(5_000, heartbeatMs * 10),
      onMessage: (_worker, m) => this.#route(m),
      onDeath: (dead, reason) => this.#onDeath(dead, reason),
    });
  }

  /** Starts the workers; resolves once every one is ready. */
  start(): Promise<void> {
    return this.#pool.start();
  }

  /** The workers alive now (tests kill one through its `threadId` or `crash()`). */
  get workers(): readonly MediaWorker[] {
    return this.#pool.workers;
  }

  async open(request: MediaRequest): Promise<MediaSession> {
    if (this.#closed) throw new Error('the media engine is closed');
    const lm = this.o.lineMedia(request.line);
    const mode: MediaMode = lm.mode === 'device' && !this.router ? 'listen' : lm.mode;
    const router = this.router;
    const bridge = mode === 'device' && router ? new DeviceBridge(router.devices.format) : undefined;
    const id = this.#nextId++;
    const record = this.recordAtOpen?.(request);
    const proxy = new WorkerCallMedia({
      ...(record ? { record } : {}),
      recordingOver: (p) => this.#finishing.delete(p.id),
      id,
      request,
      mode,
      address: this.o.address,
      codecs: this.o.codecs,
      ports: this.o.ports,
      recentPorts: () => [...this.#recentPorts],
      pick: () =>
        this.#pool.pick((alive) => {
          const w = this.#leastLoaded(alive);
          this.#placed.set(id, w);
          return w;
        }),
      ...(bridge && router ? { device: { bridge, attach: () => router.attach(bridge, lm.headset, lm.microphone) } } : {}),
      clock: this.o.clock,
      log: this.o.log.child(request.callId),
      gone: (p, port) => this.#gone(p, port),
    });
    this.#sessions.set(id, proxy);
    try {
      await proxy.open();
    } catch (error) {
      this.#sessions.delete(id);
      this.#placed.delete(id);
      bridge?.close();
      throw error;
    }
    return proxy;
  }

  /** Counters for `status`: calls with media, and frames the service-line clocks ran late (every worker). */
  stats(): { calls: number; lateFrames: number } {
    return { calls: this.#sessions.size, lateFrames: this.#pool.lateFrames };
  }

  /** Full collections in every worker (diagnostics with gc); resolves with the workers' heaps. */
  gc(): Promise<number> {
    return this.#pool.gc();
  }

  /** The workers' heaps at their last heartbeat, bytes. */
  get workersHeapUsed(): number {
    return this.#pool.workers.reduce((sum, w) => sum + w.heapUsed, 0);
  }

  close(): void {
    void this.shutdown();
  }

  /** Closes every call's media, lets the workers send their RTCP BYEs, and stops the threads. */
  async shutdown(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of [...this.#sessions.values()]) s.close();
    this.router?.close();
    const deadline = this.o.clock.now() + 500;
    while ((this.#sessions.size > 0 || this.#finishing.size > 0) && this.o.clock.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await this.#pool.close();
  }

  /** The worker with the fewest calls placed on it (counted as they are placed, before their ports are bound). */
  #leastLoaded(alive: MediaWorker[]): MediaWorker {
    const load = new Map<MediaWorker, number>(alive.map((w) => [w, 0]));
    for (const w of this.#placed.values()) if (load.has(w)) load.set(w, load.get(w)! + 1);
    return alive.reduce((best, w) => (load.get(w)! < load.get(best)! ? w : best));
  }

  #route(m: FromWorker): void {
    if (!('id' in m)) return;
    (this.#sessions.get(m.id) ?? this.#finishing.get(m.id))?.onMessage(m);
  }

  #onDeath(dead: MediaWorker, reason: string): void {
    for (const s of [...this.#finishing.values()]) if (s.worker === dead) s.workerDied(reason);
    const lost = [...this.#sessions.values()].filter((s) => s.worker === dead);
    if (lost.length > 0) this.o.log.warn(`media worker ${dead.index} died with ${lost.length} call(s)`);
    for (const s of lost) s.workerDied(reason);
  }

  #gone(proxy: WorkerCallMedia, port: number | undefined): void {
    this.#sessions.delete(proxy.id);
    this.#placed.delete(proxy.id);
    if (proxy.recording) this.#finishing.set(proxy.id, proxy);
    if (port === undefined) return;
    this.#recentPorts.push(port);
    if (this.#recentPorts.length > RECENT_PORTS) this.#recentPorts.shift();
  }
}
