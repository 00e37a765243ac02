import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { systemClock, type Clock, type TimerHandle } from '../../common/clock.js';
import { Emitter } from '../../common/emitter.js';
import { silentLogger, type Logger } from '../../common/logger.js';
import { requireAudify } from '../audify-module.js';
import type {
  AudioDeviceEvents,
  AudioDeviceInfo,
  AudioDevices,
  AudioFormat,
  CaptureStream,
  PlaybackStream,
} from './audio-device.js';
import { FramePacer } from '../frame-pacer.js';
import { NULL_DEVICE_NAME } from './null-devices.js';

/*
 * The sound card through audify (RtAudio 6.0.1 behind N-API). Things about audify 1.10.1
 * that shape this file (read its src/rt_audio.cpp):
 *
 * - Callbacks reach JS through thread-safe functions, so pull/push run on the main thread,
 *   never on the audio thread. The output callback fires once per frame the audio thread
 *   takes from audify's queue; when that queue is empty the card plays silence and no
 *   callback comes, so the queue is primed and every callback writes exactly one frame.
 * - Those thread-safe functions are released only by the next openStream() on the same
 *   instance, and the error callback is one process-wide function shared by every instance
 *   (the last one registered gets every stream's errors), replaced by every openStream()
 *   without any locking. So: every openStream passes the same router; a closed instance is
 *   "retired" by a deliberately failing openStream, which releases its callbacks; an
 *   instance is never reused; nothing is opened while audio threads report errors. The
 *   process-wide error function keeps the event loop alive, so a process that has opened
 *   a stream must exit explicitly (process.exit / app.quit).
 * - RtAudio's Pulse API opens playback without buffer attributes, and the server then
 *   buffers ~140 ms. libpulse honours PULSE_LATENCY_MSEC for every stream it connects, so
 *   it is set for the duration of openStream (which connects synchronously) and restored.
 * - A device list from a long-lived instance keeps stale "default" flags, so every listing
 *   uses a fresh instance.
 * - libpulse-simple can deadlock when the server dies during a recording over shared memory;
 *   streams are opened with shared memory off (see noShm).
 */

// ---------------------------------------------------------------------------------------
// A narrow typed view of audify's API (its index.d.ts uses const enums, which do not work
// with isolatedModules, so the runtime objects are used).

interface RtDeviceInfo {
  id: number;
  name: string;
  outputChannels: number;
  inputChannels: number;
  isDefaultOutput: number | boolean;
  isDefaultInput: number | boolean;
}

interface RtStreamParameters {
  deviceId: number;
  nChannels: number;
}

type RtErrorCallback = (type: number, message: string) => void;

interface RtAudioInstance {
  openStream(
    output: RtStreamParameters | null,
    input: RtStreamParameters | null,
    format: number,
    sampleRate: number,
    frameSize: number,
    streamName: string,
    inputCallback: ((data: Buffer) => void) | null,
    frameOutputCallback: (() => void) | null,
    flags: number,
    errorCallback: RtErrorCallback,
  ): number;
  closeStream(): void;
  start(): void;
  write(pcm: Buffer): void;
  getDevices(): RtDeviceInfo[];
  getStreamLatency(): number;
}

interface AudifyModule {
  RtAudio: new (api?: number) => RtAudioInstance;
  RtAudioApi: { UNSPECIFIED: number; LINUX_ALSA: number; LINUX_PULSE: number; MACOSX_CORE: number; WINDOWS_WASAPI: number };
  RtAudioFormat: { RTAUDIO_SINT16: number };
  RtAudioStreamFlags: { RTAUDIO_MINIMIZE_LATENCY: number };
}

export type AudifyLoad = { ok: true; audify: AudifyModule } | { ok: false; reason: string };

let loaded: AudifyLoad | undefined;

/**
 * Loads audify on first use (an optional dependency with a native addon: it may be missing,
 * or fail to load on a machine without libasound/libpulse). Never throws.
 */
export function loadAudify(): AudifyLoad {
  if (loaded) return loaded;
  const required = requireAudify();
  if (!required.ok) loaded = { ok: false, reason: required.reason };
  else {
    loaded = isAudifyModule(required.exports)
      ? { ok: true, audify: required.exports }
      : { ok: false, reason: 'the audify module does not have the expected RtAudio API' };
  }
  return loaded;
}

function isAudifyModule(m: unknown): m is AudifyModule {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Partial<Record<keyof AudifyModule, unknown>>;
  const api = r.RtAudioApi as Partial<Record<string, unknown>> | undefined;
  const format = r.RtAudioFormat as Partial<Record<string, unknown>> | undefined;
  const flags = r.RtAudioStreamFlags as Partial<Record<string, unknown>> | undefined;
  return (
    typeof r.RtAudio === 'function' &&
    typeof api?.LINUX_PULSE === 'number' &&
    typeof format?.RTAUDIO_SINT16 === 'number' &&
    typeof flags?.RTAUDIO_MINIMIZE_LATENCY === 'number'
  );
}

// ---------------------------------------------------------------------------------------
// Errors: one process-wide route (see above), fanned out to every open backend.

const errorListeners = new Set<RtErrorCallback>();
const RETIRE_MESSAGE = 'StreamParameters structures are both NULL';
/** How long after the last stream error the audio threads are taken to be quiet. */
const QUIET_MS = 1000;
let lastStreamErrorAt = Number.NEGATIVE_INFINITY;

const routeError: RtErrorCallback = (type, message) => {
  if (message.includes(RETIRE_MESSAGE)) return; // our own retire() call
  // Probe errors come from the main thread (listing while the server is down).
  if (!message.includes('probeDevices')) lastStreamErrorAt = performance.now();
  for (const listener of errorListeners) listener(type, message);
};

/**
 * Every openStream() replaces audify's process-wide error function while audio threads may
 * be calling it. That race is harmless unless a thread is reporting errors right then, as
 * every stream does thousands of times a second once its server is gone. So streams are
 * opened only while no stream has reported an error for a second.
 */
function audioQuiet(): boolean {
  return performance.now() - lastStreamErrorAt > QUIET_MS;
}

const awaitingRelease: Array<{ audify: AudifyModule; rt: RtAudioInstance }> = [];
let releaseTimer: ReturnType<typeof setTimeout> | undefined;

/**
 * Closes an instance's stream (which stops its audio thread) and releases its callbacks,
 * once the audio threads are quiet (see audioQuiet). The instance is not used again.
 */
function retire(audify: AudifyModule, rt: RtAudioInstance): void {
  try {
    rt.closeStream(); // no stop(): on Pulse it drains the buffer, blocking the main thread
  } catch {
    // already closed, or the server is gone
  }
  awaitingRelease.push({ audify, rt });
  releaseWhenQuiet();
}

function releaseWhenQuiet(): void {
  if (audioQuiet()) {
    for (const { audify, rt } of awaitingRelease.splice(0)) {
      try {
        // Fails by design ("both NULL"), after audify has released the instance's callbacks.
        rt.openStream(null, null, audify.RtAudioFormat.RTAUDIO_SINT16, 48000, 480, '', null, null, 0, routeError);
      } catch {
        // expected
      }
    }
    return;
  }
  if (releaseTimer) return;
  releaseTimer = setTimeout(() => {
    releaseTimer = undefined;
    releaseWhenQuiet();
  }, QUIET_MS / 2);
  releaseTimer.unref();
}

// ---------------------------------------------------------------------------------------
// Hosts: how devices are listed and opened on each platform / API.

type StreamKind = 'playback' | 'capture';

/** A listed device; `hidden` ones (PulseAudio monitors) can be opened but are not offered. */
interface ListedDevice extends AudioDeviceInfo {
  hidden: boolean;
}

/** Every device the API lists, as the stream logic sees them. */
export interface DeviceSnapshot {
  inputs: ListedDevice[];
  outputs: ListedDevice[];
}

interface OpenRequest {
  kind: StreamKind;
  /** null: the default device. */
  name: string | null;
  format: AudioFormat;
  /** Playback: frames written before start, i.e. queued ahead in audify. */
  primeFrames: number;
  /** Playback: the card took a frame; write the next one to `rt`. Also called to prime. */
  onOutputFrame?: (rt: RtAudioInstance) => void;
  onInput?: (data: Buffer) => void;
}

interface OpenedStream {
  rt: RtAudioInstance;
  device: string;
  /** Latency of the device side alone (without audify's queue). */
  deviceLatencyMs: number;
}

/** No device to open: not listed, or the server is gone. */
class NoDeviceError extends Error {
  override readonly name = 'NoDeviceError';
}

interface AudioHost {
  readonly backend: string;
  list(): DeviceSnapshot;
  /** Opens and starts a stream; throws NoDeviceError or audify's error. */
  open(request: OpenRequest): OpenedStream;
}

function listWith(audify: AudifyModule, api: number): RtDeviceInfo[] {
  try {
    return new audify.RtAudio(api).getDevices();
  } catch {
    return [];
  }
}

function toSnapshot(devices: readonly RtDeviceInfo[], hideInput: (name: string) => boolean): DeviceSnapshot {
  const inputs: ListedDevice[] = [];
  const outputs: ListedDevice[] = [];
  for (const d of devices) {
    if (d.outputChannels > 0) {
      outputs.push({ name: d.name, isDefault: Boolean(d.isDefaultOutput), channels: d.outputChannels, hidden: false });
    }
    if (d.inputChannels > 0) {
      inputs.push({ name: d.name, isDefault: Boolean(d.isDefaultInput), channels: d.inputChannels, hidden: hideInput(d.name) });
    }
  }
  return { inputs, outputs };
}

/** Device names match exactly, else ignoring case (a name typed into the config). */
function findByName<D extends { name: string }>(list: readonly D[], name: string): D | undefined {
  return list.find((d) => d.name === name) ?? list.find((d) => d.name.toLowerCase() === name.toLowerCase());
}

/** The named device (exact, then case-insensitive), or the default one for null. */
function pickDevice(devices: readonly RtDeviceInfo[], kind: StreamKind, name: string | null): RtDeviceInfo | undefined {
  const usable = devices.filter((d) => (kind === 'playback' ? d.outputChannels : d.inputChannels) > 0);
  if (name !== null) return findByName(usable, name);
  return usable.find((d) => Boolean(kind === 'playback' ? d.isDefaultOutput : d.isDefaultInput)) ?? usable[0];
}

/** Opens one mono 16-bit stream on an instance and starts it; cleans up on failure. */
function openOn(audify: AudifyModule, rt: RtAudioInstance, device: RtDeviceInfo, request: OpenRequest, flags: number): void {
  const params = { deviceId: device.id, nChannels: 1 };
  const playback = request.kind === 'playback';
  try {
    const frames = rt.openStream(
      playback ? params : null,
      playback ? null : params,
      audify.RtAudioFormat.RTAUDIO_SINT16,
      request.format.sampleRate,
      request.format.frameSamples,
      'LineDesk',
      playback ? null : (request.onInput ?? null),
      playback ? () => request.onOutputFrame?.(rt) : null,
      flags,
      routeError,
    );
    // audify drops every buffer whose size differs from the one it was opened with.
    if (frames !== request.format.frameSamples) {
      throw new Error(`the device wants ${frames}-sample buffers, not ${request.format.frameSamples}`);
    }
    if (playback) for (let i = 0; i < request.primeFrames; i++) request.onOutputFrame?.(rt);
    rt.start();
  } catch (error) {
    retire(audify, rt);
    throw error;
  }
}

/** Runs fn with some environment variables set (undefined: unset), then restores them. */
function withEnv<T>(vars: Record<string, string | undefined>, fn: () => T): T {
  const saved = new Map<string, string | undefined>();
  for (const [key, value] of Object.entries(vars)) {
    saved.set(key, process.env[key]);
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  try {
    return fn();
  } finally {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/**
 * Streams connect without shared memory. With it, libpulse-simple deadlocks when the server
 * dies during a recording (the audio thread holds an imported block and waits for the
 * mainloop lock; the mainloop thread waits for that block to be released), and closing the
 * stream then hangs the main thread for good. Without it audio goes over the socket, which
 * costs nothing noticeable at 96 kB/s.
 */
function noShm(): Record<string, string> {
  const existing = process.env.PULSE_PROP;
  const prop = 'context.force.disable.shm=true';
  return { PULSE_PROP: existing ? `${existing} ${prop}` : prop };
}

/** English PulseAudio names monitor sources "Monitor of …"; a softphone never records those. */
const isPulseMonitor = (name: string): boolean => name.startsWith('Monitor of ');

/**
 * Linux, PulseAudio API (also PipeWire's pipewire-pulse): devices by their description, as in
 * the desktop's sound settings. Playback buffering is set with PULSE_LATENCY_MSEC.
 */
class PulseHost implements AudioHost {
  readonly backend = 'pulse';

  constructor(
    private readonly audify: AudifyModule,
    private readonly pulseLatencyMs: number,
  ) {}

  list(): DeviceSnapshot {
    return toSnapshot(listWith(this.audify, this.audify.RtAudioApi.LINUX_PULSE), isPulseMonitor);
  }

  open(request: OpenRequest): OpenedStream {
    const rt = new this.audify.RtAudio(this.audify.RtAudioApi.LINUX_PULSE);
    const device = pickDevice(rt.getDevices(), request.kind, request.name);
    if (!device) throw new NoDeviceError(`no ${request.kind} device ${request.name ?? '(default)'}`);
    // Capture already asks for one-frame fragments; only playback needs the latency override.
    const env = { ...noShm(), ...(request.kind === 'playback' ? { PULSE_LATENCY_MSEC: String(this.pulseLatencyMs) } : {}) };
    withEnv(env, () => openOn(this.audify, rt, device, request, 0));
    const frameMs = (request.format.frameSamples * 1000) / request.format.sampleRate;
    return { rt, device: device.name, deviceLatencyMs: request.kind === 'playback' ? this.pulseLatencyMs : frameMs };
  }
}

/**
 * Linux, ALSA API. With a PulseAudio server, devices are still listed (and named) by the
 * Pulse API, and a stream is opened on ALSA's `pulse` PCM with PULSE_SINK / PULSE_SOURCE set
 * to the device's PulseAudio name, and RTAUDIO_MINIMIZE_LATENCY. Without a server, the ALSA
 * devices themselves are listed and opened.
 */
class AlsaHost implements AudioHost {
  readonly backend = 'alsa';

  constructor(
    private readonly audify: AudifyModule,
    private readonly logger: Logger,
  ) {}

  list(): DeviceSnapshot {
    const viaPulse = listWith(this.audify, this.audify.RtAudioApi.LINUX_PULSE);
    if (viaPulse.length > 0) return toSnapshot(viaPulse, isPulseMonitor);
    // Without cards, probing ALSA only makes libasound print errors on stderr.
    if (!linuxHasSoundCards()) return { inputs: [], outputs: [] };
    return toSnapshot(listWith(this.audify, this.audify.RtAudioApi.LINUX_ALSA), () => false);
  }

  open(request: OpenRequest): OpenedStream {
    const flags = this.audify.RtAudioStreamFlags.RTAUDIO_MINIMIZE_LATENCY;
    const pulseDevices = listWith(this.audify, this.audify.RtAudioApi.LINUX_PULSE);
    const rt = new this.audify.RtAudio(this.audify.RtAudioApi.LINUX_ALSA);
    const alsaDevices = rt.getDevices();
    let shownName: string;
    let alsaDevice: RtDeviceInfo | undefined;
    let env: Record<string, string | undefined> = noShm();
    if (pulseDevices.length > 0) {
      const chosen = pickDevice(pulseDevices, request.kind, request.name);
      if (!chosen) throw new NoDeviceError(`no ${request.kind} device ${request.name ?? '(default)'}`);
      shownName = chosen.name;
      alsaDevice = pickPulsePcm(alsaDevices, request.kind);
      // The server's default needs no routing (and so works without pactl).
      const isDefault = Boolean(request.kind === 'playback' ? chosen.isDefaultOutput : chosen.isDefaultInput);
      if (!isDefault) {
        const pulseName = pulseNameOf(request.kind, chosen.name, this.logger);
        if (pulseName === undefined) throw new NoDeviceError(`no PulseAudio name for "${chosen.name}" (is pactl installed?)`);
        env = { ...env, ...(request.kind === 'playback' ? { PULSE_SINK: pulseName } : { PULSE_SOURCE: pulseName }) };
      }
    } else {
      alsaDevice = pickDevice(alsaDevices, request.kind, request.name);
      shownName = alsaDevice?.name ?? '';
    }
    if (!alsaDevice) throw new NoDeviceError(`no ALSA ${request.kind} device ${request.name ?? '(default)'}`);
    const device = alsaDevice;
    withEnv(env, () => openOn(this.audify, rt, device, request, flags));
    // Two ALSA periods of one frame (RTAUDIO_MINIMIZE_LATENCY) plus the plugin's own
    // buffering: about three frames, as measured with the test harness.
    const frameMs = (request.format.frameSamples * 1000) / request.format.sampleRate;
    return { rt, device: shownName, deviceLatencyMs: request.kind === 'playback' ? 3 * frameMs : frameMs };
  }
}

/** Whether the kernel knows any sound card (/proc/asound/cards). */
export function linuxHasSoundCards(): boolean {
  try {
    const cards = readFileSync('/proc/asound/cards', 'utf8');
    return cards.trim() !== '' && !cards.includes('no soundcards');
  } catch {
    return false;
  }
}

/** ALSA's PCM that goes to PulseAudio: "PulseAudio Sound Server" (`pulse`), else the default. */
function pickPulsePcm(devices: readonly RtDeviceInfo[], kind: StreamKind): RtDeviceInfo | undefined {
  const usable = devices.filter((d) => (kind === 'playback' ? d.outputChannels : d.inputChannels) > 0);
  return usable.find((d) => /pulse/i.test(d.name)) ?? pickDevice(devices, kind, null);
}

/** The PulseAudio name (e.g. "headset") of a sink or source shown by its description. */
function pulseNameOf(kind: StreamKind, description: string, logger: Logger): string | undefined {
  const what = kind === 'playback' ? 'sinks' : 'sources';
  const run = (args: string[]): string =>
    execFileSync('pactl', args, {
      encoding: 'utf8',
      timeout: 2000,
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, LC_ALL: 'C' },
    });
  try {
    const parsed: unknown = JSON.parse(run(['-f', 'json', 'list', what]));
    if (Array.isArray(parsed)) {
      for (const entry of parsed as Array<{ name?: unknown; description?: unknown }>) {
        if (entry.description === description && typeof entry.name === 'string') return entry.name;
      }
      return undefined;
    }
  } catch {
    // pactl before PulseAudio 16 has no JSON output: read the text form below
  }
  try {
    let name: string | undefined;
    for (const line of run(['list', what]).split('\n')) {
      const n = /^\s*Name: (.*)$/.exec(line);
      if (n) name = n[1];
      const d = /^\s*Description: (.*)$/.exec(line);
      if (d && d[1] === description) return name;
    }
  } catch (error) {
    logger.warn('pactl failed; cannot route the ALSA stream by name', { error: String(error) });
  }
  return undefined;
}

/**
 * Windows (WASAPI) and macOS (CoreAudio): the platform's API, devices by their own names.
 * No RTAUDIO_MINIMIZE_LATENCY: on CoreAudio it replaces the frame size with the device's
 * minimum, and audify then drops every buffer. (Untested here: no such machine.)
 */
class NativeHost implements AudioHost {
  constructor(
    private readonly audify: AudifyModule,
    private readonly api: number,
    readonly backend: string,
  ) {}

  list(): DeviceSnapshot {
    return toSnapshot(listWith(this.audify, this.api), () => false);
  }

  open(request: OpenRequest): OpenedStream {
    const rt = new this.audify.RtAudio(this.api);
    const device = pickDevice(rt.getDevices(), request.kind, request.name);
    if (!device) throw new NoDeviceError(`no ${request.kind} device ${request.name ?? '(default)'}`);
    openOn(this.audify, rt, device, request, 0);
    return { rt, device: device.name, deviceLatencyMs: streamLatencyMs(rt, request.format) };
  }
}

function streamLatencyMs(rt: RtAudioInstance, format: AudioFormat): number {
  try {
    return (rt.getStreamLatency() * 1000) / format.sampleRate;
  } catch {
    return 0;
  }
}

// ---------------------------------------------------------------------------------------
// Streams that survive their device.

/**
 * Lets at most about one frame per frame period through (5 % slack for a card's clock
 * running fast). When a PulseAudio server dies, audify's audio thread spins and fires
 * callbacks thousands of times a second until the stream is replaced; this keeps that
 * from draining the jitter buffers or flooding the encoder.
 */
class FrameBudget {
  #tokens: number;
  #at: number;

  constructor(
    private readonly clock: Clock,
    private readonly periodMs: number,
    private readonly burst: number,
  ) {
    this.#tokens = burst;
    this.#at = clock.now();
  }

  take(): boolean {
    const now = this.clock.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#at) / this.periodMs) * 1.05);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

interface StreamContext {
  host: AudioHost;
  format: AudioFormat;
  clock: Clock;
  logger: Logger;
  audify: AudifyModule;
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
abstract class ResilientStream {
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
      // While audio threads report errors, no stream is opened (see audioQuiet): run on the
      // timer, and move to the target at a later re-list.
      if (!audioQuiet() || !this.#moveTo(target === null ? [null] : [target, null])) this.#runOnTimer();
      if (this.#device !== was) this.ctx.onFallback(this.kind, was, this.#device);
    } else if (target !== null && target !== this.#device && audioQuiet() && !this.#recentlyFailed(target)) {
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
    if (this.#current) retire(this.ctx.audify, this.#current.rt);
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
      if (this.#current) retire(this.ctx.audify, this.#current.rt);
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
    if (this.#current) retire(this.ctx.audify, this.#current.rt);
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

class ResilientPlayback extends ResilientStream implements PlaybackStream {
  #warnedLength = false;

  constructor(
    requested: string | null,
    ctx: StreamContext,
    private readonly pull: () => Int16Array,
  ) {
    super('playback', requested, ctx);
  }

  protected onFrame(rt: RtAudioInstance | undefined): void {
    const frameSamples = this.ctx.format.frameSamples;
    let frame: Int16Array | undefined;
    if (this.budget.take()) {
      try {
        frame = this.pull();
      } catch (error) {
        this.callbackFailed('playback pull', error);
      }
    }
    if (!rt || this.closed) return; // on the timer the frame is dropped, as by a null device
    if (!frame || frame.length !== frameSamples) {
      if (frame && !this.#warnedLength) {
        this.#warnedLength = true;
        this.ctx.logger.warn('pull returned a frame of the wrong length', { got: frame.length, want: frameSamples });
      }
      const fixed = new Int16Array(frameSamples);
      if (frame) fixed.set(frame.subarray(0, frameSamples));
      frame = fixed;
    }
    try {
      rt.write(Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength));
    } catch (error) {
      this.ctx.logger.warn('audify write failed', { error: error instanceof Error ? error.message : String(error) });
    }
  }
}

class ResilientCapture extends ResilientStream implements CaptureStream {
  constructor(
    requested: string | null,
    ctx: StreamContext,
    private readonly push: (frame: Int16Array) => void,
  ) {
    super('capture', requested, ctx);
  }

  protected onFrame(_rt: RtAudioInstance | undefined, data?: Buffer): void {
    if (!this.budget.take()) return;
    const samples = this.ctx.format.frameSamples;
    let frame: Int16Array;
    if (data && data.byteLength >= samples * 2 && data.byteOffset % 2 === 0) {
      frame = new Int16Array(data.buffer, data.byteOffset, samples);
    } else {
      frame = new Int16Array(samples); // on the timer (no device): silence
      if (data) for (let i = 0; i < samples && i * 2 + 1 < data.byteLength; i++) frame[i] = data.readInt16LE(i * 2);
    }
    try {
      this.push(frame);
    } catch (error) {
      this.callbackFailed('capture push', error);
    }
  }
}

// ---------------------------------------------------------------------------------------
// The backend.

export interface AudifyDevicesOptions {
  /** Frame length: 10 or 20 ms at 48 kHz. Default 20. */
  frameMs?: 10 | 20;
  /**
   * Linux only: 'pulse' (default) lists and opens through the PulseAudio API; 'alsa' lists
   * through PulseAudio but streams through ALSA's `pulse` PCM (or plain ALSA without a server).
   */
  linuxApi?: 'pulse' | 'alsa';
  /** PulseAudio playback buffer (PULSE_LATENCY_MSEC). Default 20. */
  pulseLatencyMs?: number;
  /**
   * Audio queued ahead in audify, i.e. how long the main thread may stall before the card
   * plays a gap. Default 40 ms (2 frames of 20 ms, 4 of 10 ms); at least one frame.
   */
  queueMs?: number;
  /** How often the device list is re-read to notice plugged/unplugged devices. Default 1000. */
  relistMs?: number;
  clock?: Clock;
  logger?: Logger;
}

export type AudifyDevicesResult = { ok: true; devices: AudifyDevices } | { ok: false; reason: string };

/** Loads audify and builds the backend; says why when it cannot (never throws). */
export function createAudifyDevices(options: AudifyDevicesOptions = {}): AudifyDevicesResult {
  const load = loadAudify();
  if (!load.ok) return load;
  const logger = options.logger ?? silentLogger;
  const audify = load.audify;
  const platform = process.platform;
  let host: AudioHost;
  if (platform === 'win32') host = new NativeHost(audify, audify.RtAudioApi.WINDOWS_WASAPI, 'wasapi');
  else if (platform === 'darwin') host = new NativeHost(audify, audify.RtAudioApi.MACOSX_CORE, 'coreaudio');
  else if (options.linuxApi === 'alsa') host = new AlsaHost(audify, logger);
  else host = new PulseHost(audify, options.pulseLatencyMs ?? 20);
  try {
    return { ok: true, devices: new AudifyDevices(audify, host, options) };
  } catch (error) {
    return { ok: false, reason: `audify failed to start: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/**
 * AudioDevices over audify. Re-reads the device list every second (emitting `changed`), and
 * after any audio error; streams whose device vanished move to the default device (emitting
 * `fallback`), and move back when it returns.
 */
export class AudifyDevices implements AudioDevices {
  // (Built by createAudifyDevices, which loads audify and picks the host.)
  readonly events = new Emitter<AudioDeviceEvents>();
  readonly format: AudioFormat;
  readonly backend: string;
  readonly #host: AudioHost;
  readonly #audify: AudifyModule;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #queueFrames: number;
  readonly #streams = new Set<ResilientStream>();
  readonly #relist: TimerHandle;
  readonly #onError: RtErrorCallback;
  #snapshot: DeviceSnapshot;
  #signature: string;
  #closed = false;
  #errorCheck: TimerHandle | undefined;
  #errorsSinceCheck = 0;
  #errorsLogged = 0;

  constructor(audify: AudifyModule, host: AudioHost, options: AudifyDevicesOptions = {}) {
    const frameMs = options.frameMs ?? 20;
    if (frameMs !== 10 && frameMs !== 20) throw new RangeError(`frameMs must be 10 or 20, not ${String(frameMs)}`);
    this.format = { sampleRate: 48000, frameSamples: 48 * frameMs };
    this.#queueFrames = Math.max(1, Math.round((options.queueMs ?? 40) / frameMs));
    this.#audify = audify;
    this.#host = host;
    this.backend = host.backend;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#snapshot = host.list();
    this.#signature = signatureOf(this.#snapshot);
    this.#onError = (type, message) => this.#audioError(type, message);
    errorListeners.add(this.#onError);
    this.#relist = this.#clock.setInterval(() => this.#refresh(false), options.relistMs ?? 1000);
  }

  list(): { inputs: AudioDeviceInfo[]; outputs: AudioDeviceInfo[] } {
    if (!this.#closed) this.#refresh(false);
    return visible(this.#snapshot);
  }

  openPlayback(device: string | null, pull: () => Int16Array): PlaybackStream {
    return this.#start(new ResilientPlayback(device, this.#context(), pull));
  }

  openCapture(device: string | null, push: (frame: Int16Array) => void): CaptureStream {
    return this.#start(new ResilientCapture(device, this.#context(), push));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#relist.cancel();
    this.#errorCheck?.cancel();
    for (const stream of [...this.#streams]) stream.close();
    errorListeners.delete(this.#onError);
    this.events.removeAllListeners();
  }

  #start<S extends ResilientStream>(stream: S): S {
    if (this.#closed) throw new Error('the audio devices are closed');
    this.#streams.add(stream);
    stream.start(this.#snapshot);
    return stream;
  }

  #context(): StreamContext {
    return {
      host: this.#host,
      format: this.format,
      clock: this.#clock,
      logger: this.#logger,
      audify: this.#audify,
      queueFrames: this.#queueFrames,
      onFallback: (kind, lost, fallback) => {
        if (!this.#closed) this.events.emit('fallback', kind, lost, fallback);
      },
      onClosed: (stream) => this.#streams.delete(stream),
    };
  }

  #refresh(afterError: boolean): void {
    if (this.#closed) return;
    const snapshot = this.#host.list();
    const signature = signatureOf(snapshot);
    this.#snapshot = snapshot;
    if (signature !== this.#signature) {
      this.#signature = signature;
      this.events.emit('changed');
    }
    for (const stream of [...this.#streams]) stream.check(snapshot, afterError);
  }

  // Errors cannot be traced to a stream (see the top of the file): re-check everything soon,
  // and once more a little later so a runaway stream has shown its callback rate.
  #audioError(type: number, message: string): void {
    // Listing while the server is down fails too; that is our own probe, not a stream.
    if (message.includes('probeDevices')) {
      this.#logger.debug('device probe failed', { message });
      return;
    }
    this.#errorsSinceCheck++;
    if (this.#errorsLogged < 5 || this.#errorsSinceCheck === 1) {
      this.#errorsLogged++;
      this.#logger.warn('audio error', { type, message });
    }
    if (this.#errorCheck || this.#closed) return;
    this.#errorCheck = this.#clock.setTimeout(() => {
      this.#refresh(true);
      this.#errorCheck = this.#clock.setTimeout(() => {
        this.#errorCheck = undefined;
        this.#errorsSinceCheck = 0;
        this.#refresh(true);
      }, 300);
    }, 30);
  }
}

function visible(snapshot: DeviceSnapshot): { inputs: AudioDeviceInfo[]; outputs: AudioDeviceInfo[] } {
  const strip = (list: ListedDevice[]): AudioDeviceInfo[] =>
    list.filter((d) => !d.hidden).map(({ name, isDefault, channels }) => ({ name, isDefault, channels }));
  return { inputs: strip(snapshot.inputs), outputs: strip(snapshot.outputs) };
}

function signatureOf(snapshot: DeviceSnapshot): string {
  const { inputs, outputs } = visible(snapshot);
  const part = (list: AudioDeviceInfo[]): string => list.map((d) => `${d.name}${d.isDefault ? '*' : ''}`).join('\u0000');
  return `${part(outputs)}\u0001${part(inputs)}`;
}
