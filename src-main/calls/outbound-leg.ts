import { Inviter, SessionState, UserAgent, type Core, type InviterOptions, type Session, type URI, type UserAgent as UA } from 'sip.js';
import type { Clock } from '../common/clock.js';
import { Emitter } from '../common/emitter.js';
import type { Logger } from '../common/logger.js';
import { EarlyMedia } from './early-media.js';
import { sipIncomingRefer } from './incoming-refer.js';
import { watchInviteResponses } from './invite-responses.js';
import type { Leg, LegEnd, LegEvents, Signalling } from './leg.js';
import { RedirectPlan, type RedirectRules } from './redirect-policy.js';
import { byeWithReason, inDialogRequests } from './session-requests.js';
import { readTimerHeaders } from './session-timer.js';
import { inviteTimerHeaders, retryInterval, type SessionTimerSettings } from './session-timer-terms.js';
import { toUri } from './sip-target.js';

export interface OutboundLegOptions {
  /** RFC 4028: Session-Expires in our INVITE, a 422 retried once with the Min-SE it names. */
  sessionTimers?: SessionTimerSettings;
  /** 3xx answers: followed within these rules (none: a 3xx ends the call). */
  redirects?: RedirectRules;
}

/**
 * The SIP side of a call the agent places (click-to-dial, redial, consultation): a sip.js
 * Inviter on the line's user agent. Several forks may answer early or late; sip.js ACKs
 * and BYEs the extra 2xx itself. The far end's early media (an SDP answer in a 1xx) plays
 * at once, from whichever early dialog sent the newest one.
 *
 * Some answers make the call send a new INVITE, from a new Inviter with the same Call-ID
 * and a higher CSeq, so the call stays one call for everyone above this class:
 *  - a 3xx, to the next target the redirect rules allow (calls/redirect-policy.ts);
 *  - a 422, once, asking for the session interval it names (RFC 4028);
 *  - a 488 under an `optional` SRTP policy: the first offer is RTP/AVP with a=crypto (best
 *    effort); a far end that wants RTP/SAVP only (baresip's `srtp-mand`, Linphone with
 *    mandatory SRTP, Asterisk without media_encryption_optimistic) refuses it, and the call
 *    is tried once more offering RTP/SAVP.
 * Responses that led to a new INVITE are not reported as `response` (a referrer is told only
 * how the call really ended).
 */
export class OutboundLeg implements Leg {
  readonly events = new Emitter<LegEvents>();
  readonly target: string;
  answeredAt: number | undefined;
  endedAt: number | undefined;
  /** The 2xx that answered the call (its session-timer and Allow headers). */
  answer: Core.IncomingResponseMessage | undefined;
  #inviter: Inviter;
  #state: 'dialing' | 'active' | 'ended' = 'dialing';
  #pendingEnd: LegEnd | undefined;
  #retriedWithSavp = false;
  #retriedTooSmall = false;
  /** The Session-Expires our INVITE asks for (raised after a 422). */
  #sessionExpires: number | undefined;
  readonly #redirects: RedirectPlan | undefined;

  constructor(
    private readonly ua: UA,
    target: string,
    /** Domain for a bare number: the line's AOR host. */
    domain: string,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** The registrar's or proxy's IP and the line's SRTP policy, for the call's media. */
    readonly signalling?: Signalling,
    /** Headers for the INVITE (a referred call's Referred-By). */
    private readonly extraHeaders: readonly string[] = [],
    private readonly options: OutboundLegOptions = {},
  ) {
    this.target = toUri(target, domain);
    const uri = UserAgent.makeURI(this.target);
    if (!uri) throw new Error(`cannot call "${target}": not a valid SIP URI`);
    if (options.sessionTimers?.enabled) this.#sessionExpires = options.sessionTimers.expiresSec;
    if (options.redirects) this.#redirects = new RedirectPlan(this.target, options.redirects);
    this.#inviter = this.#newInviter(uri, {});
  }

  /** The INVITE session in use (after a retry or a redirect, the latest one). */
  get inviter(): Inviter {
    return this.#inviter;
  }

  #newInviter(uri: URI, options: InviterOptions): Inviter {
    const timerHeaders = this.options.sessionTimers ? inviteTimerHeaders(this.options.sessionTimers, this.#sessionExpires) : [];
    const inviter = new Inviter(this.ua, uri, {
      // Early media is applied here instead: sip.js would end a forked call whose early media came from another fork (#502).
      earlyMedia: false,
      extraHeaders: [...this.extraHeaders, ...timerHeaders],
      ...(this.#retriedWithSavp ? { sessionDescriptionHandlerOptions: { offerSavp: true } as InviterOptions['sessionDescriptionHandlerOptions'] } : {}),
      ...options,
    });
    inviter.delegate = inDialogRequests(
      () => (this.#pendingEnd ??= { reason: 'remote-hangup', code: 200 }),
      (digit, durationMs) => this.events.emit('dtmf', digit, durationMs),
      (referral) => this.events.emit('refer', sipIncomingRefer(referral, inviter, this.log)),
    );
    inviter.stateChange.addListener((s) => {
      if (inviter !== this.#inviter) return;
      if (s === SessionState.Established && this.#state === 'dialing') {
        this.#state = 'active';
        this.answeredAt = this.clock.now();
        this.events.emit('answered');
      }
      if (s !== SessionState.Terminated) return;
      const finish = (): void => {
        // A new INVITE was sent meanwhile (a retry, a redirect): this Inviter is not the leg's any more.
        if (inviter === this.#inviter) this.#finish(this.#pendingEnd ?? { reason: this.#state === 'active' ? 'remote-hangup' : 'failed', code: 0 });
      };
      // sip.js ends the Inviter before it hands us the final response (onReject, onRedirect): look at it first.
      if (this.#state === 'dialing') queueMicrotask(finish);
      else finish();
    });
    return inviter;
  }

  get callId(): string {
    return this.#inviter.request.callId;
  }

  get session(): Session {
    return this.#inviter;
  }

  get state(): 'dialing' | 'active' | 'ended' {
    return this.#state;
  }

  /** Sends the INVITE; resolves once it is sent (progress and answer arrive as events). */
  async dial(): Promise<void> {
    await this.#invite(this.#inviter);
  }

  async #invite(inviter: Inviter): Promise<void> {
    const early = new EarlyMedia(inviter, this.log);
    const request = await inviter.invite({
      requestDelegate: {
        onTrying: (r) => this.#response(r.message),
        onProgress: (r) => {
          early.progress(r.message);
          this.#response(r.message);
          this.events.emit('progress', r.message.statusCode ?? 0);
        },
        onAccept: (r) => this.#response(r.message),
        onRedirect: (r) => {
          if (!this.#redirected(inviter, r.message)) this.#response(r.message);
        },
        onReject: (r) => {
          const code = r.message.statusCode ?? 0;
          if (code === 488 && this.#retryWithSavp(inviter, r.message.getHeader('warning'))) return;
          if (code === 422 && this.#retryTooSmall(inviter, r.message)) return;
          // A 487 after our CANCEL keeps the reason we hung up with.
          this.#pendingEnd ??= { reason: 'rejected', code, detail: r.message.reasonPhrase };
          this.#response(r.message);
        },
      },
    });
    watchInviteResponses(request, {
      dialoglessProgress: (code) => this.events.emit('progress', code),
      // Known before sip.js confirms the dialog, so before `answered`.
      firstAnswer: (message) => (this.answer = message),
    });
  }

  /** The one retry of an `optional` call refused with 488: the same Call-ID, RTP/SAVP offered. */
  #retryWithSavp(failed: Inviter, warning: string | undefined): boolean {
    if (this.#retriedWithSavp || this.signalling?.encryption !== 'optional' || this.#pendingEnd || this.#state !== 'dialing') return false;
    this.#retriedWithSavp = true;
    this.log.info(`488 to our RTP/AVP offer with a=crypto${warning ? ` (${warning})` : ''}: trying again with RTP/SAVP`, { call: failed.request.callId });
    this.#again(failed, failed.request.ruri);
    return true;
  }

  /** A 422 (RFC 4028 §7.3): once more, asking for the interval it names. */
  #retryTooSmall(failed: Inviter, response: Core.IncomingResponseMessage): boolean {
    const settings = this.options.sessionTimers;
    if (!settings?.enabled || this.#retriedTooSmall || this.#sessionExpires === undefined || this.#pendingEnd || this.#state !== 'dialing') return false;
    const interval = retryInterval(readTimerHeaders(response), this.#sessionExpires, settings);
    if (interval === undefined) return false;
    this.#retriedTooSmall = true;
    this.#sessionExpires = interval;
    this.log.info(`422: asking again with Session-Expires ${interval}`, { call: failed.request.callId });
    this.#again(failed, failed.request.ruri);
    return true;
  }

  /** A 3xx: on to the next target the redirect rules allow (true), else the call ends with it (false). */
  #redirected(failed: Inviter, response: Core.IncomingResponseMessage): boolean {
    const code = response.statusCode ?? 0;
    const step = this.#redirects?.next(response.getHeaders('contact')) ?? { ok: false, reason: 'redirects are not followed' };
    const uri = step.ok ? UserAgent.makeURI(step.uri) : undefined;
    if (!step.ok || !uri || this.#pendingEnd) {
      const why = step.ok ? (uri ? 'the call was hung up' : `${step.uri} is not a SIP URI`) : step.reason;
      this.log.info(`${code} not followed: ${why}`, { call: this.callId });
      this.#pendingEnd ??= { reason: 'rejected', code, detail: `${response.reasonPhrase ?? 'redirected'}: ${why}` };
      return false;
    }
    this.log.info(`${code}: following the redirect to ${step.uri}`, { call: this.callId });
    this.events.emit('redirected', step.uri, code);
    this.#again(failed, uri);
    return true;
  }

  /** A new INVITE of this call from a new Inviter: the same Call-ID, a higher CSeq, a new From tag (a new dialog). */
  #again(failed: Inviter, uri: URI): void {
    const request = failed.request;
    // sip.js passes these through to the request it builds.
    const params = { callId: request.callId, cseq: request.cseq + 1 } as InviterOptions['params'];
    const next = this.#newInviter(uri, { params });
    this.#inviter = next;
    this.#invite(next).catch((error: unknown) => {
      this.#pendingEnd ??= { reason: 'failed', code: 0, detail: `the new INVITE could not be sent: ${error instanceof Error ? error.message : String(error)}` };
      this.#finish(this.#pendingEnd);
    });
  }

  /** Hangs up: BYE when answered, CANCEL while it rings. */
  hangup(detail = 'hangup', failed = false): void {
    if (this.#state === 'active') {
      this.#pendingEnd = failed ? { reason: 'failed', code: 200, detail } : { reason: 'local-hangup', code: 200 };
      byeWithReason(this.#inviter, detail, this.log, { call: this.callId });
    } else if (this.#state === 'dialing') {
      this.#pendingEnd = failed ? { reason: 'failed', code: 487, detail } : { reason: 'local-hangup', code: 487 };
      this.#inviter.cancel().catch((e: unknown) => this.log.warn('CANCEL failed', { error: e }));
    }
  }

  #response(message: { statusCode?: number; reasonPhrase?: string }): void {
    this.events.emit('response', message.statusCode ?? 0, message.reasonPhrase ?? '');
  }

  #finish(end: LegEnd): void {
    if (this.#state === 'ended') return;
    this.#state = 'ended';
    this.endedAt = this.clock.now();
    this.events.emit('ended', end);
    this.events.removeAllListeners();
  }
}
