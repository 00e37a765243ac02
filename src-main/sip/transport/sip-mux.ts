import { isIP } from 'node:net';
import type { TimerHandle } from '../../common/clock.js';
import { Emitter } from '../../common/emitter.js';
import { SipResolver } from '../dns/sip-resolver.js';
import { defaultParseLimits, parseSipMessage, serializeSipMessage, type ParseLimits } from '../message/parse-sip-message.js';
import { header, headerValues, parseSipUri, splitHeaderList, tagOf, type SipRequest, type SipResponse } from '../message/sip-message.js';
import { supportedOptionTags, unsupportedRequirements } from '../message/option-tags.js';
import { scanOutgoing } from '../message/scan-outgoing.js';
import { statelessResponse } from '../message/stateless-response.js';
import type { TransactionKeys, Via } from '../message/via.js';
import { printable, RateLimitedLog } from '../security/rate-limited-log.js';
import { plainAddress } from '../security/source-list.js';
import { isReliable, peerKey, type Flow, type Peer, type SipProtocol } from './flow.js';
import { localAddressToward } from './local-address.js';
import type { MuxEvents, MuxLine, MuxStats, SipMuxOptions } from './mux-types.js';
import { RoutingTable } from './routing-table.js';
import { defaultSipTimers, inviteRingLimitMs, type SipTimerValues } from './sip-timers.js';
import type { UdpChannel } from './udp-channel.js';
import { UdpReliability } from './udp-reliability.js';

/**
 * RFC 3261 §18.1.1's MTU margin: a stateless answer (404, 400, 420, 513) larger than this is
 * not sent over UDP, and a message of ours larger than this is sent with a warning.
 */
const udpSizeLimitBytes = 1300;

/**
 * The one owner of every SIP socket. Each line's user agent talks to the mux through its
 * own thin transport; the mux drops what does not come from the PBX (guard), routes
 * inbound requests to a line by Request-URI user (the line's random Contact user; its AOR
 * only for trusted sources), inbound responses by the top Via branch of the request that
 * line sent, answers what no line should see (malformed: 400/513; unknown user: 404;
 * unknown Require: 420) once and statelessly, and adds the UDP retransmission layer
 * sip.js lacks.
 */
export class SipMux {
  readonly events = new Emitter<MuxEvents>();
  readonly stats: MuxStats = {
    received: 0,
    malformed: 0,
    answeredBadRequest: 0,
    answeredNoSuchLine: 0,
    droppedResponses: 0,
    absorbedRetransmissions: 0,
    sent: 0,
    droppedUntrusted: 0,
    answeredBadExtension: 0,
    unanswerable: 0,
  };
  readonly reliability: UdpReliability;
  #lines = new Map<string, MuxLine>();
  #lineFlows = new Map<string, Flow>();
  /** Branch of a request a line sent → that line and the flow it went out on. */
  #clientBranches = new RoutingTable<{ lineId: string; flow: Flow }>();
  /** Branch+method of a request received → the flow to answer on. */
  #serverFlows = new RoutingTable<Flow>();
  #resolver: SipResolver;
  #sweep: TimerHandle;
  #keepAlive: TimerHandle | undefined;
  #timers: SipTimerValues;
  #limits: ParseLimits;
  #oversizeWarned = false;
  /** Warnings about malformed input: at most one per source per minute. */
  #malformedLog: RateLimitedLog;

  constructor(private readonly opts: SipMuxOptions) {
    this.#timers = opts.timers ?? defaultSipTimers;
    this.#limits = opts.limits ?? defaultParseLimits;
    this.#resolver = opts.resolver ?? new SipResolver({ clock: opts.clock, log: opts.log.child('dns') });
    this.reliability = new UdpReliability(opts.clock, this.#timers, opts.log.child('udp'));
    this.#malformedLog = new RateLimitedLog(opts.clock, 60_000);
    opts.udp?.events.on('message', (bytes, flow) => this.#receive(bytes, flow));
    for (const ch of Object.values(opts.connections)) {
      ch.events.on('message', (bytes, flow) => this.#receive(bytes, flow));
      ch.events.on('closed', (flow, error) => this.#flowClosed(flow, error));
    }
    this.#sweep = opts.clock.setInterval(() => this.#expire(), 5_000);
    if (opts.udp && opts.udpKeepAliveMs && opts.udpKeepAliveMs > 0) this.#keepAlive = opts.clock.setInterval(() => this.#sendKeepAlives(), opts.udpKeepAliveMs);
  }

  /** Keep-alives sent so far (for tests). */
  keepAlivesSent = 0;

  /** RFC 5626 §3.5.1-style CRLF keep-alive to each distinct UDP next hop (registrars ignore it; the NAT sees traffic). */
  #sendKeepAlives(): void {
    const udp = this.opts.udp;
    if (!udp?.started) return;
    const hops = new Map<string, Peer>();
    for (const line of this.#lines.values()) {
      if (line.protocol !== 'udp') continue;
      const hop = line.nextHop();
      if (isIP(hop.host)) hops.set(peerKey(hop), hop);
    }
    for (const hop of hops.values()) {
      this.keepAlivesSent++;
      udp.flowTo(hop).send(Buffer.from('\r\n\r\n')).catch((error: unknown) => this.opts.log.debug(`keep-alive to ${peerKey(hop)} failed`, { error }));
    }
  }

  addLine(line: MuxLine): () => void {
    if (this.#lines.has(line.id)) throw new Error(`line ${line.id} is already attached`);
    this.#lines.set(line.id, line);
    return () => {
      this.#lines.delete(line.id);
      this.#lineFlows.delete(line.id);
    };
  }

  /**
   * Where a request we received came from (the far end of its flow), by its top Via branch
   * and method, while its transaction is remembered: e.g. the PBX or proxy that sent an INVITE.
   */
  requestSource(branch: string, method: string): Peer | undefined {
    return this.#serverFlows.get(`${branch}|${method.toUpperCase()}`)?.value.remote;
  }

  /** Opens (or reuses) the flow a line sends on: the shared UDP socket, or a connection to its next hop. */
  async flowFor(lineId: string): Promise<Flow> {
    const line = this.#line(lineId);
    const hop = line.nextHop();
    if (line.protocol === 'udp') {
      const udp = this.#udp();
      await udp.start();
      return udp.flowTo(await this.#resolve(hop));
    }
    const remote = await this.#resolve(hop);
    const existing = this.#lineFlows.get(lineId);
    if (existing?.open && existing.remote.port === remote.port && existing.remote.host === remote.host && existing.remote.servername === remote.servername) return existing;
    const channel = this.opts.connections[line.protocol];
    if (!channel) throw new Error(`no ${line.protocol} transport is configured`);
    const flow = await channel.connect(remote);
    this.#lineFlows.set(lineId, flow);
    return flow;
  }

  /**
   * The host a line on `protocol` puts in Via and Contact: the channel's own choice
   * (WebSocket), else the bind address, else the local address that routes to `remote`.
   */
  async localHostFor(protocol: SipProtocol, remote: Peer): Promise<string> {
    let bound: string | undefined;
    if (protocol === 'udp') bound = (await this.#udp().start()).host;
    else {
      const ch = this.opts.connections[protocol];
      if (!ch) throw new Error(`no ${protocol} transport is configured`);
      if (ch.advertisedHost) return ch.advertisedHost;
      bound = ch.bindHost;
    }
    if (bound && bound !== '0.0.0.0' && bound !== '::') return bound;
    return localAddressToward(await this.#resolve(remote));
  }

  /** Sends a message written by a line's user agent. */
  async send(lineId: string, text: string): Promise<void> {
    const line = this.#line(lineId);
    // sip.js wrote it: a scan for the few headers routing needs, not a second full parse.
    const scanned = scanOutgoing(text);
    if (!scanned) throw new Error('refusing to send a malformed message: no start line, top Via or CSeq');
    const { message: msg, keys } = scanned;
    const bytes = Buffer.from(text, 'utf8');
    const flow = msg.kind === 'request' ? await this.#requestFlow(line, msg, keys.via) : await this.#responseFlow(msg, keys);
    if (!flow.reliable && bytes.length > udpSizeLimitBytes && !this.#oversizeWarned) {
      this.#oversizeWarned = true;
      this.opts.log.warn(`sending a ${bytes.length}-byte message over UDP (RFC 3261 §18.1.1 suggests TCP above ${udpSizeLimitBytes} bytes)`);
    }
    await flow.send(bytes);
    this.stats.sent++;
    if (!flow.reliable) this.reliability.outgoing(msg, bytes, flow, keys);
  }

  /** Routing records held (for tests and leak checks). */
  get routingRecords(): { client: number; server: number } {
    return { client: this.#clientBranches.size, server: this.#serverFlows.size };
  }

  dispose(): void {
    this.#sweep.cancel();
    this.#keepAlive?.cancel();
    this.reliability.dispose();
    this.#lines.clear();
    this.events.removeAllListeners();
  }

  #line(id: string): MuxLine {
    const line = this.#lines.get(id);
    if (!line) throw new Error(`unknown line ${id}`);
    return line;
  }

  #udp(): UdpChannel {
    if (!this.opts.udp) throw new Error('no UDP transport is configured');
    return this.opts.udp;
  }

  async #requestFlow(line: MuxLine, msg: SipRequest, via: Via | undefined): Promise<Flow> {
    const branch = via?.branch;
    // CANCEL and the ACK for a 3xx-6xx share the INVITE's branch and must follow it.
    const known = branch ? this.#clientBranches.get(branch) : undefined;
    // Without an outbound proxy a REGISTER goes to the registrar it names (RFC 3261 §10.2),
    // which is the next hop except for the un-REGISTER of a registrar the line has left.
    const registrar = msg.method === 'REGISTER' && !line.forceNextHop ? line.registrarAddress(msg.uri) : undefined;
    let flow: Flow;
    if (known && known.value.flow.open && (msg.method === 'CANCEL' || msg.method === 'ACK')) flow = known.value.flow;
    else if (isReliable(line.protocol)) flow = registrar ? await this.#connectionTo(line, registrar) : await this.flowFor(line.id);
    else flow = this.#udp().flowTo(await this.#resolve(registrar ?? this.#udpTarget(line, msg)));
    if (branch) {
      // A CANCEL or ACK on the INVITE's branch leaves its ringing state alone.
      const ringing = msg.method === 'INVITE' || (known?.ringing ?? false);
      this.#clientBranches.set(branch, { value: { lineId: line.id, flow }, at: this.opts.clock.now(), ringing });
    }
    return flow;
  }

  /** The line's own connection when `peer` is its next hop, else a connection of the same protocol to `peer`. */
  async #connectionTo(line: MuxLine, peer: Peer): Promise<Flow> {
    const hop = line.nextHop();
    if (peer.host === hop.host && peer.port === hop.port && peer.servername === hop.servername) return this.flowFor(line.id);
    const channel = this.opts.connections[line.protocol];
    if (!channel) throw new Error(`no ${line.protocol} transport is configured`);
    return channel.connect(await this.#resolve(peer));
  }

  /** RFC 3261 §8.1.2 / §12.2.1.1: the first Route, else the Request-URI; out-of-dialog requests go to the next hop. */
  #udpTarget(line: MuxLine, msg: SipRequest): Peer {
    const inDialog = tagOf(header(msg, 'to')) !== undefined;
    if (line.forceNextHop || !inDialog) return line.nextHop();
    const route = headerValues(msg, 'route').flatMap(splitHeaderList)[0];
    const uri = parseSipUri(route ?? msg.uri);
    if (!uri || !uri.host) return line.nextHop();
    return { host: uri.host.replace(/^\[|\]$/g, ''), port: uri.port ?? (uri.scheme === 'sips' ? 5061 : 5060) };
  }

  async #responseFlow(msg: SipResponse, { via, cseq }: TransactionKeys): Promise<Flow> {
    const known = via?.branch && cseq ? this.#serverFlows.get(`${via.branch}|${cseq.method}`) : undefined;
    if (known) {
      known.at = this.opts.clock.now();
      if (msg.status >= 200) known.ringing = false;
      return known.value;
    }
    // No record (expired, or a response to a request we never saw): RFC 3581 / §18.2.2.
    if (!via) throw new Error('response without Via');
    const host = via.params.get('received') || via.host;
    const rport = Number(via.params.get('rport'));
    const port = Number.isInteger(rport) && rport > 0 ? rport : (via.port ?? 5060);
    if (via.transport !== 'UDP') throw new Error(`no open ${via.transport} flow for this response`);
    return this.#udp().flowTo(await this.#resolve({ host, port }));
  }

  #receive(bytes: Buffer, flow: Flow): void {
    // A CRLF keep-alive from a peer (RFC 5626 §3.5.1 style) carries no message.
    if (!flow.reliable && bytes.every((b) => b === 0x0d || b === 0x0a)) return;
    this.stats.received++;
    // Every connection was opened by us, to the PBX; over UDP anyone can send.
    const fromPbx = flow.reliable || this.#fromPbx(flow.remote.host);
    const parsed = parseSipMessage(bytes, this.#limits);
    if (!parsed.ok) {
      this.stats.malformed++;
      if (!fromPbx) return this.#dropUntrusted(flow, 'a malformed message');
      this.#warnMalformed(flow, parsed.reason);
      if (parsed.partial && parsed.status && parsed.partial.method !== 'ACK') {
        this.stats.answeredBadRequest++;
        this.#answer(parsed.partial, parsed.status, flow, parsed.reason);
      }
      return;
    }
    const { message: msg, keys } = parsed;
    if (msg.kind === 'response') return this.#receiveResponse(msg, parsed.wire, keys, flow, fromPbx);
    if (!fromPbx) return this.#dropUntrusted(flow, `${msg.method} ${msg.uri}`);
    if (!flow.reliable && !this.reliability.incoming(msg, flow, keys)) {
      this.stats.absorbedRetransmissions++;
      return;
    }
    const { via, cseq } = keys;
    const line = this.#route(msg, flow);
    if (!line) {
      if (msg.method !== 'ACK') {
        this.stats.answeredNoSuchLine++;
        this.#answer(msg, 404, flow, `no line for ${msg.uri}`);
      }
      return;
    }
    const unsupported = unsupportedRequirements(msg, this.opts.supportedExtensions ?? supportedOptionTags);
    if (unsupported.length > 0) {
      this.stats.answeredBadExtension++;
      this.#answer(msg, 420, flow, undefined, [{ name: 'Unsupported', value: unsupported.join(', ') }]);
      return;
    }
    if (via?.branch) {
      // A retransmitted request keeps the state its transaction has reached.
      const key = `${via.branch}|${cseq.method}`;
      const ringing = this.#serverFlows.get(key)?.ringing ?? msg.method === 'INVITE';
      this.#serverFlows.set(key, { value: flow, at: this.opts.clock.now(), ringing });
    }
    this.events.emit('request', msg, line.id);
    line.deliver(parsed.wire.toString('utf8'), msg);
  }

  /**
   * A response goes to the line that sent its request (by branch). Over UDP it must come
   * from the PBX or from where that request went (a far end reached directly in a dialog):
   * a stranger guessing branches gets nowhere.
   */
  #receiveResponse(msg: SipResponse, wire: Buffer, keys: TransactionKeys & { cseq: { method: string } }, flow: Flow, fromPbx: boolean): void {
    const { via, cseq } = keys;
    const owner = via?.branch ? this.#clientBranches.get(via.branch) : undefined;
    const line = owner ? this.#lines.get(owner.value.lineId) : undefined;
    if (!owner || !line) {
      if (!fromPbx) return this.#dropUntrusted(flow, `a ${msg.status} response`);
      this.stats.droppedResponses++;
      this.opts.log.debug(`dropping a response for no line (${msg.status}, branch ${printable(via?.branch ?? '-', 40)})`);
      return;
    }
    if (!fromPbx && plainAddress(owner.value.flow.remote.host) !== plainAddress(flow.remote.host)) return this.#dropUntrusted(flow, `a ${msg.status} response`);
    if (!flow.reliable && !this.reliability.incoming(msg, flow, keys)) {
      this.stats.absorbedRetransmissions++;
      return;
    }
    owner.at = this.opts.clock.now();
    if (msg.status >= 200 && cseq.method === 'INVITE') owner.ringing = false;
    if (cseq.method === 'REGISTER') line.registerAnswered?.(msg, via, flow);
    line.deliver(wire.toString('utf8'), msg);
  }

  /** The PBX (guard: resolved server addresses, trusted sources) or a line's current next hop. */
  #fromPbx(host: string): boolean {
    const guard = this.opts.guard;
    if (!guard || guard.fromPbx(host)) return true;
    const a = plainAddress(host);
    for (const line of this.#lines.values()) if (plainAddress(line.nextHop().host) === a) return true;
    return false;
  }

  #dropUntrusted(flow: Flow, what: string): void {
    this.stats.droppedUntrusted++;
    this.opts.guard?.drop(flow.remote.host, what);
  }

  #warnMalformed(flow: Flow, reason: string): void {
    const held = this.#malformedLog.take(plainAddress(flow.remote.host));
    if (held === undefined) return;
    this.opts.log.warn(`malformed message from ${flow.key}: ${printable(reason, 160)}${held > 0 ? ` (and ${held} more since the last report)` : ''}`);
  }

  /**
   * Request-URI user equal to a line's Contact user (random per line: only the registrar
   * knows it), else, for a trusted source only, a line's AOR user (and host).
   */
  #route(req: SipRequest, flow: Flow): MuxLine | undefined {
    const uri = parseSipUri(req.uri);
    if (!uri?.user) return undefined;
    const byAorAllowed = !this.opts.guard || this.opts.guard.trusted(flow.remote.host);
    let byAor: MuxLine | undefined;
    for (const line of this.#lines.values()) {
      if (line.contactUser() === uri.user) return line;
      if (byAorAllowed && !byAor && line.aorUser === uri.user && (line.aorHost === uri.host || isIP(uri.host) !== 0)) byAor = line;
    }
    return byAor;
  }

  /**
   * Answers statelessly, once (RFC 3261 §8.2.6): no retransmission and no state, so a
   * spoofed source gets one datagram the size of its own, and an answer that would not
   * fit in one datagram (huge copied headers) is not sent at all.
   */
  #answer(req: SipRequest, status: number, flow: Flow, why: string | undefined, extraHeaders: { name: string; value: string }[] = []): void {
    const warning = why === undefined ? [] : [{ name: 'Warning', value: `399 linedesk "${printable(why, 100).replace(/["\\]/g, "'")}"` }];
    let bytes = serializeSipMessage(statelessResponse(req, status, { extraHeaders: [...extraHeaders, ...warning] }));
    if (!flow.reliable && bytes.length > udpSizeLimitBytes && warning.length > 0) bytes = serializeSipMessage(statelessResponse(req, status, { extraHeaders }));
    if (!flow.reliable && bytes.length > udpSizeLimitBytes) {
      this.stats.unanswerable++;
      this.opts.log.debug(`not answering ${status} to ${flow.key}: the answer would be ${bytes.length} bytes`);
      return;
    }
    flow.send(bytes).catch((error: unknown) => this.opts.log.debug(`could not answer ${status} to ${flow.key}`, { error }));
  }

  #flowClosed(flow: Flow, error: Error | undefined): void {
    for (const [lineId, f] of this.#lineFlows) {
      if (f !== flow) continue;
      this.#lineFlows.delete(lineId);
      this.#lines.get(lineId)?.flowClosed(error);
    }
  }

  /** A host name's address (lines hand over resolved targets; names come from Route, Contact or Via). */
  async #resolve(peer: Peer): Promise<Peer> {
    if (isIP(peer.host)) return peer;
    // The address to connect to; the name stays what a TLS certificate is checked against.
    const { host } = await this.#resolver.address(peer);
    return { ...peer, host, servername: peer.servername ?? peer.host };
  }

  /**
   * Forgets a transaction's routing 64*T1 (+10 s) after its last activity; an INVITE
   * without a final response stays while it rings (a queued call may wait long before
   * it is answered), up to inviteRingLimitMs after its last response.
   */
  #expire(): void {
    const done = this.opts.clock.now() - (64 * this.#timers.t1 + 10_000);
    const ringing = done - inviteRingLimitMs;
    this.#clientBranches.expire(done, ringing);
    this.#serverFlows.expire(done, ringing);
  }
}

export { localAddressToward, peerKey };
export type { MuxEvents, MuxLine, MuxStats, SipMuxOptions };
