import type { Clock, TimerHandle } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { LegEnd } from '../calls/call-leg.js';
import { aorUser } from '../config/aor-user.js';
import type { ControlEvent, LineStatus, QueueStatus } from '../contract/control-events.js';
import type { OfferEnd, RegistrationState } from '../contract/vocabulary.js';
import { CallClaims } from './call-claims.js';
import { CallQueue } from './call-queue.js';
import type { DispatchConfig } from './dispatch-config.js';
import type { DispatchLeg } from './dispatch-leg.js';
import { createRosterLine, ineligibility, type RosterLine } from './line-roster.js';
import type { DispatchStrategy, StrategyContext } from './strategy.js';
import { createStrategy } from './strategies/index.js';

interface Offer {
  line: RosterLine;
  attempt: number;
  timer: TimerHandle;
  autoAnswer?: TimerHandle;
}

/**
 * A call the dispatcher owns: the one fork kept of an inbound call.
 *   arriving ─▶ offered (one line, or several for ringall) ─accept─▶ answered ─▶ ended
 *       │          └─decline/timeout─▶ next line, or queued, or refused (480/486)
 *       └─(every line busy)─▶ queued ─(a line frees up)─▶ offered
 */
interface DispatchCall {
  readonly leg: DispatchLeg;
  /** The lines this call may be offered to (see #poolFor). */
  readonly pool: readonly RosterLine[];
  readonly seq: number;
  readonly arrivedAt: number;
  attempt: number;
  readonly tried: Set<string>;
  readonly offers: Map<string, Offer>;
  /** The line that accepted: set once, synchronously (compare-and-swap on the answer). */
  answeredBy?: RosterLine;
  lastLine?: RosterLine;
  queuedFor: number;
  ended: boolean;
}

export interface DispatcherOptions {
  config: DispatchConfig;
  clock: Clock;
  log: Logger;
  emit: (e: ControlEvent) => void;
  context: StrategyContext;
  /** Lines in config order (order decides linear and every tie). */
  lines: { id: string; aor: string; maxCalls: number; autoAnswerMs?: number }[];
}

/**
 * The distribution layer. Every inbound INVITE of every line comes here before any line
 * rings: the first fork of a Call-ID is claimed and kept, the other forks get 486 at
 * once; the kept call is offered to lines chosen by the strategy, one offer lasting
 * offerTimeoutMs; a decline or a timeout moves it to the next line at once; with every
 * line busy it waits in a FIFO queue. The dispatcher never does SIP itself: it tells the
 * leg what to do.
 */
export class Dispatcher {
  readonly #lines: RosterLine[];
  readonly #byId = new Map<string, RosterLine>();
  readonly #aor = new Map<string, string>();
  readonly #aorUser = new Map<string, string>();
  readonly #claims: CallClaims<DispatchCall>;
  readonly #queue: CallQueue<DispatchCall>;
  readonly #strategy: DispatchStrategy;
  readonly #calls = new Set<DispatchCall>();
  /** Outbound calls holding a line, by Call-ID. */
  readonly #outbound = new Map<string, RosterLine>();
  #seq = 0;

  constructor(private readonly opts: DispatcherOptions) {
    this.#lines = opts.lines.map((l, i) => createRosterLine(l.id, i, l.maxCalls, l.autoAnswerMs));
    for (const l of this.#lines) this.#byId.set(l.id, l);
    for (const l of opts.lines) {
      this.#aor.set(l.id, l.aor);
      const user = aorUser(l.aor);
      if (user) this.#aorUser.set(l.id, user);
    }
    this.#claims = new CallClaims(opts.clock);
    this.#strategy = createStrategy(opts.config.strategy);
    const q = opts.config.queue;
    this.#queue = new CallQueue(opts.clock, q.maxLength, q.maxWaitMs, (call) => this.#overflow(call, 'queue-timeout'));
  }

  get strategy(): string {
    return this.#strategy.name;
  }

  // ---------- inputs from the lines ----------

  /** The listener: every inbound INVITE of every line comes through here. */
  onInvite(leg: DispatchLeg): void {
    const call: DispatchCall = { leg, pool: this.#poolFor(leg), seq: this.#seq++, arrivedAt: this.opts.clock.now(), attempt: 0, tried: new Set(), offers: new Map(), queuedFor: 0, ended: false };
    const owner = this.#claims.claim(leg.callId, call);
    if (owner !== call) {
      // Another fork of this call is already ours: refuse this one.
      const holder = owner.answeredBy ?? owner.lastLine;
      leg.reject(486, 'rejected', holder ? `taken by line ${holder.id}` : 'fork of a call already taken');
      this.opts.emit({ event: 'call.rejected', call: leg.callId, line: leg.arrivalLine, code: 486, reason: 'fork' });
      return;
    }
    this.#calls.add(call);
    leg.events.on('ended', (end) => this.#ended(call, end));
    this.#route(call);
  }

  setRegistration(lineId: string, state: RegistrationState): void {
    const line = this.#byId.get(lineId);
    if (!line || line.registration === state) return;
    line.registration = state;
    this.#pump();
  }

  setDnd(lineId: string, on: boolean): string | undefined {
    const line = this.#byId.get(lineId);
    if (!line) return `no line "${lineId}"`;
    if (line.dnd !== on) {
      line.dnd = on;
      this.opts.emit({ event: 'line.dnd', line: lineId, on });
      this.#pump();
    }
    return undefined;
  }

  /** Agent state: a paused (or wrapping-up, offline) line takes no calls. */
  setPaused(lineId: string, paused: boolean): void {
    const line = this.#byId.get(lineId);
    if (!line || line.paused === paused) return;
    line.paused = paused;
    this.#pump();
  }

  setMediaStreams(lineId: string, streams: number): void {
    const line = this.#byId.get(lineId);
    if (line) line.mediaStreams = streams;
  }

  // ---------- agent commands ----------

  /** The agent accepts the call ringing on `lineId`. Returns an error message or undefined. */
  accept(lineId: string): string | undefined {
    const found = this.#ringingOn(lineId);
    if (!found) return `line ${lineId} has no call ringing`;
    return this.#accept(found.call, found.offer);
  }

  decline(lineId: string, reason?: string): string | undefined {
    const found = this.#ringingOn(lineId);
    if (!found) return `line ${lineId} has no call ringing`;
    this.#endOffer(found.call, found.offer, 'declined', reason);
    this.#afterOfferEnded(found.call);
    return undefined;
  }

  hangup(lineId: string): string | undefined {
    const call = [...this.#calls].find((c) => c.answeredBy?.id === lineId && !c.ended);
    if (call) {
      call.leg.hangup();
      return undefined;
    }
    if (this.#ringingOn(lineId)) return this.decline(lineId, 'hung up while ringing');
    return `line ${lineId} has no call`;
  }

  /**
   * An outbound call holds `lineId` like an answered one (no offers meanwhile, unless the
   * line may take more). Returns the release function, or an error message when the line
   * cannot place a call. `extra` lets a consultation call go beyond the line's limit.
   */
  occupy(lineId: string, callId: string, extra = false): (() => void) | string {
    const line = this.#byId.get(lineId);
    if (!line) return `no line "${lineId}"`;
    if (line.registration !== 'registered') return `line ${lineId} is ${line.registration}`;
    if (!extra && line.activeCalls >= line.maxCalls) return `line ${lineId} is busy`;
    line.activeCalls++;
    this.#outbound.set(callId, line);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#outbound.delete(callId);
      line.activeCalls--;
      line.callsTaken++;
      line.lastCallEndedAt = this.opts.clock.now();
      this.#pump();
    };
  }

  /** The call answered on `lineId`, if any (for media and the UI). */
  activeCallOn(lineId: string): DispatchLeg | undefined {
    return [...this.#calls].find((c) => c.answeredBy?.id === lineId && !c.ended)?.leg;
  }

  /** The line a call is offered to or answered on, for media device choice. */
  lineOfCall(callId: string): string | undefined {
    const out = this.#outbound.get(callId);
    if (out) return out.id;
    const c = this.#claims.owner(callId);
    return c?.answeredBy?.id ?? c?.lastLine?.id;
  }

  status(): { lines: LineStatus[]; queue: QueueStatus[] } {
    const lines = this.#lines.map((l) => ({
      line: l.id,
      aor: this.#aor.get(l.id) ?? '',
      state: l.registration,
      dnd: l.dnd,
      paused: l.paused,
      calls: [...this.#calls]
        .filter((c) => !c.ended && (c.answeredBy === l || c.offers.has(l.id)))
        .map((c) => ({ call: c.leg.callId, state: c.answeredBy === l ? c.leg.state : 'ringing', from: c.leg.from.number, to: c.leg.to.number })),
    }));
    const queue = this.#queue.entries().map((e, i) => ({ call: e.item.leg.callId, position: i + 1, waitedMs: Math.round(e.waitedMs), from: e.item.leg.from.number, to: e.item.leg.to.number }));
    return { lines, queue };
  }

  /** Ends every call (shutdown). */
  shutdown(): void {
    for (const c of this.#queue.clear()) c.leg.reject(480, 'rejected', 'shutting down');
    for (const c of [...this.#calls]) c.leg.hangup('shutdown');
  }

  // ---------- distribution ----------

  #route(call: DispatchCall): void {
    if (call.ended) return;
    const candidates = this.#candidates(call);
    if (candidates.length > 0) {
      this.#offer(call, candidates);
      return;
    }
    // Nobody free now. Wait for a line that is only busy; refuse when no line is left.
    if (this.#worthWaitingFor(call)) this.#enqueue(call);
    else this.#refuse(call, 480, call.tried.size > 0 ? 'no line left' : 'no line available');
  }

  /**
   * A call dialled to one extension stays on that extension's lines (its contacts); a call
   * to a number no line is registered as (a ring group, a queue, a DID) may go to any line.
   */
  #poolFor(leg: DispatchLeg): RosterLine[] {
    const own = this.#lines.filter((l) => this.#aorUser.get(l.id) === leg.to.number);
    return own.length > 0 ? own : this.#lines;
  }

  #candidates(call: DispatchCall): RosterLine[] {
    return call.pool.filter((l) => !call.tried.has(l.id) && ineligibility(l) === undefined);
  }

  /** Lines of the call's pool that have not had it yet and are only busy: worth waiting for. */
  #worthWaitingFor(call: DispatchCall): boolean {
    return call.pool.some((l) => !call.tried.has(l.id) && ineligibility(l) === 'busy');
  }

  #offer(call: DispatchCall, candidates: RosterLine[]): void {
    const ranked = this.#strategy.rank(candidates, this.opts.context);
    const picks = this.#strategy.parallel ? ranked : ranked.slice(0, 1);
    call.attempt++;
    for (const line of picks) {
      line.activeCalls++;
      call.tried.add(line.id);
      call.lastLine = line;
      const offer: Offer = { line, attempt: call.attempt, timer: this.opts.clock.setTimeout(() => this.#timedOut(call, offer), this.opts.config.offerTimeoutMs) };
      call.offers.set(line.id, offer);
      this.#strategy.offered?.(line);
      const e: ControlEvent = { event: 'call.offered', call: call.leg.callId, line: line.id, from: call.leg.from.number, to: call.leg.to.number, attempt: call.attempt };
      if (call.leg.from.name) e.fromName = call.leg.from.name;
      this.opts.emit(e);
      if (line.autoAnswerMs !== undefined) offer.autoAnswer = this.opts.clock.setTimeout(() => this.#accept(call, offer), line.autoAnswerMs);
    }
    call.leg.ring();
  }

  #accept(call: DispatchCall, offer: Offer): string | undefined {
    if (call.ended) return 'the call has ended';
    // Compare-and-swap on the answer: with ringall two lines may accept in the same instant.
    if (call.answeredBy) return `the call was already taken by line ${call.answeredBy.id}`;
    if (call.offers.get(offer.line.id) !== offer) return `the offer to line ${offer.line.id} is over`;
    call.answeredBy = offer.line;
    offer.timer.cancel();
    offer.autoAnswer?.cancel();
    call.offers.delete(offer.line.id);
    for (const other of [...call.offers.values()]) this.#endOffer(call, other, 'taken-by-other-line');
    const line = offer.line;
    call.leg.accept().then(
      () => {
        if (!call.ended) this.opts.emit({ event: 'call.answered', call: call.leg.callId, line: line.id });
      },
      (error: unknown) => this.opts.log.warn(`answering ${call.leg.callId} on ${line.id} failed`, { error }),
    );
    return undefined;
  }

  #timedOut(call: DispatchCall, offer: Offer): void {
    if (call.offers.get(offer.line.id) !== offer) return;
    this.#endOffer(call, offer, 'timeout');
    this.#afterOfferEnded(call);
  }

  /** One offer stops ringing; the line is free again. */
  #endOffer(call: DispatchCall, offer: Offer, reason: OfferEnd, detail?: string): void {
    offer.timer.cancel();
    offer.autoAnswer?.cancel();
    call.offers.delete(offer.line.id);
    offer.line.activeCalls--;
    const e: ControlEvent = { event: 'call.offer.ended', call: call.leg.callId, line: offer.line.id, attempt: offer.attempt, reason };
    if (detail) e.detail = detail;
    this.opts.emit(e);
  }

  /** After a decline or a timeout: once no line rings any more, move on at once. */
  #afterOfferEnded(call: DispatchCall): void {
    if (call.offers.size === 0 && !call.answeredBy && !call.ended) this.#route(call);
    this.#pump();
  }

  #enqueue(call: DispatchCall): void {
    const { maxLength } = this.opts.config.queue;
    const position = maxLength > 0 ? this.#queue.add(call, call.seq, call.queuedFor) : undefined;
    if (position === undefined) {
      this.#overflow(call, maxLength > 0 ? 'queue-full' : 'all-lines-busy');
      return;
    }
    call.leg.queue();
    this.opts.emit({ event: 'call.queued', call: call.leg.callId, position, from: call.leg.from.number, to: call.leg.to.number });
  }

  /** Serves the queue, head first, whenever a line may have become free. */
  #pump(): void {
    for (const { item: call } of this.#queue.entries()) {
      const candidates = this.#candidates(call);
      if (candidates.length === 0) {
        // Nothing free for this call; if no untried line is even busy any more, it never will be.
        if (!this.#worthWaitingFor(call)) {
          this.#queue.remove(call);
          this.#refuse(call, 480, 'no line left');
        }
        continue;
      }
      const waited = this.#queue.remove(call) ?? 0;
      call.queuedFor += waited;
      this.opts.emit({ event: 'call.dequeued', call: call.leg.callId, waitedMs: Math.round(waited) });
      this.#offer(call, candidates);
    }
  }

  #overflow(call: DispatchCall, why: 'queue-full' | 'queue-timeout' | 'all-lines-busy'): void {
    const uri = this.opts.config.queue.overflowUri;
    if (uri) {
      this.opts.emit({ event: 'call.rejected', call: call.leg.callId, code: 302, reason: why });
      call.leg.redirect(uri);
    } else {
      this.#refuse(call, 486, why);
    }
  }

  #refuse(call: DispatchCall, code: number, why: string): void {
    this.opts.emit({ event: 'call.rejected', call: call.leg.callId, code, reason: why });
    call.leg.reject(code, 'rejected', why);
  }

  // ---------- the end of a call ----------

  #ended(call: DispatchCall, end: LegEnd): void {
    if (call.ended) return;
    call.ended = true;
    this.#calls.delete(call);
    this.#claims.release(call.leg.callId);
    const waited = this.#queue.remove(call);
    if (waited !== undefined) call.queuedFor += waited;
    const offerEnd: OfferEnd = end.reason === 'answered-elsewhere' ? 'answered-elsewhere' : end.reason === 'caller-cancelled' ? 'caller-cancelled' : 'failed';
    for (const offer of [...call.offers.values()]) this.#endOffer(call, offer, offerEnd);
    const line = call.answeredBy;
    if (line) {
      line.activeCalls--;
      line.callsTaken++;
      line.lastCallEndedAt = this.opts.clock.now();
    }
    if (end.reason === 'answered-elsewhere') {
      const e: ControlEvent = { event: 'call.answered_elsewhere', call: call.leg.callId };
      if (call.lastLine) e.line = call.lastLine.id;
      this.opts.emit(e);
    }
    const e: ControlEvent = { event: 'call.ended', call: call.leg.callId, reason: end.reason, code: end.code };
    const reported = line ?? call.lastLine;
    if (reported) e.line = reported.id;
    if (end.detail) e.detail = end.detail;
    if (call.queuedFor > 0) e.queuedMs = Math.round(call.queuedFor);
    const { leg } = call;
    if (line && leg.answeredAt !== undefined && leg.endedAt !== undefined) e.talkMs = Math.round(leg.endedAt - leg.answeredAt);
    this.opts.emit(e);
    this.#pump();
  }

  #ringingOn(lineId: string): { call: DispatchCall; offer: Offer } | undefined {
    for (const call of this.#calls) {
      const offer = call.offers.get(lineId);
      if (offer && !call.ended && !call.answeredBy) return { call, offer };
    }
    return undefined;
  }
}
