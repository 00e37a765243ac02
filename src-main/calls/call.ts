import type { Clock } from '../common/clock.js';
import { Emitter } from '../common/emitter.js';
import { DisposableStore } from '../common/lifecycle.js';
import type { Logger } from '../common/logger.js';
import type { ControlEvent } from '../contract/control-events.js';
import type { MediaRequest, MediaSession } from '../media/media-engine.js';
import type { DispatchState } from './call-dispatch.js';
import { CallRefers, type ReferDecision } from './call-refers.js';
import { CallState, checkMove } from './call-state.js';
import type { IncomingRefer } from './incoming-refer.js';
import { sendInfoDtmf } from './info-dtmf.js';
import type { InboundLegLike, Leg, LegEnd, Party, SipWarning } from './leg.js';
import type { OutboundLeg } from './outbound-leg.js';
import { reinviteHold } from './session-hold.js';

/** What every call needs from around it. */
export interface CallContext {
  clock: Clock;
  log: Logger;
  /** The event bus. */
  emit: (e: ControlEvent) => void;
  /** Opens a call's media (the media module's engine). */
  openMedia: (request: MediaRequest) => Promise<MediaSession>;
  /** How REFERs from the far end are answered (the refer module); none: every REFER is refused. */
  referHandling?: () => ReferHandling | undefined;
}

/** What the line of a call does with a REFER (policy), and how the referred call is placed. */
export interface ReferHandling {
  decide(call: Call, target: string): ReferDecision;
  /** Places the referred call; `done` once it is over or could not be placed. */
  carryOut(call: Call, refer: IncomingRefer, target: string, done: () => void): void;
}

export interface CallEvents extends Record<string, unknown[]> {
  state: [now: CallState, before: CallState];
  /** The call went onto a line (offered, answered, dialled) or off one. */
  lineAttached: [line: string];
  lineDetached: [line: string];
  /** The call is over; sent before `call.ended` goes out (the dispatcher closes its offers here). */
  ending: [end: LegEnd];
  /** After `call.ended` went out; then the call's store is disposed. */
  ended: [end: LegEnd];
}

type DtmfMethod = 'auto' | 'rfc4733' | 'info';

/**
 * One call, inbound or outbound: the one owner of everything about it. It holds its SIP
 * leg, its media (opened and closed here: media never asks anyone which line a call is on),
 * the dispatcher's bookkeeping (offers, the answering line), the consultation it is held
 * for, and one DisposableStore that ends everything the call started. It emits the call's
 * own control events (answered, DTMF, hold, mute, quality, ended); the dispatcher emits
 * the distribution events (offered, queued, rejected).
 */
export class Call {
  readonly id: string;
  readonly direction: 'inbound' | 'outbound';
  readonly events = new Emitter<CallEvents>();
  /** Ends with the call: media, timers, listeners, the line it occupies. */
  readonly store = new DisposableStore();
  readonly from: Party;
  readonly to: Party;
  readonly arrivedAt: number;
  /** The dispatcher's bookkeeping (inbound calls only). */
  readonly dispatch: DispatchState | undefined;
  /** During an attended transfer: the consultation call this (held) call waits for. */
  consult: Call | undefined;
  /** For a consultation call: the held call it consults about. */
  consultFor: Call | undefined;
  /** The far end's REFERs: the one waiting for the agent, if any (ends with the call). */
  readonly refers: CallRefers;
  #state: CallState;
  #line: string | undefined;
  readonly #lines = new Set<string>();
  #media: MediaSession | undefined;
  #mediaOpening: Promise<MediaSession> | undefined;
  #heldLocally = false;
  #heldRemotely = false;
  #end: LegEnd | undefined;

  private constructor(
    readonly leg: Leg,
    private readonly ctx: CallContext,
    init: { direction: 'inbound' | 'outbound'; from: Party; to: Party; state: CallState; dispatch?: DispatchState; line?: string },
  ) {
    this.id = leg.callId;
    this.direction = init.direction;
    this.from = init.from;
    this.to = init.to;
    this.#state = init.state;
    this.dispatch = init.dispatch;
    this.arrivedAt = ctx.clock.now();
    this.store.add(leg.events.on('answered', () => this.#answered()));
    this.store.add(leg.events.on('ended', (end) => this.#finish(end)));
    this.store.add(leg.events.on('dtmf', (digit, durationMs) => this.#emit({ event: 'call.dtmf', call: this.id, line: this.#eventLine(), digit, direction: 'in', method: 'info', ...(durationMs !== undefined ? { durationMs } : {}) })));
    this.refers = new CallRefers({
      callId: this.id,
      line: () => this.#eventLine(),
      clock: ctx.clock,
      log: ctx.log,
      emit: (e) => this.#emit(e),
      decide: (target) => ctx.referHandling?.()?.decide(this, target) ?? { kind: 'refuse', detail: 'REFER is not handled here' },
      carryOut: (refer, target, done) => {
        const handling = ctx.referHandling?.();
        if (!handling) throw new Error('REFER is not handled here');
        handling.carryOut(this, refer, target, done);
      },
    });
    this.store.add(leg.events.on('refer', (refer) => this.refers.receive(refer)));
    this.store.add(() => this.refers.close());
    this.store.add(() => this.events.removeAllListeners());
    if (init.line !== undefined) {
      this.#line = init.line;
      this.attachLine(init.line);
    }
  }

  /** An inbound call the dispatcher claimed: `leg` is the fork it keeps. */
  static inbound(leg: InboundLegLike, dispatch: DispatchState, ctx: CallContext): Call {
    return new Call(leg, ctx, { direction: 'inbound', from: leg.from, to: leg.to, state: CallState.Arriving, dispatch });
  }

  /** A call placed on `line` (not dialled yet: register it first, then `leg.dial()`). */
  static outbound(leg: OutboundLeg, line: string, from: Party, ctx: CallContext): Call {
    const call = new Call(leg, ctx, { direction: 'outbound', from, to: { number: leg.target, uri: leg.target }, state: CallState.Dialing, line });
    call.store.add(leg.events.on('progress', (code) => call.#emit({ event: 'call.progress', call: call.id, line, code })));
    call.store.add(leg.events.on('redirected', (target, code) => call.#emit({ event: 'call.redirected', call: call.id, line, target, code })));
    return call;
  }

  get state(): CallState {
    return this.#state;
  }

  get isEnded(): boolean {
    return this.#state === CallState.Ended;
  }

  /** How it ended, once it has. */
  get end(): LegEnd | undefined {
    return this.#end;
  }

  /**
   * The line the call is on: the one that answered it or dialled it, else the last line
   * it was offered to (inbound calls not answered yet); none for a call that never rang.
   */
  get line(): string | undefined {
    return this.#line ?? this.dispatch?.lastLine;
  }

  /** The line that answered or placed it (undefined while an inbound call rings or waits). */
  get answeredOn(): string | undefined {
    return this.#line;
  }

  /** Lines the call is on now: ringing there, answered there, or dialled from there. */
  get lines(): ReadonlySet<string> {
    return this.#lines;
  }

  get media(): MediaSession | undefined {
    return this.#media;
  }

  /** On hold, by us or by the far end. */
  get held(): boolean {
    return this.#heldLocally || this.#heldRemotely || (this.#media?.negotiated !== undefined && this.#media.negotiated.direction !== 'sendrecv');
  }

  /** Throws on a move the CallState diagram does not allow. */
  transition(to: CallState): void {
    const before = this.#state;
    checkMove(before, to);
    this.#state = to;
    this.events.emit('state', to, before);
  }

  attachLine(line: string): void {
    if (this.#lines.has(line) || this.isEnded) return;
    this.#lines.add(line);
    this.events.emit('lineAttached', line);
  }

  detachLine(line: string): void {
    if (!this.#lines.delete(line)) return;
    this.events.emit('lineDetached', line);
  }

  // ---------- inbound: what the dispatcher does with the call ----------

  /** Rings (180) on the lines offered this round. */
  ring(): void {
    if (this.#state !== CallState.Offered) this.transition(CallState.Offered);
    this.#inbound().ring();
  }

  /** Waits for a free line (182 Queued the first time). */
  queue(): void {
    this.transition(CallState.Queued);
    this.#inbound().queue();
  }

  /** `line` answers it: 200 OK with our SDP answer (the media opens on that line). */
  answer(line: string): Promise<void> {
    this.#line = line;
    this.attachLine(line);
    this.transition(CallState.Answering);
    return this.#inbound().accept();
  }

  /** Refuses it with `code`, a Reason header and, for a 488, a Warning. */
  refuse(code: number, reason: Parameters<InboundLegLike['reject']>[1], detail?: string, warning?: SipWarning): void {
    this.#inbound().reject(code, reason, detail, warning);
  }

  redirect(target: string): void {
    this.#inbound().redirect(target);
  }

  // ---------- the agent's controls ----------

  /** BYE when answered; refuse (inbound) or CANCEL (outbound) before that. */
  hangup(detail = 'hangup'): void {
    this.leg.hangup(detail);
  }

  /** Hold by re-INVITE (a=sendonly) or resume; resolves once the far end agreed. */
  async setHold(on: boolean): Promise<void> {
    const session = this.#activeSession();
    await reinviteHold(session, on);
    this.#heldLocally = on;
    this.#emit({ event: 'call.held', call: this.id, line: this.#eventLine(), on, by: 'local' });
  }

  setMuted(on: boolean): void {
    if (!this.#media) throw new Error('the call has no media');
    this.#media.setMuted(on);
    this.#emit({ event: 'call.muted', call: this.id, line: this.#eventLine(), on });
  }

  /** Sends digits by RFC 4733 when negotiated (`auto`, `rfc4733`), else by SIP INFO. */
  async sendDtmf(digits: string, method: DtmfMethod): Promise<void> {
    const session = this.#activeSession();
    const viaRtp = method !== 'info' && this.#media?.sendDtmf(digits) === true;
    if (!viaRtp) {
      if (method === 'rfc4733') throw new Error('the far end did not negotiate telephone-event (RFC 4733)');
      await sendInfoDtmf(session, digits, this.ctx.clock);
    }
    for (const digit of digits) this.#emit({ event: 'call.dtmf', call: this.id, line: this.#eventLine(), digit, direction: 'out', method: viaRtp ? 'rfc4733' : 'info' });
  }

  // ---------- media ----------

  /** The call's media, opened on first use (the SessionDescriptionHandler asks when it needs SDP). */
  openMedia(): Promise<MediaSession> {
    if (this.#media) return Promise.resolve(this.#media);
    if (this.isEnded) return Promise.reject(new Error(`call ${this.id} has ended`));
    // An inbound call has media once a line answers it; before that, the line it came in on.
    const line = this.#eventLine();
    if (line === '') return Promise.reject(new Error(`call ${this.id} is on no line yet`));
    const signalling = this.leg.signalling;
    this.#mediaOpening ??= this.ctx
      .openMedia({
        callId: this.id,
        line,
        ...(signalling?.peerIp ? { signallingPeerIp: signalling.peerIp } : {}),
        encryption: signalling?.encryption ?? 'off',
        on: {
          quality: (q) => this.#emit({ event: 'call.quality', call: this.id, line: this.#eventLine(), ...q }),
          dtmf: (digit, durationMs) => this.#emit({ event: 'call.dtmf', call: this.id, line: this.#eventLine(), digit, direction: 'in', method: 'rfc4733', durationMs }),
          remoteHold: (on) => {
            this.#heldRemotely = on;
            this.#emit({ event: 'call.held', call: this.id, line: this.#eventLine(), on, by: 'remote' });
          },
          // The media died for good (its worker crashed and it could not be re-opened): end the call, as failed.
          failed: (detail) => this.leg.hangup(detail, true),
          // The far end went silent (the RTP timeout): gone without a BYE once answered; while it
          // rings, early media may send nothing (the ring timeout or the far end ends that).
          silent: (detail) => {
            if (this.#state === CallState.Active) this.leg.hangup(detail, true);
          },
        },
      })
      .then((media) => {
        if (this.isEnded) {
          media.close();
          throw new Error(`call ${this.id} ended while its media opened`);
        }
        this.#media = media;
        this.store.add(() => media.close());
        return media;
      });
    return this.#mediaOpening;
  }

  // ---------- from the leg ----------

  #answered(): void {
    if (this.#state === CallState.Answering || this.#state === CallState.Dialing) this.transition(CallState.Active);
    else return;
    // The answer is negotiated by now: whether the media is SRTP is known (call.quality follows changes).
    this.#emit({ event: 'call.answered', call: this.id, line: this.#eventLine(), ...(this.#media ? { encrypted: this.#media.srtpSuite !== undefined } : {}) });
  }

  #finish(end: LegEnd): void {
    if (this.isEnded) return;
    this.#end = end;
    this.transition(CallState.Ended);
    this.events.emit('ending', end);
    // A REFER still waiting goes with the call, and says so before call.ended.
    this.refers.close();
    const line = this.line;
    if (end.reason === 'answered-elsewhere') this.#emit({ event: 'call.answered_elsewhere', call: this.id, ...(line !== undefined ? { line } : {}) });
    const e: Extract<ControlEvent, { event: 'call.ended' }> = { event: 'call.ended', call: this.id, reason: end.reason, code: end.code };
    if (line !== undefined) e.line = line;
    if (end.detail) e.detail = end.detail;
    if (this.dispatch && this.dispatch.queuedFor > 0) e.queuedMs = Math.round(this.dispatch.queuedFor);
    const { answeredAt, endedAt } = this.leg;
    if (this.#line !== undefined && answeredAt !== undefined && endedAt !== undefined) e.talkMs = Math.round(endedAt - answeredAt);
    this.#emit(e);
    for (const l of [...this.#lines]) this.detachLine(l);
    this.events.emit('ended', end);
    this.store.dispose();
  }

  /** The line named in the call's events: where it is, else where its INVITE came in. */
  #eventLine(): string {
    return this.line ?? (this.leg as Partial<InboundLegLike>).arrivalLine ?? '';
  }

  #emit(e: ControlEvent): void {
    this.ctx.emit(e);
  }

  #inbound(): InboundLegLike {
    if (this.direction !== 'inbound') throw new Error(`call ${this.id} is outbound`);
    return this.leg as InboundLegLike;
  }

  #activeSession(): NonNullable<Leg['session']> {
    if (this.#state !== CallState.Active) throw new Error('the call is not active');
    const session = this.leg.session;
    if (!session) throw new Error('the call has no SIP session');
    return session;
  }
}
