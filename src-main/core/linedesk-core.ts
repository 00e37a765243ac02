import { isIP } from 'node:net';
import { CallRegistry } from '../calls/call-registry.js';
import { systemClock, type Clock } from '../common/clock.js';
import { EventBus } from '../common/event-bus.js';
import { createLogger, type Logger } from '../common/logger.js';
import type { LineDeskConfig } from '../config/schema.js';
import type { Command, CommandResult } from '../contract/commands.js';
import type { ControlEvent } from '../contract/control-events.js';
import { createSessionDescriptionHandlerFactory } from '../media/session-description-handler-factory.js';
import { CommandRegistry } from '../modules/command-registry.js';
import { Media } from '../modules/media-module.js';
import type { CoreHost, CoreModule } from '../modules/module-api.js';
import { ServiceRegistry } from '../modules/services.js';
import { PbxAddresses } from '../sip/dns/pbx-addresses.js';
import { SipResolver } from '../sip/dns/sip-resolver.js';
import { TargetBlacklist } from '../sip/dns/target-blacklist.js';
import { SipLine } from '../sip/line/sip-line.js';
import { SignallingGuard } from '../sip/security/signalling-guard.js';
import { peerKey } from '../sip/transport/flow.js';
import { localAddressToward, SipMux } from '../sip/transport/sip-mux.js';
import { applySipTimersToSipJs } from '../sip/transport/sipjs-timers.js';
import { buildTransports, type Transports } from './build-transports.js';
import { collectDiagnostics } from './diagnostics.js';
import { firstHopAddress, pbxDestinations } from './dns-from-config.js';
import { installOrder } from './install-order.js';
import { lineSettings } from './line-settings-from-config.js';

export interface CoreOptions {
  config: LineDeskConfig;
  /** Folder relative file names in the config are resolved against. */
  baseDir: string;
  /** Feature modules to install (see default-modules.ts); installed in the order their needs give. */
  modules?: CoreModule[];
  clock?: Clock;
  log?: Logger;
}

type Hook = () => void | Promise<void>;

/**
 * LineDesk's core, with no window: the composition root. It owns what every feature
 * shares (the transports and the mux, one SipLine per configured line, the call registry,
 * the event bus and the command registry) and installs the feature modules, which do the
 * rest. The headless runner, browser mode and the Electron shell all drive exactly this
 * object: commands in, control events out.
 */
export class LineDeskCore {
  readonly #bus = new EventBus<ControlEvent>();
  /** What front ends (runner, windows) see: each event after every module has handled it. */
  readonly events = this.#bus.published;
  readonly commands = new CommandRegistry();
  readonly services = new ServiceRegistry();
  readonly calls: CallRegistry;
  readonly mux: SipMux;
  /** RFC 3263 resolution of registrar and proxy names (config dns), shared by the mux and every line. */
  readonly resolver: SipResolver;
  readonly blacklist: TargetBlacklist;
  /** Every resolved address of every registrar, backup and proxy, kept fresh by TTL. */
  readonly pbxAddresses: PbxAddresses;
  /** Who may send signalling over UDP: the PBX and security.trustedSources. */
  readonly guard: SignallingGuard;
  readonly lines = new Map<string, SipLine>();
  /** The local address that routes to the first line's first hop (media, Via and Contact default to it). */
  #localAddress = '127.0.0.1';
  readonly #transports: Transports;
  readonly #stops: Hook[] = [];
  readonly #closes: Hook[] = [];
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
    // Signalling only from the PBX (its resolved addresses, kept fresh) and the configured trusted sources.
    this.guard = new SignallingGuard({ pbx: this.pbxAddresses, trustedSources: config.security.trustedSources, clock: this.#clock, log: this.#log.child('guard') });
    this.mux = new SipMux({
      guard: this.guard,
      resolver: this.resolver,
      udpKeepAliveMs: config.nat.keepAliveMs,
      ...(this.#transports.udp ? { udp: this.#transports.udp } : {}),
      connections: this.#transports.connections,
      clock: this.#clock,
      log: this.#log.child('mux'),
      timers: { t1: config.timers.t1, t2: config.timers.t2, t4: config.timers.t4 },
      limits: { maxMessageBytes: config.limits.maxMessageBytes, maxHeaderBytes: config.limits.maxHeaderBytes, maxHeaders: 256 },
    });
    // Late forks of an ended call are refused for as long as the PBX may still retransmit (64*T1).
    this.calls = new CallRegistry(this.#clock, 64 * config.timers.t1);
    this.commands.register('quit', () => {
      void this.stop();
      return { ok: true };
    });
    this.commands.register('diagnostics', async (cmd) => {
      const service = this.services.has(Media) ? this.services.get(Media) : undefined;
      const workersHeapUsed = await service?.workersHeapUsed(cmd.gc === true);
      const media = service?.stats();
      const e = collectDiagnostics(cmd, { calls: this.calls, mux: this.mux, lines: this.lines.values(), ...(media ? { media } : {}) });
      if (workersHeapUsed !== undefined) e.memory.workersHeapUsed = workersHeapUsed;
      this.#bus.emit(e);
      return { ok: true, value: e };
    });
  }

  get config(): LineDeskConfig {
    return this.opts.config;
  }

  get running(): boolean {
    return this.#state === 'running';
  }

  /** Creates the lines, installs the modules, announces `ready`, then starts registering. */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error('core already started');
    this.#state = 'running';
    const { config } = this.opts;
    applySipTimersToSipJs(config.timers);
    if (this.#transports.udp) await this.#transports.udp.start();
    // In the background: nothing at start needs it, and a slow DNS must not hold the start up twice.
    void this.pbxAddresses.start();
    const first = config.lines[0];
    if (first) this.#localAddress = await localAddressToward(await firstHopAddress(this.resolver, lineSettings(config, first)));
    await this.#createLines();
    const host = this.#host();
    for (const m of installOrder(this.opts.modules ?? [])) {
      try {
        await m.install(host);
      } catch (error) {
        throw new Error(`module ${m.name} failed to start: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    }
    for (const line of this.lines.values()) line.events.on('state', (state, detail) => this.#bus.emit({ event: 'line.state', line: line.id, state, ...detail }));
    const transports: { protocol: string; local: string }[] = [];
    if (this.#transports.udp) transports.push({ protocol: 'udp', local: peerKey(this.#transports.udp.local) });
    for (const p of Object.keys(this.#transports.connections)) transports.push({ protocol: p, local: 'outbound connections' });
    // Lines whose calls are or may be recorded (the line window's Record button).
    const recording: Record<string, 'all' | 'on-demand'> = {};
    for (const l of this.config.lines) {
      const mode = l.recording ?? this.config.recording.mode;
      if (mode !== 'off') recording[l.id] = mode;
    }
    this.#bus.emit({ event: 'ready', lines: [...this.lines.keys()], transports, ...(Object.keys(recording).length > 0 ? { recording } : {}) });
    for (const line of this.lines.values()) line.start();
  }

  /** Carries out one validated command. */
  async execute(cmd: Command): Promise<CommandResult> {
    if (this.#state !== 'running') return { ok: false, error: 'LineDesk is not running' };
    return this.commands.execute(cmd);
  }

  /**
   * Stops in three steps: the modules' stop hooks (hang up, go offline) while the lines are
   * still registered; then every line un-registers in parallel (each bounded) and the
   * sockets close; then the modules' close hooks (the database, the sound card).
   */
  async stop(): Promise<void> {
    if (this.#state === 'stopping' || this.#state === 'stopped') return;
    this.#state = 'stopping';
    await this.#runHooks(this.#stops, 'stop');
    const timeout = this.opts.config.timers.unregisterTimeoutMs;
    await Promise.allSettled([...this.lines.values()].map((l) => l.stop(timeout)));
    this.pbxAddresses.stop();
    this.mux.dispose();
    this.#transports.close();
    await this.#runHooks(this.#closes, 'close');
    this.calls.dispose();
    this.#state = 'stopped';
    this.#bus.emit({ event: 'stopped' });
  }

  async #createLines(): Promise<void> {
    const { config } = this.opts;
    // Each session asks its call for its media endpoint, by Call-ID: the call knows its line.
    const sessionDescriptionHandlerFactory = createSessionDescriptionHandlerFactory({
      openEndpoint: (callId) => this.calls.get(callId)?.openMedia() ?? Promise.reject(new Error(`no call ${callId}`)),
      log: this.#log.child('sdp'),
      ptimeMs: config.media.ptimeMs,
      callOwnsMedia: true,
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
        sessionDescriptionHandlerFactory,
        userAgentString: config.userAgent,
        dns: { resolver: this.resolver, blacklist: this.blacklist },
        digestPolicy: config.security.digest,
        isPbxHost: (host) => this.guard.fromPbx(host),
        ...(settings.protocol === 'udp' && this.#transports.udp ? { family: isIP(this.#transports.udp.local.host) === 6 ? (6 as const) : (4 as const) } : {}),
      });
      this.lines.set(line.id, line);
    }
  }

  /** What modules see of the core. */
  #host(): CoreHost {
    const config = this.opts.config;
    const agentLines = new Set(config.lines.filter((l) => l.autoAnswerMs === undefined).map((l) => l.id));
    return {
      events: { on: (_event, listener) => this.#bus.subscribe(listener) },
      emit: (e) => this.#bus.emit(e),
      commands: this.commands,
      services: this.services,
      calls: this.calls,
      clock: this.#clock,
      log: this.#log,
      config,
      baseDir: this.opts.baseDir,
      lineIds: () => config.lines.map((l) => l.id),
      isAgentLine: (line) => agentLines.has(line),
      sipLines: this.lines,
      localAddress: this.#localAddress,
      onStop: (fn) => void this.#stops.push(fn),
      onClose: (fn) => void this.#closes.push(fn),
    };
  }

  /** Last registered first; one that fails is logged and the others still run. */
  async #runHooks(hooks: Hook[], phase: string): Promise<void> {
    for (const fn of [...hooks].reverse()) {
      try {
        await fn();
      } catch (error) {
        this.#log.warn(`a module failed to ${phase} cleanly`, { error });
      }
    }
  }
}
