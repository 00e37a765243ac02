import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { Call } from '../calls/call.js';
import { newDispatchState, type DispatchState, type Offer } from '../calls/call-dispatch.js';
import type { CallRegistry } from '../calls/call-registry.js';
import type { InboundLegLike, SipWarning } from '../calls/leg.js';
import { aorUser } from '../config/aor-user.js';
import type { ControlEvent, LineStatus, QueueStatus } from '../contract/control-events.js';
import type { OfferEnd, RegistrationState } from '../contract/vocabulary.js';
import { CallQueue } from './call-queue.js';
import type { DispatchConfig } from './dispatch-config.js';
import { createRosterLine, ineligibility, type RosterLine } from './line-roster.js';
import type { DispatchStrategy, StrategyContext } from './strategy.js';
import { createStrategy } from './strategies/index.js';

export interface DispatcherOptions {
  config: DispatchConfig;
  clock: Clock;
  log: Logger;
  emit: (e: ControlEvent) => void;
  context: StrategyContext;
  /** Lines in config order (order decides linear and every tie). */
  lines: { id: string; aor: string; maxCalls: number; autoAnswerMs?: number }[];
  /** Every live call; the dispatcher claims inbound Call-IDs here. */
  calls: CallRegistry;
  /** Makes the Call for the fork that won the claim. */
  createCall(leg: InboundLegLike, dispatch: DispatchState): Call;
  /**
   * Checks a claimed call before it rings anywhere: a refusal (an SDP offer the call's media
   * cannot take: 488 with a Warning) ends it at once, with `call.rejected`.
   */
  screen?(leg: InboundLegLike): Refusal | undefined;
}

/** Why a call is refused before it rings: the SIP code, the event's reason and detail. */
export interface Refusal {
  code: number;
  reason: string;
  detail: string;
  warning?: SipWarning;
}

/**
 * The distribution layer. Every inbound INVITE of every line comes here before any line
 * rings: the first fork of a Call-ID is claimed and kept, the other forks get 486 at
 * once; the kept call is offered to lines chosen by the strategy, one offer lasting
 * offerTimeoutMs; a decline or a timeout moves it to the next line at once; with every
 * line busy it waits in a FIFO queue. The dispatcher never does SIP itself: it tells the
 * call what to do, and keeps its bookkeeping on the call (call.dispatch).
 *   arriving ─▶ offered (one line, or several for ringall) ─accept─▶ answered ─▶ ended
 *       │          └─decline/timeout─▶ next line, or queued, or refused (480/486)
 *       └─(every line busy)─▶ queued ─(a line frees up)─▶ offered
 */
export class Dispatcher {
  readonly #lines: RosterLine[];
  readonly #byId = new Map<string, RosterLine>();
  readonly #aor = new Map<string, string>();
  readonly #aorUser = new Map<string, string>();
  readonly #queue: CallQueue<Call>;
  readonly #strategy: DispatchStrategy;
  #seq = 0;

  constructor(private readonly opts: DispatcherOptions) {
    this.#lines = opts.lines.map((l, i) => createRosterLine(l.id, i, l.maxCalls, l.autoAnswerMs));
    for (const l of this.#lines) this.#byId.set(l.id, l);
    for (const l of opts.lines) {
      this.#aor.set(l.id, l.aor);
      const user = aorUser(l.aor);
      if (user) this.#aorUser.set(l.id, user);
    }
    this.#strategy = createStrategy(opts.config.strategy);
    const q = opts.config.queue;
    this.#queue = new CallQueue(opts.clock, q.maxLength, q.maxWaitMs, (call) => this.#overflow(call, 'queue-timeout'));
  }

  get strategy(): string {
    return this.#strategy.name;
  }

  // ---------- inputs from the lines ----------

  /** The listener: every inbound INVITE of every line comes through here. */
  onInvite(leg: InboundLegLike): void {
    const claim = this.opts.calls.claim(leg.callId, (rearrival) => {
      const state = newDispatchState(this.#poolFor(leg), this.#seq++);
      // The PBX's hunt brought the call back: the lines that let it ring out do not get it again.
      for (const line of rearrival?.tried ?? []) state.tried.add(line);
      return this.opts.createCall(leg, state);
    });
    if (!claim.won) {
      // Another fork of this call is already ours: refuse this one.
      leg.reject(486, 'rejected', claim.holder ? `taken by line ${claim.holder}` : 'fork of a call already taken');
      this.opts.emit({ event: 'call.rejected', call: leg.callId, line: leg.arrivalLine, code: 486, reason: 'fork' });
      return;
    }
    const call = claim.call;
    call.events.on('ending', () => this.#ending(call));
    call.events.on('ended', () => this.#pump());
    const refusal = this.opts.screen?.(leg);
    if (refusal) {
      this.opts.emit({ event: 'call.rejected', call: call.id, line: leg.arrivalLine, code: refusal.code, reason: refusal.reason, detail: refusal.detail });
      call.refuse(refusal.code, 'rejected', refusal.detail, refusal.warning);
      return;
    }
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
    const call = this.#answeredOn(lineId);
    if (call) {
      call.hangup();
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
  occupy(lineId: string, extra = false): (() => void) | string {
    const line = this.#byId.get(lineId);
    if (!line) return `no line "${lineId}"`;
    if (line.registration !== 'registered') return `line ${lineId} is ${line.registration}`;
    if (!extra && line.activeCalls >= line.maxCalls) return `line ${lineId} is busy`;
    line.activeCalls++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      line.activeCalls--;
      line.callsTaken++;
      line.lastCallEndedAt = this.opts.clock.now();
      this.#pump();
    };
  }

  status(): { lines: LineStatus[]; queue: QueueStatus[] } {
    const lines = this.#lines.map((l) => ({
      line: l.id,
      aor: this.#aor.get(l.id) ?? '',
      state: l.registration,
      dnd: l.dnd,
      paused: l.paused,
      calls: this.opts.calls
        .onLine(l.id)
        .filter((c) => c.dispatch && !c.isEnded && (c.dispatch.answeredBy === l.id || c.dispatch.offers.has(l.id)))
        .map((c) => ({ call: c.id, state: c.dispatch?.answeredBy === l.id ? this.#leg(c).state : ('ringing' as const), from: c.from.number, to: c.to.number })),
    }));
    const queue = this.#queue.entries().map((e, i) => ({ call: e.item.id, position: i + 1, waitedMs: Math.round(e.waitedMs), from: e.item.from.number, to: e.item.to.number }));
    return { lines, queue };
  }

  /** Ends every inbound call (shutdown). */
  shutdown(): void {
    for (const c of this.#queue.clear()) c.refuse(480, 'rejected', 'shutting down');
    for (const c of [...this.opts.calls.all()]) if (c.dispatch) c.hangup('shutdown');
  }

  // ---------- distribution ----------

  #route(call: Call): void {
    if (call.isEnded) return;
    const candidates = this.#candidates(call);
    if (candidates.length > 0) {
      this.#offer(call, candidates);
      return;
    }
    // Nobody free now. Wait for a line that is only busy; refuse when no line is left.
    if (this.#worthWaitingFor(call)) this.#enqueue(call);
    else this.#refuse(call, 480, this.#state(call).tried.size > 0 ? 'no line left' : 'no line available');
  }

  /**
   * A call dialled to one extension stays on that extension's lines (its contacts); a call
   * to a number no line is registered as (a ring group, a queue, a DID) may go to any line.
   */
  #poolFor(leg: InboundLegLike): string[] {
    const own = this.#lines.filter((l) => this.#aorUser.get(l.id) === leg.to.number);
    return (own.length > 0 ? own : this.#lines).map((l) => l.id);
  }

  #pool(call: Call): RosterLine[] {
    return this.#state(call).pool.map((id) => this.#byId.get(id)!);
  }

  #candidates(call: Call): RosterLine[] {
    const d = this.#state(call);
    return this.#pool(call).filter((l) => !d.tried.has(l.id) && ineligibility(l) === undefined);
  }

  /** Lines of the call's pool that have not had it yet and are only busy: worth waiting for. */
  #worthWaitingFor(call: Call): boolean {
    const d = this.#state(call);
    return this.#pool(call).some((l) => !d.tried.has(l.id) && ineligibility(l) === 'busy');
  }

  #offer(call: Call, candidates: RosterLine[]): void {
    const d = this.#state(call);
    const ranked = this.#strategy.rank(candidates, this.opts.context);
    const picks = this.#strategy.parallel ? ranked : ranked.slice(0, 1);
    d.attempt++;
    for (const line of picks) {
      line.activeCalls++;
      d.tried.add(line.id);
      d.lastLine = line.id;
      const offer: Offer = { line: line.id, attempt: d.attempt, timer: this.opts.clock.setTimeout(() => this.#timedOut(call, offer), this.opts.config.offerTimeoutMs) };
      d.offers.set(line.id, offer);
      call.attachLine(line.id);
      this.#strategy.offered?.(line);
      const e: ControlEvent = { event: 'call.offered', call: call.id, line: line.id, from: call.from.number, to: call.to.number, attempt: d.attempt };
      if (call.from.name) e.fromName = call.from.name;
      this.opts.emit(e);
      if (line.autoAnswerMs !== undefined) offer.autoAnswer = this.opts.clock.setTimeout(() => this.#accept(call, offer), line.autoAnswerMs);
    }
    call.ring();
  }

  #accept(call: Call, offer: Offer): string | undefined {
    const d = this.#state(call);
    if (call.isEnded) return 'the call has ended';
    // Compare-and-swap on the answer: with ringall two lines may accept in the same instant.
    if (d.answeredBy !== undefined) return `the call was already taken by line ${d.answeredBy}`;
    if (d.offers.get(offer.line) !== offer) return `the offer to line ${offer.line} is over`;
    d.answeredBy = offer.line;
    offer.timer.cancel();
    offer.autoAnswer?.cancel();
    d.offers.delete(offer.line);
    for (const other of [...d.offers.values()]) this.#endOffer(call, other, 'taken-by-other-line');
    call.answer(offer.line).catch((error: unknown) => this.opts.log.warn(`answering ${call.id} on ${offer.line} failed`, { error }));
    return undefined;
  }

  #timedOut(call: Call, offer: Offer): void {
    if (this.#state(call).offers.get(offer.line) !== offer) return;
    this.#endOffer(call, offer, 'timeout');
    this.#afterOfferEnded(call);
  }

  /** One offer stops ringing; the line is free again. */
  #endOffer(call: Call, offer: Offer, reason: OfferEnd, detail?: string): void {
    offer.timer.cancel();
    offer.autoAnswer?.cancel();
    this.#state(call).offers.delete(offer.line);
    call.detachLine(offer.line);
    const line = this.#byId.get(offer.line);
    if (line) line.activeCalls--;
    const e: ControlEvent = { event: 'call.offer.ended', call: call.id, line: offer.line, attempt: offer.attempt, reason };
    if (detail) e.detail = detail;
    this.opts.emit(e);
  }

  /** After a decline or a timeout: once no line rings any more, move on at once. */
  #afterOfferEnded(call: Call): void {
    const d = this.#state(call);
    if (d.offers.size === 0 && d.answeredBy === undefined && !call.isEnded) this.#route(call);
    this.#pump();
  }

  #enqueue(call: Call): void {
    const d = this.#state(call);
    const { maxLength } = this.opts.config.queue;
    const position = maxLength > 0 ? this.#queue.add(call, d.seq, d.queuedFor) : undefined;
    if (position === undefined) {
      this.#overflow(call, maxLength > 0 ? 'queue-full' : 'all-lines-busy');
      return;
    }
    call.queue();
    this.opts.emit({ event: 'call.queued', call: call.id, position, from: call.from.number, to: call.to.number });
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
      this.#state(call).queuedFor += waited;
      this.opts.emit({ event: 'call.dequeued', call: call.id, waitedMs: Math.round(waited) });
      this.#offer(call, candidates);
    }
  }

  #overflow(call: Call, why: 'queue-full' | 'queue-timeout' | 'all-lines-busy'): void {
    const uri = this.opts.config.queue.overflowUri;
    if (uri) {
      this.opts.emit({ event: 'call.rejected', call: call.id, code: 302, reason: why });
      call.redirect(uri);
    } else {
      this.#refuse(call, 486, why);
    }
  }

  #refuse(call: Call, code: number, why: string): void {
    this.opts.emit({ event: 'call.rejected', call: call.id, code, reason: why });
    call.refuse(code, 'rejected', why);
  }

  // ---------- the end of a call ----------

  /** The call is ending (before its call.ended goes out): close its offers, free its line. */
  #ending(call: Call): void {
    const d = this.#state(call);
    const waited = this.#queue.remove(call);
    if (waited !== undefined) d.queuedFor += waited;
    const end = call.end;
    const offerEnd: OfferEnd = end?.reason === 'answered-elsewhere' ? 'answered-elsewhere' : end?.reason === 'caller-cancelled' ? 'caller-cancelled' : end?.reason === 'ring-timeout' ? 'timeout' : 'failed';
    for (const offer of [...d.offers.values()]) this.#endOffer(call, offer, offerEnd);
    const line = d.answeredBy !== undefined ? this.#byId.get(d.answeredBy) : undefined;
    if (line) {
      line.activeCalls--;
      line.callsTaken++;
      line.lastCallEndedAt = this.opts.clock.now();
    }
  }

  #answeredOn(lineId: string): Call | undefined {
    return this.opts.calls.onLine(lineId).find((c) => c.dispatch?.answeredBy === lineId && !c.isEnded);
  }

  #ringingOn(lineId: string): { call: Call; offer: Offer } | undefined {
    for (const call of this.opts.calls.onLine(lineId)) {
      const offer = call.dispatch?.offers.get(lineId);
      if (offer && !call.isEnded && call.dispatch?.answeredBy === undefined) return { call, offer };
    }
    return undefined;
  }

  #state(call: Call): DispatchState {
    if (!call.dispatch) throw new Error(`call ${call.id} is not the dispatcher's`);
    return call.dispatch;
  }

  #leg(call: Call): InboundLegLike {
    return call.leg as InboundLegLike;
  }
}
