import { Inviter, SessionState, UserAgent, type Core, type InviterOptions, type Session, type UserAgent as UA, type URI } from 'sip.js';
import type { Clock } from '../common/clock.js';
import { Emitter } from '../common/emitter.js';
import type { Logger } from '../common/logger.js';
import { EarlyMedia } from './early-media.js';
import { watchInviteResponses } from './invite-responses.js';
import type { Leg, LegEnd, LegEvents } from './leg.js';
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
 * at once, from whichever early dialog sent the newest one. A redirect (3xx) or a 422 is
 * followed by a new INVITE from a new Inviter with the same Call-ID, so the call stays
 * one call for everyone above this class.
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
  readonly #redirects: RedirectPlan | undefined;
  /** The Session-Expires our INVITE asks for (raised after a 422). */
  #sessionExpires: number | undefined;
  #retriedTooSmall = false;
  #cseq = 1;

  constructor(
    private readonly ua: UA,
    target: string,
    /** Domain for a bare number: the line's AOR host. */
    domain: string,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly options: OutboundLegOptions = {},
  ) {
    this.target = toUri(target, domain);
    const uri = UserAgent.makeURI(this.target);
    if (!uri) throw new Error(`cannot call "${target}": not a valid SIP URI`);
    if (options.sessionTimers?.enabled) this.#sessionExpires = options.sessionTimers.expiresSec;
    if (options.redirects) this.#redirects = new RedirectPlan(this.target, options.redirects);
    this.#inviter = this.#newInviter(uri);
  }

  /** The INVITE in use (after a redirect, the latest one). */
  get inviter(): Inviter {
    return this.#inviter;
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
    await this.#send(this.#inviter);
  }

  /** Hangs up: BYE when answered, CANCEL while it rings. */
  hangup(detail = 'hangup'): void {
    if (this.#state === 'active') {
      this.#pendingEnd = { reason: 'local-hangup', code: 200 };
      byeWithReason(this.#inviter, detail, this.log, { call: this.callId });
    } else if (this.#state === 'dialing') {
      this.#pendingEnd = { reason: 'local-hangup', code: 487 };
      this.#inviter.cancel().catch((e: unknown) => this.log.warn('CANCEL failed', { error: e }));
    }
  }

  #newInviter(uri: URI, previous?: Inviter): Inviter {
    const params = previous ? { callId: previous.request.callId, cseq: ++this.#cseq } : {};
    const inviter = new Inviter(this.ua, uri, {
      earlyMedia: false, // applied here instead: sip.js would end a forked call whose early media came from another fork (#502)
      extraHeaders: this.options.sessionTimers ? inviteTimerHeaders(this.options.sessionTimers, this.#sessionExpires) : [],
      // A new INVITE of the same call (RFC 3261 §8.1.3.4 recommends keeping the Call-ID), with a higher CSeq.
      params: params as InviterOptions['params'],
    });
    inviter.delegate = inDialogRequests(
      () => (this.#pendingEnd ??= { reason: 'remote-hangup', code: 200 }),
      (digit, durationMs) => this.events.emit('dtmf', digit, durationMs),
    );
    inviter.stateChange.addListener((s) => {
      if (inviter !== this.#inviter) return; // an earlier INVITE of this call, redirected
      if (s === SessionState.Established && this.#state === 'dialing') {
        this.#state = 'active';
        this.answeredAt = this.clock.now();
        this.events.emit('answered');
      }
      // sip.js ends the session before it hands us the 3xx or 422; by the next microtask we know whether a new INVITE follows.
      if (s === SessionState.Terminated) queueMicrotask(() => {
        if (inviter === this.#inviter) this.#finish(this.#pendingEnd ?? { reason: this.#state === 'active' ? 'remote-hangup' : 'failed', code: 0 });
      });
    });
    return inviter;
  }

  async #send(inviter: Inviter): Promise<void> {
    const early = new EarlyMedia(inviter, this.log);
    const request = await inviter.invite({
      requestDelegate: {
        onProgress: (r) => {
          early.progress(r.message);
          this.events.emit('progress', r.message.statusCode ?? 0);
        },
        onRedirect: (r) => this.#redirected(inviter, r.message),
        onReject: (r) => {
          const code = r.message.statusCode ?? 0;
          if (code === 422 && this.#retryTooSmall(inviter, r.message)) return;
          // A 487 after our CANCEL keeps the reason we hung up with.
          this.#pendingEnd ??= { reason: 'rejected', code, detail: r.message.reasonPhrase };
        },
      },
    });
    watchInviteResponses(request, {
      dialoglessProgress: (code) => this.events.emit('progress', code),
      // Known before sip.js confirms the dialog, so before `answered`.
      firstAnswer: (message) => (this.answer = message),
    });
  }

  /** A 3xx: on to the next target the redirect rules allow, else the call ends with it. */
  #redirected(inviter: Inviter, response: Core.IncomingResponseMessage): void {
    const code = response.statusCode ?? 0;
    const step = this.#redirects?.next(response.getHeaders('contact')) ?? { ok: false, reason: 'redirects are not followed' };
    const uri = step.ok ? UserAgent.makeURI(step.uri) : undefined;
    if (!step.ok || !uri || this.#pendingEnd) {
      const why = step.ok ? (uri ? 'the call was hung up' : `${step.uri} is not a SIP URI`) : step.reason;
      this.log.info(`${code} not followed: ${why}`, { call: this.callId });
      this.#pendingEnd ??= { reason: 'rejected', code, detail: `${response.reasonPhrase ?? 'redirected'}: ${why}` };
      return;
    }
    this.log.info(`${code}: following the redirect to ${step.uri}`, { call: this.callId });
    this.events.emit('redirected', step.uri, code);
    this.#again(inviter, uri);
  }

  /** A 422 (RFC 4028 §7.3): once more, asking for the interval it names. */
  #retryTooSmall(inviter: Inviter, response: Core.IncomingResponseMessage): boolean {
    const settings = this.options.sessionTimers;
    if (!settings?.enabled || this.#retriedTooSmall || this.#sessionExpires === undefined || this.#pendingEnd) return false;
    const interval = retryInterval(readTimerHeaders(response), this.#sessionExpires, settings);
    if (interval === undefined) return false;
    this.#retriedTooSmall = true;
    this.#sessionExpires = interval;
    this.log.info(`422: asking again with Session-Expires ${interval}`, { call: this.callId });
    this.#again(inviter, inviter.request.ruri);
    return true;
  }

  #again(previous: Inviter, uri: URI): void {
    this.#inviter = this.#newInviter(uri, previous);
    this.#send(this.#inviter).catch((error: unknown) => {
      this.#pendingEnd ??= { reason: 'failed', code: 0, detail: error instanceof Error ? error.message : String(error) };
      this.#finish(this.#pendingEnd);
    });
  }

  #finish(end: LegEnd): void {
    if (this.#state === 'ended') return;
    this.#state = 'ended';
    this.endedAt = this.clock.now();
    this.events.emit('ended', end);
    this.events.removeAllListeners();
  }
}
