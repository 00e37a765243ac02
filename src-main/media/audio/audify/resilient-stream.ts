import type { Clock } from '../../../common/clock.js';
import type { Logger } from '../../../common/logger.js';
import { FramePacer } from '../../frame-pacer.js';
import type { AudioFormat } from '../audio-device.js';
import { NULL_DEVICE_NAME } from '../null-devices.js';
import type { RtAudioInstance } from './audify-binding.js';
import type { AudifyRuntime } from './audify-runtime.js';
import { findByName, type AudioHost, type DeviceSnapshot, type OpenRequest, type OpenedStream, type StreamKind } from './audio-host.js';
import { FrameBudget } from './frame-budget.js';

/** What a stream needs from its AudifyDevices. */
export interface StreamContext {
  host: AudioHost;
  format: AudioFormat;
  clock: Clock;
  logger: Logger;
  runtime: AudifyRuntime;
  queueFrames: number;
  onFallback: (kind: StreamKind, lost: string, fallback: string) => void;
  onClosed: (stream: ResilientStream) => void;
}

/**
 * A stream bound to a device *choice* (a name, or the default) rather than to one audify
 * stream. It plays on the chosen device when that exists, else on the default device,
 * else on a timer (no device at all), and moves between them as devices come and go;
 * the caller's callback never notices except for the `fallback` event.
 */
export abstract class ResilientStream {
  #current: OpenedStream | undefined;
  #pacer: FramePacer | undefined;
  // Only callbacks of the current generation count; each open attempt gets a new one.
  #generation = 0;
  #generations = 0;
  #closed = false;
  #device = NULL_DEVICE_NAME;
  #latencyMs = 0;
  // callbacks seen since #windowStart, to spot a stalled or runaway audio thread
  #callbacks = 0;
  #windowStart = 0;
  // a move that failed is not retried at every re-list
  #failedMove: { target: string; at: number } | undefined;
  #callbackErrors = 0;
  protected readonly budget: FrameBudget;
  protected readonly frameMs: number;

  constructor(
    protected readonly kind: StreamKind,
    readonly requested: string | null,
    protected readonly ctx: StreamContext,
  ) {
    this.frameMs = (ctx.format.frameSamples * 1000) / ctx.format.sampleRate;
    this.budget = new FrameBudget(ctx.clock, this.frameMs, ctx.queueFrames + 4);
  }

  get device(): string {
    return this.#device;
  }

  get latencyMs(): number {
    return this.#latencyMs;
  }

  protected get closed(): boolean {
    return this.#closed;
  }

  /** The caller's callback threw: logged (the 1st, then every 500th time), the stream goes on. */
  protected callbackFailed(what: string, error: unknown): void {
    if (this.#callbackErrors++ % 500 !== 0) return;
    this.ctx.logger.error(`${what} threw`, {
      error: error instanceof Error ? error.message : String(error),
      times: this.#callbackErrors,
    });
  }

  /** First attachment, right after construction. A missing device is a fallback too. */
  start(snapshot: DeviceSnapshot): void {
    const target = this.#target(snapshot);
    if (!this.#moveTo(target === null ? [null] : [target, null])) this.#runOnTimer();
    const requested = this.requested;
    if (requested !== null && !sameName(this.#device, requested)) {
      const now = this.#device;
      queueMicrotask(() => this.ctx.onFallback(this.kind, requested, now));
    }
  }

  /** Called after every re-list: follows the device choice, replaces broken streams. */
  check(snapshot: DeviceSnapshot, errorsSeen: boolean): void {
    if (this.#closed) return;
    const onTimer = this.#current === undefined;
    const listed = (this.kind === 'playback' ? snapshot.outputs : snapshot.inputs).some((d) => d.name === this.#device);
    const target = this.#target(snapshot);
    const health = this.#health();

    if (!onTimer && (!listed || health === 'broken')) {
      const was = this.#device;
      this.ctx.logger.warn(listed ? `${this.kind} stream broken, reopening` : `${this.kind} device vanished`, { device: was, errorsSeen });
      // While audio threads report errors, no stream is opened (see AudifyRuntime.quiet): run
      // on the timer, and move to the target at a later re-list.
      if (!this.ctx.runtime.quiet() || !this.#moveTo(target === null ? [null] : [target, null])) this.#runOnTimer();
      if (this.#device !== was) this.ctx.onFallback(this.kind, was, this.#device);
    } else if (target !== null && target !== this.#device && this.ctx.runtime.quiet() && !this.#recentlyFailed(target)) {
      // Back from the timer, back to the chosen device, or following a new default. If it
      // cannot be opened, the current stream just goes on.
      this.ctx.logger.info(`${this.kind} moves to ${target}`, { from: this.#device });
      if (!this.#moveTo([target])) this.#failedMove = { target, at: this.ctx.clock.now() };
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#generation = ++this.#generations;
    if (this.#current) this.ctx.runtime.retire(this.#current.rt);
    this.#current = undefined;
    this.#pacer?.stop();
    this.#pacer = undefined;
    this.ctx.onClosed(this);
  }

  /**
   * One frame's turn, on the main thread: playback writes the next frame to `rt` (undefined
   * on the timer: pull and drop); capture gets `data` (undefined on the timer: silence).
   */
  protected abstract onFrame(rt: RtAudioInstance | undefined, data?: Buffer): void;

  /** Where the stream should be: the chosen device if present, else the default; null: none. */
  #target(snapshot: DeviceSnapshot): string | null {
    const list = this.kind === 'playback' ? snapshot.outputs : snapshot.inputs;
    const chosen = this.requested === null ? undefined : findByName(list, this.requested);
    return (chosen ?? list.find((d) => d.isDefault) ?? list.find((d) => !d.hidden))?.name ?? null;
  }

  #recentlyFailed(target: string): boolean {
    const failed = this.#failedMove;
    return failed !== undefined && failed.target === target && this.ctx.clock.now() - failed.at < 3000;
  }

  #health(): 'ok' | 'broken' | 'unknown' {
    const now = this.ctx.clock.now();
    const elapsed = now - this.#windowStart;
    if (elapsed < 250) return 'unknown';
    const expected = elapsed / this.frameMs;
    const seen = this.#callbacks;
    this.#callbacks = 0;
    this.#windowStart = now;
    if (this.#current === undefined) return 'ok';
    if (seen > expected * 3 + 10) return 'broken'; // runaway: the server is gone
    if (seen === 0 && elapsed > 600) return 'broken'; // stalled
    return 'ok';
  }

  /**
   * Opens the first candidate that works (null: the default device) and only then closes
   * the current stream, so the caller's frames never stop. False if none opened (the
   * current stream, if any, is left as it was).
   */
  #moveTo(candidates: ReadonlyArray<string | null>): boolean {
    const previous = this.#generation;
    for (const candidate of candidates) {
      let opened: OpenedStream;
      // The new stream primes (calls back) inside open(), so it must be the live one already.
      const generation = ++this.#generations;
      this.#generation = generation;
      try {
        opened = this.#open(candidate, generation);
      } catch (error) {
        this.#generation = previous;
        this.ctx.logger.warn(`cannot open ${this.kind} device`, {
          device: candidate ?? '(default)',
          error: error instanceof Error ? error.message : String(error),
        });
        continue;
      }
      if (this.#current) this.ctx.runtime.retire(this.#current.rt);
      this.#pacer?.stop();
      this.#pacer = undefined;
      this.#current = opened;
      this.#device = opened.device;
      this.#latencyMs = opened.deviceLatencyMs + (this.kind === 'playback' ? this.ctx.queueFrames * this.frameMs : 0);
      this.#failedMove = undefined;
      this.#resetWindow();
      return true;
    }
    return false;
  }

  /** No device at all (e.g. the sound server is gone): keep the caller's frame clock running. */
  #runOnTimer(): void {
    const generation = ++this.#generations;
    this.#generation = generation;
    if (this.#current) this.ctx.runtime.retire(this.#current.rt);
    this.#current = undefined;
    this.#device = NULL_DEVICE_NAME;
    this.#latencyMs = 0;
    this.#pacer?.stop();
    this.#pacer = new FramePacer(this.ctx.clock, this.frameMs, () => {
      if (generation === this.#generation) this.onFrame(undefined);
    });
    this.#pacer.start();
    this.#resetWindow();
  }

  #resetWindow(): void {
    this.#callbacks = 0;
    this.#windowStart = this.ctx.clock.now();
  }

  #open(name: string | null, generation: number): OpenedStream {
    const live = (): boolean => generation === this.#generation && !this.#closed;
    const request: OpenRequest = { kind: this.kind, name, format: this.ctx.format, primeFrames: this.ctx.queueFrames };
    if (this.kind === 'playback') {
      request.onOutputFrame = (rt) => {
        if (!live()) return;
        this.#callbacks++;
        this.onFrame(rt);
      };
    } else {
      request.onInput = (data) => {
        if (!live()) return;
        this.#callbacks++;
        this.onFrame(undefined, data);
      };
    }
    return this.ctx.host.open(request);
  }
}

function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
