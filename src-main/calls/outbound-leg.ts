import { Inviter, SessionState, UserAgent, type Session, type UserAgent as UA } from 'sip.js';
import type { Clock } from '../common/clock.js';
import { Emitter } from '../common/emitter.js';
import type { Logger } from '../common/logger.js';
import { sipIncomingRefer } from './incoming-refer.js';
import type { Leg, LegEnd, LegEvents } from './leg.js';
import { byeWithReason, inDialogRequests } from './session-requests.js';
import { toUri } from './sip-target.js';

/**
 * The SIP side of a call the agent places (click-to-dial, redial, consultation): a sip.js
 * Inviter on the line's user agent. Several forks may answer early or late; sip.js ACKs
 * and BYEs the extra 2xx itself.
 */
export class OutboundLeg implements Leg {
  readonly events = new Emitter<LegEvents>();
  readonly inviter: Inviter;
  readonly target: string;
  answeredAt: number | undefined;
  endedAt: number | undefined;
  #state: 'dialing' | 'active' | 'ended' = 'dialing';
  #pendingEnd: LegEnd | undefined;

  constructor(
    ua: UA,
    target: string,
    /** Domain for a bare number: the line's AOR host. */
    domain: string,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** Headers for the INVITE (a referred call's Referred-By). */
    extraHeaders: readonly string[] = [],
  ) {
    this.target = toUri(target, domain);
    const uri = UserAgent.makeURI(this.target);
    if (!uri) throw new Error(`cannot call "${target}": not a valid SIP URI`);
    this.inviter = new Inviter(ua, uri, { earlyMedia: false, extraHeaders: [...extraHeaders] });
    this.inviter.delegate = inDialogRequests(
      () => (this.#pendingEnd ??= { reason: 'remote-hangup', code: 200 }),
      (digit, durationMs) => this.events.emit('dtmf', digit, durationMs),
      (referral) => this.events.emit('refer', sipIncomingRefer(referral, this.inviter, log)),
    );
    this.inviter.stateChange.addListener((s) => {
      if (s === SessionState.Established && this.#state === 'dialing') {
        this.#state = 'active';
        this.answeredAt = this.clock.now();
        this.events.emit('answered');
      }
      if (s === SessionState.Terminated) this.#finish(this.#pendingEnd ?? { reason: this.#state === 'active' ? 'remote-hangup' : 'failed', code: 0 });
    });
  }

  get callId(): string {
    return this.inviter.request.callId;
  }

  get session(): Session {
    return this.inviter;
  }

  get state(): 'dialing' | 'active' | 'ended' {
    return this.#state;
  }

  /** Sends the INVITE; resolves once it is sent (progress and answer arrive as events). */
  async dial(): Promise<void> {
    await this.inviter.invite({
      requestDelegate: {
        onTrying: (r) => this.#response(r.message),
        onProgress: (r) => {
          this.#response(r.message);
          this.events.emit('progress', r.message.statusCode ?? 0);
        },
        onAccept: (r) => this.#response(r.message),
        onRedirect: (r) => this.#response(r.message),
        onReject: (r) => {
          const code = r.message.statusCode ?? 0;
          this.#pendingEnd = { reason: 'rejected', code, detail: r.message.reasonPhrase };
          this.#response(r.message);
        },
      },
    });
  }

  /** Hangs up: BYE when answered, CANCEL while it rings. */
  hangup(detail = 'hangup'): void {
    if (this.#state === 'active') {
      this.#pendingEnd = { reason: 'local-hangup', code: 200 };
      byeWithReason(this.inviter, detail, this.log, { call: this.callId });
    } else if (this.#state === 'dialing') {
      this.#pendingEnd = { reason: 'local-hangup', code: 487 };
      this.inviter.cancel().catch((e: unknown) => this.log.warn('CANCEL failed', { error: e }));
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
