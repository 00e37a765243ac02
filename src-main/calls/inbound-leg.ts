import { SessionState, type Invitation, type Session } from 'sip.js';
import type { Clock } from '../common/clock.js';
import { Emitter } from '../common/emitter.js';
import type { Logger } from '../common/logger.js';
import type { EndReason, LegState } from '../contract/vocabulary.js';
import { cancelEndReason } from './cancel-reason.js';
import { sipIncomingRefer } from './incoming-refer.js';
import type { InboundLegLike, LegEnd, LegEvents, Party, Signalling, SipWarning } from './leg.js';
import { byeWithReason, inDialogRequests } from './session-requests.js';

/**
 * incoming ─ring/queue─▶ ringing|queued ─accept─▶ answering ─200 sent─▶ active ─BYE─▶ ended
 *     └──────────── reject / CANCEL / failure (from any state before active) ───────▶ ended
 */

/**
 * The SIP side of one inbound fork: wraps a sip.js Invitation and turns its callbacks
 * into a small state machine. It decides nothing; the dispatcher tells it to ring, queue,
 * accept, reject or hang up, and its Call does the in-dialog requests (hold, INFO, REFER)
 * on its session.
 */
export class InboundLeg implements InboundLegLike {
  readonly events = new Emitter<LegEvents>();
  readonly callId: string;
  readonly from: Party;
  /** What the caller dialled (the To header: after a fork the Request-URI is our Contact). */
  readonly to: Party;
  readonly arrivedAt: number;
  answeredAt: number | undefined;
  endedAt: number | undefined;
  #state: LegState = 'incoming';
  #end: LegEnd | undefined;
  #pendingEnd: LegEnd | undefined;

  constructor(
    readonly invitation: Invitation,
    /** The line whose user agent received the INVITE. */
    readonly arrivalLine: string,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** The INVITE's source and the line's SRTP policy, for the call's media. */
    readonly signalling?: Signalling,
    /** Extra headers of our 200 OK (RFC 4028 Session-Expires, Require: timer). */
    private readonly answerHeaders: readonly string[] = [],
  ) {
    const req = invitation.request;
    this.callId = req.callId;
    this.from = party(invitation.remoteIdentity.displayName, invitation.remoteIdentity.uri.user, invitation.remoteIdentity.uri.toString());
    this.to = party(req.to.displayName, req.to.uri.user, req.to.uri.toString());
    this.arrivedAt = clock.now();
    invitation.delegate = {
      onCancel: (cancel) => {
        const reasons = cancel.request.getHeaders('reason');
        // A call dialled to something other than this line's own extension was distributed by the PBX.
        const distributed = this.to.number !== invitation.userAgent.configuration.uri.user;
        const detail = reasons.join(', ');
        this.#pendingEnd = { reason: cancelEndReason(reasons, distributed), code: 487, ...(detail ? { detail } : {}) };
      },
      ...inDialogRequests(
        () => (this.#pendingEnd ??= { reason: 'remote-hangup', code: 200 }),
        (digit, durationMs) => this.events.emit('dtmf', digit, durationMs),
        (referral) => this.events.emit('refer', sipIncomingRefer(referral, invitation, log)),
      ),
    };
    invitation.stateChange.addListener((s) => {
      if (s === SessionState.Terminated) this.#finish(this.#pendingEnd ?? this.#unexpectedEnd());
    });
  }

  get session(): Session {
    return this.invitation;
  }

  get state(): LegState {
    return this.#state;
  }

  get end(): LegEnd | undefined {
    return this.#end;
  }

  get isOpen(): boolean {
    return this.#state !== 'ended';
  }

  /** Sends 180 Ringing. */
  ring(): void {
    if (this.#state !== 'incoming' && this.#state !== 'queued') return;
    this.#state = 'ringing';
    this.invitation.progress({ statusCode: 180, reasonPhrase: 'Ringing' }).catch((e: unknown) => this.log.warn('180 failed', { call: this.callId, error: e }));
  }

  /** Sends 182 Queued (RFC 3261 §21.1.4): the call waits for a free line. */
  queue(): void {
    if (this.#state === 'ended' || this.#state === 'answering' || this.#state === 'active') return;
    const first = this.#state === 'incoming';
    this.#state = 'queued';
    if (first) this.invitation.progress({ statusCode: 182, reasonPhrase: 'Queued' }).catch((e: unknown) => this.log.warn('182 failed', { call: this.callId, error: e }));
  }

  /** Answers (200 OK with our SDP answer). Resolves once the call is active. */
  async accept(): Promise<void> {
    if (this.#state === 'answering' || this.#state === 'active') return;
    if (this.#state === 'ended') throw new Error(`call ${this.callId} has already ended`);
    this.#state = 'answering';
    try {
      await this.invitation.accept(this.answerHeaders.length > 0 ? { extraHeaders: [...this.answerHeaders] } : undefined);
    } catch (error) {
      this.#pendingEnd ??= { reason: 'failed', code: 500, detail: error instanceof Error ? error.message : String(error) };
      if (this.invitation.state !== SessionState.Terminated) this.invitation.reject({ statusCode: 500 }).catch(() => {});
      this.#finish(this.#pendingEnd);
      throw error;
    }
    if (this.#state !== 'answering') return; // ended meanwhile (CANCEL crossed our 200)
    this.#state = 'active';
    this.answeredAt = this.clock.now();
    this.events.emit('answered');
  }

  /**
   * Refuses the call with `code` (486 busy, 480 unavailable, 603 decline…) and a Reason header;
   * a 488 also says why in a Warning header (RFC 3261 §20.43).
   */
  reject(code: number, reason: EndReason, detail?: string, warning?: SipWarning): void {
    if (this.#state === 'ended' || this.#state === 'active' || this.#state === 'answering') return;
    this.#pendingEnd = { reason, code, ...(detail ? { detail } : {}) };
    const text = quotable(detail ?? reason);
    const extraHeaders = [`Reason: SIP;cause=${code};text="${text}"`];
    if (warning) extraHeaders.push(`Warning: ${warning.code} linedesk "${quotable(warning.text)}"`);
    this.invitation
      .reject({ statusCode: code, extraHeaders })
      .catch((e: unknown) => this.log.warn(`reject ${code} failed`, { call: this.callId, error: e }));
  }

  /** Redirects the caller elsewhere (302), e.g. to the queue's overflow destination. */
  redirect(target: string): void {
    if (this.#state === 'ended' || this.#state === 'active' || this.#state === 'answering') return;
    this.#pendingEnd = { reason: 'rejected', code: 302, detail: `redirected to ${target}` };
    this.invitation.reject({ statusCode: 302, extraHeaders: [`Contact: <${target}>`] }).catch((e: unknown) => this.log.warn('302 failed', { call: this.callId, error: e }));
  }

  /** Hangs up an active call (BYE), or refuses one still ringing. */
  hangup(detail = 'hangup', failed = false): void {
    if (this.#state === 'active') {
      this.#pendingEnd = failed ? { reason: 'failed', code: 200, detail } : { reason: 'local-hangup', code: 200 };
      byeWithReason(this.invitation, detail, this.log, { call: this.callId });
    } else if (this.#state !== 'ended') {
      this.reject(480, 'rejected', detail);
    }
  }

  /**
   * The session ended with no cause of ours or the caller's: a failed answer. sip.js then
   * refused the INVITE itself, with 480 (Invitation.handleResponseError); the SDH says why.
   */
  #unexpectedEnd(): LegEnd {
    if (this.#state === 'active') return { reason: 'remote-hangup', code: 0 };
    if (this.#state !== 'answering') return { reason: 'failed', code: 0 };
    const why = (this.invitation.sessionDescriptionHandler as { failure?: unknown } | undefined)?.failure;
    return { reason: 'failed', code: 480, detail: typeof why === 'string' ? why : 'the answer could not be sent' };
  }

  #finish(end: LegEnd): void {
    if (this.#state === 'ended') return;
    this.#state = 'ended';
    this.#end = end;
    this.endedAt = this.clock.now();
    this.events.emit('ended', end);
    this.events.removeAllListeners();
  }
}

/** Text safe inside a quoted header value. */
function quotable(text: string): string {
  return text.replace(/["\\\r\n]/g, "'");
}

function party(name: string | undefined, user: string | undefined, uri: string): Party {
  const p: Party = { number: user ?? uri, uri };
  if (name) p.name = name.replace(/^"|"$/g, '');
  return p;
}
