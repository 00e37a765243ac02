import { Registerer, RegistererState, UserAgent, UserAgentState, type Invitation, type SessionDescriptionHandlerFactory } from 'sip.js';
import type { Clock, TimerHandle } from '../../common/clock.js';
import { Emitter } from '../../common/emitter.js';
import type { Logger } from '../../common/logger.js';
import { preferStrongestChallenge } from '../auth/challenge-order.js';
import { CredentialGuard, defaultDigestPolicy, type DigestPolicy } from '../auth/credential-guard.js';
import { DigestCredentials } from '../auth/digest-credentials.js';
import { parseSipUri, type SipMessage, type SipResponse } from '../message/sip-message.js';
import { bareHost, uriHost } from '../message/uri-host.js';
import type { Via } from '../message/via.js';
import { SipResolver } from '../dns/sip-resolver.js';
import { targetKey } from '../dns/sip-target.js';
import { TargetBlacklist } from '../dns/target-blacklist.js';
import type { Flow, Peer } from '../transport/flow.js';
import { LineTransport, type LineTransportOptions } from '../transport/line-transport.js';
import type { MuxLine, SipMux } from '../transport/sip-mux.js';
import { inviteRingLimitMs } from '../transport/sip-timers.js';
import { HopTargets } from './hop-targets.js';
import { routeUpdates, type InDialogUpdate } from './in-dialog-update.js';
import type { LineSettings, SipServer } from './line-settings.js';
import { NatContact } from './nat-contact.js';
import { goesToPbx, requestDestinationHost } from './request-destination.js';
import { serverDestination } from './server-destination.js';
import { RegistrationController, type RegisterOutcome, type RegistrationAgent, type RegistrationState, type RegistrationTimers } from './registration-controller.js';

export interface SipLineEvents extends Record<string, unknown[]> {
  state: [state: RegistrationState, detail: LineStateDetail];
  /** `source`: the far end of the flow the INVITE came in on (the PBX or proxy that sent it). */
  invite: [invitation: Invitation, source: Peer | undefined];
  /** An in-dialog UPDATE (a session refresh): answer it synchronously, or the line answers for you. */
  update: [update: InDialogUpdate];
}

export interface LineStateDetail {
  registrar: string;
  /** The DNS target concerned, e.g. "udp:192.0.2.10:5060" (when one was picked). */
  target?: string;
  reason?: string;
  status?: number;
}

export interface SipLineDeps {
  mux: SipMux;
  clock: Clock;
  log: Logger;
  timers: RegistrationTimers;
  /** Local host for Via and Contact (the mux knows it per protocol). */
  localHost: string;
  sessionDescriptionHandlerFactory: SessionDescriptionHandlerFactory;
  userAgentString: string;
  /** RFC 3263 resolution and the failed-target list, shared by every line (each line gets its own otherwise). */
  dns?: { resolver: SipResolver; blacklist: TargetBlacklist };
  /** The address family of the line's UDP socket: only targets of that family are reachable. */
  family?: 4 | 6;
  /** Which digest challenges the line answers (default: defaultDigestPolicy). */
  digestPolicy?: DigestPolicy;
  /** The PBX's addresses and trusted sources (core: pbxAddresses + security.trustedSources): credentials may go there. */
  isPbxHost?: (host: string) => boolean;
}

/**
 * One line: a sip.js UserAgent registered as one contact of an AOR, speaking through
 * the shared mux. The RegistrationController decides when to (re-)register, fail over,
 * or declare the line down; this class does the SIP for it.
 */
export class SipLine implements MuxLine {
  readonly events = new Emitter<SipLineEvents>();
  readonly id: string;
  readonly protocol: LineSettings['protocol'];
  readonly aorUser: string;
  readonly aorHost: string;
  readonly forceNextHop: boolean;
  readonly ua: UserAgent;
  readonly controller: RegistrationController;
  #transport: LineTransport | undefined;
  #registerers = new Map<number, Registerer>();
  /** The DNS targets of each registrar (by index), and of the outbound proxy. */
  readonly #hops: HopTargets[];
  readonly #proxyHops: HopTargets | undefined;
  readonly #blacklist: TargetBlacklist;
  /** Set while this line reports its own target failure (its own blacklist event is not news). */
  #failing = false;
  #offBlacklist: (() => void) | undefined;
  readonly #nat: NatContact;
  /** The Contact the registrar holds for us (a NAT may make it stale: it is then removed). */
  #registeredContact: string | undefined;
  #detachMux: (() => void) | undefined;
  /** Why the last challenge was not answered (shown in the line's failed state). */
  #authRefusal: string | undefined;
  #started = false;
  #stopped = false;

  constructor(
    readonly settings: LineSettings,
    private readonly deps: SipLineDeps,
  ) {
    this.id = settings.id;
    this.protocol = settings.protocol;
    const aor = parseSipUri(settings.aor);
    if (!aor?.user) throw new Error(`line ${settings.id}: AOR ${settings.aor} has no user part`);
    this.aorUser = aor.user;
    this.aorHost = aor.host;
    this.forceNextHop = settings.outboundProxy !== undefined;
    const uri = UserAgent.makeURI(settings.aor);
    if (!uri) throw new Error(`line ${settings.id}: AOR ${settings.aor} is not a SIP URI`);
    const log = deps.log;
    const transportOptions: LineTransportOptions = {
      mux: deps.mux,
      lineId: settings.id,
      protocol: settings.protocol,
      attach: (t) => (this.#transport = t),
    };
    this.ua = new UserAgent({
      uri,
      displayName: settings.displayName ?? '',
      authorizationUsername: settings.username,
      authorizationPassword: settings.password,
      transportConstructor: LineTransport,
      transportOptions,
      viaHost: uriHost(deps.localHost), // sip.js writes it as is: an IPv6 address needs its brackets
      forceRport: true,
      contactName: '', // random per line: the mux routes on it, and sip.js then tolerates NAT-rewritten Contacts
      contactParams: { transport: settings.protocol },
      // The call layer decides whether a call rings (180) or queues (182), so no automatic 180.
      sendInitialProvisionalResponse: false,
      noAnswerTimeout: inviteRingLimitMs / 1000, // the transport keeps a ringing INVITE's state as long
      gracefulShutdown: false,
      logConfiguration: false,
      logBuiltinEnabled: false,
      logConnector: (level, category, _label, content) => {
        if (level === 'error') log.warn(`sip.js ${category}: ${content}`);
        else if (level === 'warn') log.info(`sip.js ${category}: ${content}`);
        else if (log.enabled('debug')) log.debug(`sip.js ${category}: ${content}`);
      },
      userAgentString: deps.userAgentString,
      ...(settings.nat?.outbound && settings.nat.instanceId ? { instanceId: settings.nat.instanceId } : {}),
      sessionDescriptionHandlerFactory: deps.sessionDescriptionHandlerFactory,
      ...(settings.supported?.length ? { sipExtensionExtraSupported: settings.supported } : {}),
      delegate: {
        onInvite: (invitation) => this.events.emit('invite', invitation, this.deps.mux.requestSource(invitation.request.viaBranch, 'INVITE')),
        // A REFER outside any call asks us to place a call out of the blue: never (sip.js would answer 405, whose Allow lists REFER).
        onReferRequest: (refer) => {
          log.warn('out-of-dialog REFER refused (403)', { line: settings.id, from: refer.message.from.uri.toString() });
          refer.reject({ statusCode: 403, reasonPhrase: 'REFER only within a call' });
        },
        onDisconnect: (error) => {
          if (error && !this.#stopped) this.controller.transportLost(error.message);
        },
      },
    });
    routeUpdates(this.ua, (u) => this.events.emit('update', u));
    // sip.js knows only MD5 and reads only the first challenge: bring our own digest, and
    // answer only the PBX's challenges (credential-guard.ts).
    const guard = new CredentialGuard(deps.digestPolicy ?? defaultDigestPolicy, (req) => goesToPbx(requestDestinationHost(req, this.protocol, this.forceNextHop), settings, () => this.nextHop().host, deps.isPbxHost));
    const refused = (m: string): void => {
      log.warn(m);
      this.#authRefusal = m;
    };
    this.ua.userAgentCore.configuration.authenticationFactory = () => new DigestCredentials(settings.username, settings.password, refused, undefined, guard) as never;
    const dns = deps.dns ?? { resolver: new SipResolver({ clock: deps.clock, log }), blacklist: new TargetBlacklist(deps.clock, 30_000) };
    this.#blacklist = dns.blacklist;
    this.#nat = new NatContact(settings.protocol === 'udp' ? settings.nat : undefined);
    const hops = (server: SipServer): HopTargets => {
      const dest = serverDestination(server, settings.protocol, deps.family);
      return new HopTargets(() => dns.resolver.resolve(dest), dns.blacklist);
    };
    this.#hops = settings.registrars.map(hops);
    this.#proxyHops = settings.outboundProxy ? hops(settings.outboundProxy) : undefined;
    const agent: RegistrationAgent = {
      connect: (i) => this.#connect(i),
      register: (i) => this.#register(i),
      probe: (i) => this.#probe(i),
      failover: (i, reason, retryAfterMs, status) => this.#failover(i, reason, retryAfterMs, status),
    };
    this.controller = new RegistrationController(agent, settings.registrars.length, deps.clock, deps.timers);
    this.controller.events.on('state', (state, detail) => {
      const out: LineStateDetail = { registrar: this.#registrar(detail.registrar).uri };
      const target = this.#hopsFor(detail.registrar).current();
      if (target) out.target = targetKey(target);
      if (detail.reason !== undefined) out.reason = detail.reason;
      if (detail.status !== undefined) out.status = detail.status;
      this.events.emit('state', state, out);
    });
  }

  get state(): RegistrationState {
    return this.controller.state;
  }

  /** Calls are offered only to a line that is registered. */
  get reachable(): boolean {
    return this.controller.state === 'registered';
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#detachMux = this.deps.mux.addLine(this);
    // Another line found our target failing: move on now rather than wait for our own timeout.
    this.#offBlacklist = this.#blacklist.events.on('failed', (t, reason) => {
      const mine = this.#hopsFor(this.controller.registrar).current();
      if (!this.#failing && mine && targetKey(mine) === targetKey(t)) this.controller.targetFailed(`${targetKey(t)} failed for another line: ${reason}`);
    });
    this.controller.start();
  }

  /**
   * Un-registers (bounded by `timeoutMs`, since sip.js alone would wait 32 s for an
   * unanswered un-REGISTER) and stops the user agent.
   */
  async stop(timeoutMs: number): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    const wasRegistered = this.controller.state === 'registered';
    this.controller.stop();
    this.#offBlacklist?.();
    const reg = this.#registerers.get(this.controller.registrar);
    if (wasRegistered && reg && reg.state === RegistererState.Registered && this.#transport?.isConnected()) {
      await this.#bounded(
        new Promise<void>((resolve) => {
          reg.unregister({ requestDelegate: { onAccept: () => resolve(), onReject: () => resolve() } }).catch(() => resolve());
        }),
        timeoutMs,
      );
    }
    for (const r of this.#registerers.values()) r.dispose().catch(() => {});
    await this.ua.stop().catch(() => {});
    this.#detachMux?.();
    this.events.removeAllListeners();
  }

  /**
   * The IP of the flow to this line's registrar or outbound proxy, where the SIP of the calls
   * it places goes: the signalling peer their media may latch onto. Undefined when there is
   * no flow.
   */
  async signallingPeerIp(): Promise<string | undefined> {
    try {
      return (await this.deps.mux.flowFor(this.id)).remote.host;
    } catch {
      return undefined;
    }
  }

  // --- MuxLine ---

  contactUser(): string {
    return this.ua.contact.uri.user ?? '';
  }

  /** The DNS target in use (picked before every registration attempt), else the configured address. */
  nextHop(): Peer {
    const index = this.controller.registrar;
    const server = this.settings.outboundProxy ?? this.#registrar(index);
    const target = this.#hopsFor(index).current();
    return this.#named(target ? { host: target.host, port: target.port } : { ...server.address }, server);
  }

  registrarAddress(requestUri: string): Peer | undefined {
    const want = parseSipUri(requestUri);
    if (!want) return undefined;
    const index = this.settings.registrars.findIndex((r) => {
      const u = parseSipUri(r.uri);
      return u?.host === want.host && u.port === want.port;
    });
    if (index < 0) return undefined;
    const target = this.#hops[index]!.current();
    const server = this.settings.registrars[index]!;
    return this.#named(target ? { host: target.host, port: target.port } : { ...server.address }, server);
  }

  /** Over TLS the certificate is checked against the server's URI host, not the address it resolved to (RFC 5922). */
  #named(peer: Peer, server: SipServer): Peer {
    return this.protocol === 'tls' || this.protocol === 'wss' ? { ...peer, servername: server.address.host } : peer;
  }

  deliver(text: string, message?: SipMessage): void {
    const reordered = preferStrongestChallenge(text);
    // A reordered challenge is new text: sip.js parses that one itself.
    this.#transport?.deliver(reordered, reordered === text ? message : undefined);
  }

  flowClosed(error: Error | undefined): void {
    this.#transport?.lost(error ?? new Error('connection closed'));
  }

  /** The registrar told us where it sees us: behind a NAT, the Contact moves there (and is registered again). */
  registerAnswered(res: SipResponse, via: Via | undefined, _flow: Flow): void {
    const uri = this.ua.contact.uri;
    const moved = this.#nat.observe(res, via, { host: bareHost(uri.host), port: uri.port ?? 5060 });
    if (!moved) return;
    this.deps.log.info(`behind a NAT: the registrar sees us at ${moved.host}:${moved.port} (Contact was ${uri.host}:${uri.port ?? 5060})`);
    uri.host = uriHost(moved.host);
    uri.port = moved.port;
    // An answer to a refresh (the NAT changed its mapping): register the new Contact once
    // sip.js has taken this answer. During a registration attempt, the attempt does it.
    this.deps.clock.setTimeout(() => this.controller.refresh(), 0);
  }

  // --- RegistrationAgent ---

  async #connect(index: number): Promise<void> {
    await this.#hopsFor(index).pick();
    const flow = await this.deps.mux.flowFor(this.id);
    // The Contact must carry the port the registrar can reach us on: the shared UDP
    // port, or this connection's own local port (the proxy reuses the connection).
    // Behind a NAT (UDP), the address the registrar saw us at instead.
    if (flow.protocol !== 'ws' && flow.protocol !== 'wss') {
      const at = this.#nat.contactAddress({ host: this.deps.localHost, port: flow.local.port });
      this.ua.contact.uri.host = uriHost(at.host);
      this.ua.contact.uri.port = at.port;
    }
    if (this.#transport?.isConnected()) return;
    if (this.ua.isConnected()) return;
    await (this.ua.state === UserAgentState.Started ? this.ua.reconnect() : this.ua.start());
  }

  #register(index: number): Promise<RegisterOutcome> {
    for (const [i, r] of this.#registerers) {
      if (i !== index) {
        // Leaving a registrar for another: its refresh timer must stop.
        r.dispose().catch(() => {});
        this.#registerers.delete(i);
      }
    }
    let registerer = this.#registerers.get(index);
    if (!registerer) {
      const target = UserAgent.makeURI(this.#registrar(index).uri);
      if (!target) return Promise.resolve({ ok: false, kind: 'rejected', reason: `bad registrar URI ${this.#registrar(index).uri}` });
      registerer = new Registerer(this.ua, {
        registrar: target,
        expires: this.settings.expiresSec,
        refreshFrequency: this.settings.refreshPercent,
        logConfiguration: false,
        ...(this.settings.q !== undefined ? { extraContactHeaderParams: [`q=${qValue(this.settings.q)}`] } : {}),
        ...(this.settings.nat?.outbound && this.settings.nat.instanceId ? { regId: 1, instanceId: this.settings.nat.instanceId } : {}),
      });
      const r = registerer;
      r.stateChange.addListener((s) => {
        // A refresh that failed, or a binding the registrar no longer lists.
        if (s === RegistererState.Unregistered && this.controller.state === 'registered' && this.#registerers.get(index) === r) {
          this.controller.registrationLost('registration refresh failed');
        }
      });
      this.#registerers.set(index, registerer);
    }
    const r = registerer;
    return new Promise<RegisterOutcome>((resolve) => {
      let settled = false;
      const done = (o: RegisterOutcome): void => {
        if (settled) return;
        settled = true;
        guard.cancel();
        resolve(o);
      };
      // sip.js's own Timer F fires after 32 s; this only guards against a lost callback.
      const guard: TimerHandle = this.deps.clock.setTimeout(() => done({ ok: false, kind: 'unreachable', reason: 'REGISTER timed out' }), 40_000);
      const send = (): void => {
        this.#authRefusal = undefined;
        const sentContact = this.ua.contact.uri.toString();
        // A Contact the registrar holds but we no longer are at (the NAT moved us): removed in the same REGISTER.
        const stale = this.#registeredContact !== undefined && this.#registeredContact !== sentContact ? this.#registeredContact : undefined;
        r.register({
          ...(stale ? { requestOptions: { extraHeaders: [`Contact: <${stale}>;expires=0`] } } : {}),
          requestDelegate: {
            onAccept: () => {
              if (stale) (r as unknown as { options: { extraHeaders?: string[] } }).options.extraHeaders = []; // sip.js keeps request options for its refreshes
              this.#registeredContact = sentContact;
              if (this.ua.contact.uri.toString() !== sentContact) {
                // The answer showed a NAT: register the public Contact, dropping this one
                // (after this callback: sip.js takes no new REGISTER until it has returned).
                queueMicrotask(send);
                return;
              }
              if (r.state === RegistererState.Registered) {
                this.#hopsFor(index).succeeded();
                done({ ok: true, expiresSec: this.settings.expiresSec });
              }
              else done({ ok: false, kind: 'rejected', reason: 'registrar did not list our contact' });
            },
            onReject: (response) => {
              const status = response.message.statusCode ?? 0;
              const refusal = (status === 401 || status === 407) && this.#authRefusal ? `: ${this.#authRefusal}` : '';
              const retryAfter = Number.parseInt(response.message.getHeader('retry-after') ?? '', 10);
              const o: RegisterOutcome = {
                ok: false,
                kind: status === 401 || status === 403 || status === 407 ? 'auth' : status === 408 || status >= 500 ? 'unreachable' : 'rejected',
                status,
                reason: `${status} ${response.message.reasonPhrase}${refusal}`,
              };
              if (Number.isFinite(retryAfter)) o.retryAfterSec = retryAfter;
              done(o);
            },
            onRedirect: (response) => done({ ok: false, kind: 'rejected', status: response.message.statusCode, reason: 'redirected' }),
          },
        }).catch((error: unknown) => done({ ok: false, kind: 'unreachable', reason: error instanceof Error ? error.message : String(error) }));
      };
      send();
    });
  }

  /**
   * The registrar's (or outbound proxy's) target in use failed: move to its next DNS target,
   * if any. Silence (no status, 408), 503 and transport errors say the server is down
   * (RFC 3263 §4.3), and every line skips it; another 5xx moves only this line on.
   */
  #failover(index: number, reason: string, retryAfterMs?: number, status?: number): boolean {
    this.#failing = true;
    try {
      const serverDown = status === undefined || status === 408 || status === 503;
      return this.#hopsFor(index).fail(reason, retryAfterMs, serverDown);
    } finally {
      this.#failing = false;
    }
  }

  /** Where this line's requests go for registrar `index`: the outbound proxy's targets when there is one. */
  #hopsFor(index: number): HopTargets {
    return this.#proxyHops ?? this.#hops[index]!;
  }

  /** OPTIONS to the registrar (or outbound proxy): any response means it is alive and reachable. */
  #probe(index: number): Promise<boolean> {
    const server = this.settings.outboundProxy ?? this.#registrar(index);
    const target = UserAgent.makeURI(server.uri);
    if (!target || !this.#transport?.isConnected()) return Promise.resolve(false);
    const core = this.ua.userAgentCore;
    const message = core.makeOutgoingRequestMessage('OPTIONS', target, this.ua.configuration.uri, target, {});
    return new Promise<boolean>((resolve) => {
      // Half the period, within 0.2-5 s: a short heartbeat (a PBX cluster that must fail over fast) gets a short wait.
      // Decided after the I/O already waiting is read (setImmediate): a busy loop must not
      // count an answer that arrived in time as missing (timers run before the poll phase).
      const timer = this.deps.clock.setTimeout(() => setImmediate(() => resolve(false)), Math.min(5_000, Math.max(200, this.deps.timers.heartbeatMs / 2)));
      const answered = (): void => {
        timer.cancel();
        resolve(true);
      };
      try {
        core.request(message, { onAccept: answered, onReject: (r) => ((r.message.statusCode ?? 0) === 408 || r.message.statusCode === 503 ? resolve(false) : answered()) });
      } catch {
        timer.cancel();
        resolve(false);
      }
    });
  }

  #registrar(index: number) {
    const r = this.settings.registrars[index];
    if (!r) throw new Error(`line ${this.id}: no registrar #${index}`);
    return r;
  }

  async #bounded(p: Promise<void>, ms: number): Promise<void> {
    let timer: TimerHandle | undefined;
    await Promise.race([p, new Promise<void>((resolve) => (timer = this.deps.clock.setTimeout(resolve, ms)))]);
    timer?.cancel();
  }
}

/** RFC 3261 qvalue: "0" to "1", at most three decimals. */
function qValue(q: number): string {
  return String(Math.round(Math.min(1, Math.max(0, q)) * 1000) / 1000);
}
