import { isIP } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { resolve as resolvePath } from 'node:path';
import { systemClock, type Clock } from '../common/clock.js';
import { Emitter } from '../common/emitter.js';
import { createLogger, type Logger } from '../common/logger.js';
import { CallLeg } from '../calls/call-leg.js';
import type { LineDeskConfig } from '../config/schema.js';
import { Dispatcher } from '../dispatch/dispatcher.js';
import type { Command, CommandResult } from '../contract/commands.js';
import type { ControlEvent } from '../contract/control-events.js';
import { RtpMediaEngine, type LineMedia } from '../media/rtp-media-engine.js';
import { availableCodecs } from '../media/codec/create-codec.js';
import type { AudioDevices } from '../media/audio/audio-device.js';
import { createAudioDevices } from '../media/audio/create-audio-devices.js';
import { Ringer } from '../media/audio/ringer.js';
import { readWavFile } from '../media/audio/wav-file.js';
import type { SelectedDevices } from '../contract/control-events.js';
import { registerDeviceCommands } from './device-commands.js';
import { createSessionDescriptionHandlerFactory } from '../media/session-description-handler-factory.js';
import { SipLine } from '../sip/line/sip-line.js';
import { PbxAddresses } from '../sip/dns/pbx-addresses.js';
import { SipResolver } from '../sip/dns/sip-resolver.js';
import { TargetBlacklist } from '../sip/dns/target-blacklist.js';
import { firstHopAddress, pbxDestinations } from './dns-from-config.js';
import { peerKey } from '../sip/transport/flow.js';
import { localAddressToward, SipMux } from '../sip/transport/sip-mux.js';
import { applySipTimersToSipJs } from '../sip/transport/sipjs-timers.js';
import { buildTransports, type Transports } from './build-transports.js';
import { CommandRegistry } from './command-registry.js';
import { registerCallCommands } from './call-commands.js';
import { OutboundCalls } from './outbound-commands.js';
import type { CoreHost, CoreModule } from './core-module.js';
import { lineSettings } from './line-settings-from-config.js';

export interface CoreEvents extends Record<string, unknown[]> {
  event: [e: ControlEvent];
}

export interface CoreOptions {
  config: LineDeskConfig;
  /** Folder relative file names in the config are resolved against. */
  baseDir: string;
  /** The sound card (the front end chooses it); none: device-mode lines only listen. */
  audioDevices?: AudioDevices;

  /** Feature modules to install (see default-modules.ts). */
  modules?: CoreModule[];
  clock?: Clock;
  log?: Logger;
}

/**
 * LineDesk's core, with no window: the shared transports and mux, one SipLine per
 * configured line, and the call layer. The headless runner and the Electron shell both
 * drive exactly this object: commands in, control events out.
 */
export class LineDeskCore implements CoreHost {
  /** What front ends (runner, windows) see: each event after every module has handled it. */
  readonly events = new Emitter<CoreEvents>();
  /** What modules see, first: so an event on stdout is already on disk (stats) and in effect (agent). */
  readonly #moduleEvents = new Emitter<CoreEvents>();
  #outbox: ControlEvent[] = [];
  #emitDepth = 0;
  readonly mux: SipMux;
  /** RFC 3263 resolution of registrar and proxy names (config dns), shared by the mux and every line. */
  readonly resolver: SipResolver;
  readonly blacklist: TargetBlacklist;
  /** Every resolved address of every registrar, backup and proxy, kept fresh by TTL. */
  readonly pbxAddresses: PbxAddresses;
  readonly lines = new Map<string, SipLine>();
  readonly dispatcher: Dispatcher;
  /** Feature modules register their commands here. */
  readonly commands = new CommandRegistry();
  readonly #transports: Transports;
  /** Run at stop, in reverse order: modules that hold resources add themselves. */
  readonly #onStop: (() => void | Promise<void>)[] = [];
  #media: RtpMediaEngine | undefined;
  /** Every inbound call leg by Call-ID, while it lives. */
  readonly #legs = new Map<string, CallLeg>();
  readonly #clock: Clock;
  readonly #log: Logger;
  #state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';

  constructor(private readonly opts: CoreOptions) {
    this.#clock = opts.clock ?? systemClock;
    this.#log = opts.log ?? createLogger(opts.config.log.level);
    const { config } = opts;
    this.#transports = buildTransports(config, opts.baseDir, this.#clock, this.#log.child('transport'));
    this.resolver = new SipResolver({ servers: config.dns.servers, clock: this.#clock, log: this.#log.child('dns'), maxCacheMs: config.dns.maxCacheSec * 1000 });
    this.blacklist = new TargetBlacklist(this.#clock, config.dns.failedTargetSkipSec * 1000);
    this.pbxAddresses = new PbxAddresses(this.resolver, pbxDestinations(config), this.#clock, this.#log.child('dns'));
    this.mux = new SipMux({
      resolver: this.resolver,
      udpKeepAliveMs: config.nat.keepAliveMs,
      ...(this.#transports.udp ? { udp: this.#transports.udp } : {}),
      connections: this.#transports.connections,
      clock: this.#clock,
      log: this.#log.child('mux'),
      timers: { t1: config.timers.t1, t2: config.timers.t2, t4: config.timers.t4 },
      limits: { maxMessageBytes: config.limits.maxMessageBytes, maxHeaderBytes: config.limits.maxHeaderBytes, maxHeaders: 256 },
    });
    const cores = Math.max(1, cpus().length);
    this.dispatcher = new Dispatcher({
      config: config.dispatch,
      clock: this.#clock,
      log: this.#log.child('dispatch'),
      emit: (e) => this.#emit(e),
      context: { random: Math.random, cpuLoad: () => (loadavg()[0] ?? 0) / cores },
      lines: config.lines.map((l) => {
        const s = lineSettings(config, l);
        return { id: s.id, aor: s.aor, maxCalls: s.maxCalls, ...(s.autoAnswerMs !== undefined ? { autoAnswerMs: s.autoAnswerMs } : {}) };
      }),
    });
    this.commands.register('quit', () => {
      void this.stop();
      return { ok: true };
    });
  }

  get clock(): Clock {
    return this.#clock;
  }

  get log(): Logger {
    return this.#log;
  }

  get config(): LineDeskConfig {
    return this.opts.config;
  }

  get baseDir(): string {
    return this.opts.baseDir;
  }

  lineIds(): string[] {
    return this.opts.config.lines.map((l) => l.id);
  }

  isAgentLine(line: string): boolean {
    const l = this.opts.config.lines.find((x) => x.id === line);
    return l !== undefined && l.autoAnswerMs === undefined;
  }

  setLinePaused(line: string, paused: boolean): void {
    if (this.isAgentLine(line)) this.dispatcher.setPaused(line, paused);
  }

  /** The event bus: modules emit their events here, like the core's own. */
  emit(e: ControlEvent): void {
    this.#emit(e);
  }

  /** A module's cleanup, run when the core stops (last registered, first run). */
  onStop(fn: () => void | Promise<void>): void {
    this.#onStop.push(fn);
  }

  get running(): boolean {
    return this.#state === 'running';
  }

  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error('core already started');
    this.#state = 'running';
    const { config } = this.opts;
    // Modules get a view of the host whose event bus runs before the front ends'.
    const moduleHost: CoreHost = {
      events: this.#moduleEvents,
      emit: (e) => this.#emit(e),
      commands: this.commands,
      clock: this.#clock,
      log: this.#log,
      config: this.opts.config,
      baseDir: this.opts.baseDir,
      lineIds: () => this.lineIds(),
      isAgentLine: (line) => this.isAgentLine(line),
      setLinePaused: (line, paused) => this.setLinePaused(line, paused),
      onStop: (fn) => this.onStop(fn),
    };
    for (const m of this.opts.modules ?? []) {
      try {
        await m.install(moduleHost);
      } catch (error) {
        throw new Error(`module ${m.name} failed to start: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    applySipTimersToSipJs(config.timers);
    if (this.#transports.udp) await this.#transports.udp.start();
    // In the background: nothing at start needs it, and a slow DNS must not hold the start up twice.
    void this.pbxAddresses.start();
    const firstHop = lineSettings(config, config.lines[0]!);
    const mediaAddress = config.media.address ?? (await localAddressToward(await firstHopAddress(this.resolver, firstHop)));
    const devices = this.opts.audioDevices ?? this.#openSoundCard();
    const files = await this.#loadServiceFiles();
    const selected: SelectedDevices = { headset: config.media.headset ?? null, microphone: config.media.microphone ?? null, ringer: config.media.ringer ?? null, perLine: {} };
    const media = (this.#media = this.#buildMedia(mediaAddress, devices, files, selected));
    const ringer = config.media.ringtone
      ? await Ringer.withWavFile({ devices, device: selected.ringer, logger: this.#log.child('ringer') }, resolvePath(this.opts.baseDir, config.media.ringtone))
      : new Ringer({ devices, device: selected.ringer, logger: this.#log.child('ringer') });
    registerDeviceCommands({ host: this, devices, ringer, selected });
    const outbound = new OutboundCalls({ host: this, dispatcher: this.dispatcher, line: (id) => this.lines.get(id), inboundOn: (l) => this.#inboundOn(l) });
    registerCallCommands({
      host: this,
      dispatcher: this.dispatcher,
      media,
      knownLine: (l) => this.lines.has(l),
      activeLeg: (l) => this.#inboundOn(l) ?? outbound.activeOn(l),
      dtmfMethod: (l) => config.lines.find((x) => x.id === l)?.media?.dtmf ?? config.media.dtmf,
    });
    for (const lc of config.lines) {
      const settings = lineSettings(config, lc);
      const localHost = await this.mux.localHostFor(settings.protocol, await firstHopAddress(this.resolver, settings));
      const line = new SipLine(settings, {
        mux: this.mux,
        clock: this.#clock,
        log: this.#log.child(`line.${settings.id}`),
        timers: config.timers,
        localHost,
        sessionDescriptionHandlerFactory: createSessionDescriptionHandlerFactory({ engine: media, lineId: settings.id, log: this.#log.child('sdp'), ptimeMs: config.media.ptimeMs }),
        userAgentString: config.userAgent,
        dns: { resolver: this.resolver, blacklist: this.blacklist },
        ...(settings.protocol === 'udp' && this.#transports.udp ? { family: isIP(this.#transports.udp.local.host) === 6 ? (6 as const) : (4 as const) } : {}),
      });
      this.lines.set(line.id, line);
      line.events.on('state', (state, detail) => {
        this.dispatcher.setRegistration(line.id, state);
        this.#emit({ event: 'line.state', line: line.id, state, ...detail });
      });
      line.events.on('invite', (invitation) => {
        try {
          const leg = new CallLeg(invitation, line.id, this.#clock, this.#log.child('call'));
          this.#trackLeg(leg);
          this.dispatcher.onInvite(leg);
        } catch (error) {
          this.#log.error('could not take an incoming call', { line: line.id, error });
          invitation.reject({ statusCode: 500 }).catch(() => {});
        }
      });
    }
    const transports: { protocol: string; local: string }[] = [];
    if (this.#transports.udp) transports.push({ protocol: 'udp', local: peerKey(this.#transports.udp.local) });
    for (const p of Object.keys(this.#transports.connections)) transports.push({ protocol: p, local: 'outbound connections' });
    this.#emit({ event: 'ready', lines: [...this.lines.keys()], transports });
    for (const line of this.lines.values()) line.start();
  }

  /** Carries out one validated command. */
  async execute(cmd: Command): Promise<CommandResult> {
    if (this.#state !== 'running') return { ok: false, error: 'LineDesk is not running' };
    return this.commands.execute(cmd);
  }

  /** Hangs up, un-registers every line in parallel (each bounded), closes the sockets. */
  async stop(): Promise<void> {
    if (this.#state === 'stopping' || this.#state === 'stopped') return;
    this.#state = 'stopping';
    this.dispatcher.shutdown();
    for (const fn of [...this.#onStop].reverse()) {
      try {
        await fn();
      } catch (error) {
        this.#log.warn('a module failed to stop cleanly', { error });
      }
    }
    const timeout = this.opts.config.timers.unregisterTimeoutMs;
    await Promise.allSettled([...this.lines.values()].map((l) => l.stop(timeout)));
    this.pbxAddresses.stop();
    this.mux.dispose();
    this.#transports.close();
    this.#media?.close();
    this.#state = 'stopped';
    this.#emit({ event: 'stopped' });
  }

  /** The sound card from `media.audio`; without one, device-mode calls run on a timer. */
  #openSoundCard(): AudioDevices {
    const { devices, note } = createAudioDevices(this.opts.config.media.audio, { clock: this.#clock, logger: this.#log.child('audio') });
    this.#log.info(`sound card: ${note}`);
    return devices;
  }

  /** WAV files of "file" service lines, read once at start (a missing file stops the start with its name). */
  async #loadServiceFiles(): Promise<Map<string, { pcm: Int16Array; rate: number }>> {
    const files = new Map<string, { pcm: Int16Array; rate: number }>();
    for (const l of this.opts.config.lines) {
      if (l.media?.mode !== 'file') continue;
      if (!l.media.file) throw new Error(`line ${l.id}: media mode "file" needs media.file`);
      const path = resolvePath(this.opts.baseDir, l.media.file);
      try {
        const { samples, sampleRate } = await readWavFile(path);
        files.set(l.id, { pcm: samples, rate: sampleRate });
      } catch (error) {
        throw new Error(`line ${l.id}: cannot play ${path}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return files;
  }

  #buildMedia(address: string, devices: AudioDevices, files: Map<string, { pcm: Int16Array; rate: number }>, selected: SelectedDevices): RtpMediaEngine {
    const { config } = this.opts;
    const lineMedia = (id: string): LineMedia => {
      const l = config.lines.find((x) => x.id === id);
      const m = l?.media ?? {};
      const mode = m.mode ?? (l?.autoAnswerMs !== undefined ? 'echo' : 'device');
      const chosen = selected.perLine[id] ?? {};
      return { mode, headset: chosen.headset ?? m.headset ?? selected.headset, microphone: chosen.microphone ?? m.microphone ?? selected.microphone };
    };
    const codecs = availableCodecs(config.media.codecs);
    if (codecs.length === 0) throw new Error(`none of the configured codecs (${config.media.codecs.join(', ')}) can run here`);
    return new RtpMediaEngine({
      address,
      ports: { min: config.media.rtpPortMin, max: config.media.rtpPortMax },
      codecs,
      symmetricRtp: config.media.symmetricRtp,
      jitter: { minDelayMs: config.media.jitterMinMs, maxDelayMs: config.media.jitterMaxMs },
      // Converted once, here, to the rate of every codec in use (not per call, not in a media tick).
      serviceFiles: files,
      devices,
      clock: this.#clock,
      log: this.#log.child('media'),
      lineOf: (callId, arrival) => this.dispatcher.lineOfCall(callId) ?? arrival,
      lineMedia,
      on: {
        quality: ({ callId, line }, q) => this.#emit({ event: 'call.quality', call: callId, line, ...q }),
        dtmf: ({ callId, line }, digit, durationMs) => this.#emit({ event: 'call.dtmf', call: callId, line, digit, direction: 'in', method: 'rfc4733', durationMs }),
        remoteHold: ({ callId, line }, on) => this.#emit({ event: 'call.held', call: callId, line, on, by: 'remote' }),
      },
    });
  }

  #inboundOn(line: string): CallLeg | undefined {
    const leg = this.dispatcher.activeCallOn(line);
    return leg ? this.#legs.get(leg.callId) : undefined;
  }

  #trackLeg(leg: CallLeg): void {
    // Forks share the Call-ID: keep the first one, as the dispatcher's claim does.
    if (this.#legs.has(leg.callId)) return;
    this.#legs.set(leg.callId, leg);
    leg.events.on('dtmf', (digit, durationMs) => {
      const line = this.dispatcher.lineOfCall(leg.callId) ?? leg.arrivalLine;
      this.#emit({ event: 'call.dtmf', call: leg.callId, line, digit, direction: 'in', method: 'info', ...(durationMs !== undefined ? { durationMs } : {}) });
    });
    leg.events.on('ended', () => {
      if (this.#legs.get(leg.callId) === leg) this.#legs.delete(leg.callId);
    });
  }

  /**
   * Modules first, then front ends. Events a module emits while handling another one are
   * queued, so front ends still see them in causal order (call.ended, then agent.state).
   */
  #emit(e: ControlEvent): void {
    this.#outbox.push(e);
    this.#emitDepth++;
    try {
      this.#moduleEvents.emit('event', e);
    } finally {
      this.#emitDepth--;
    }
    if (this.#emitDepth > 0) return;
    const out = this.#outbox;
    this.#outbox = [];
    for (const x of out) this.#publish(x);
  }

  #publish(e: ControlEvent): void {
    this.events.emit('event', e);
  }
}
