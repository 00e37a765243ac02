import { Inviter, SessionState, UserAgent, type InviterOptions, type Session, type URI, type UserAgent as UA } from 'sip.js';
import type { Clock } from '../common/clock.js';
import { Emitter } from '../common/emitter.js';
import type { Logger } from '../common/logger.js';
import type { Leg, LegEnd, LegEvents, Signalling } from './leg.js';
import { byeWithReason, inDialogRequests } from './session-requests.js';
import { toUri } from './sip-target.js';

/**
 * The SIP side of a call the agent places (click-to-dial, redial, consultation): a sip.js
 * Inviter on the line's user agent. Several forks may answer early or late; sip.js ACKs
 * and BYEs the extra 2xx itself.
 *
 * Under an `optional` SRTP policy the first offer is RTP/AVP with a=crypto (best effort);
 * a far end that wants RTP/SAVP only (baresip's `srtp-mand`, Linphone with mandatory SRTP,
 * Asterisk without media_encryption_optimistic) refuses it with 488, and the call is tried
 * once more, with the same Call-ID, offering RTP/SAVP.
 */
export class OutboundLeg implements Leg {
  readonly events = new Emitter<LegEvents>();
  readonly target: string;
  answeredAt: number | undefined;
  endedAt: number | undefined;
  #inviter: Inviter;
  #state: 'dialing' | 'active' | 'ended' = 'dialing';
  #pendingEnd: LegEnd | undefined;
  #retriedWithSavp = false;
  readonly #uri: URI;

  constructor(
    private readonly ua: UA,
    target: string,
    /** Domain for a bare number: the line's AOR host. */
    domain: string,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** The registrar's or proxy's IP and the line's SRTP policy, for the call's media. */
    readonly signalling?: Signalling,
  ) {
    this.target = toUri(target, domain);
    const uri = UserAgent.makeURI(this.target);
    if (!uri) throw new Error(`cannot call "${target}": not a valid SIP URI`);
    this.#uri = uri;
    this.#inviter = this.#newInviter(uri, {});
  }

  /** The INVITE session in use (the retry's, after a 488 to a best-effort SRTP offer). */
  get inviter(): Inviter {
    return this.#inviter;
  }

  #newInviter(uri: URI, options: InviterOptions): Inviter {
    const inviter = new Inviter(this.ua, uri, { earlyMedia: false, ...options });
    inviter.delegate = inDialogRequests(
      () => (this.#pendingEnd ??= { reason: 'remote-hangup', code: 200 }),
      (digit, durationMs) => this.events.emit('dtmf', digit, durationMs),
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
        // A 488 to a best-effort SRTP offer was retried meanwhile: this Inviter is not the leg's any more.
        if (inviter === this.#inviter) this.#finish(this.#pendingEnd ?? { reason: this.#state === 'active' ? 'remote-hangup' : 'failed', code: 0 });
      };
      // sip.js ends the Inviter before it hands us the final response (onReject): look at it first.
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
    await inviter.invite({
      requestDelegate: {
        onProgress: (r) => this.events.emit('progress', r.message.statusCode ?? 0),
        onReject: (r) => {
          const code = r.message.statusCode ?? 0;
          if (code === 488 && this.#retryWithSavp(inviter, r.message.getHeader('warning'))) return;
          this.#pendingEnd = { reason: 'rejected', code, detail: r.message.reasonPhrase };
        },
      },
    });
  }

  /** The one retry of an `optional` call refused with 488: the same Call-ID, RTP/SAVP offered. */
  #retryWithSavp(failed: Inviter, warning: string | undefined): boolean {
    if (this.#retriedWithSavp || this.signalling?.encryption !== 'optional' || this.#pendingEnd || this.#state !== 'dialing') return false;
    this.#retriedWithSavp = true;
    const request = failed.request;
    this.log.info(`488 to our RTP/AVP offer with a=crypto${warning ? ` (${warning})` : ''}: trying again with RTP/SAVP`, { call: request.callId });
    // sip.js passes these through to the request it builds; the From tag is new (a new dialog).
    const params = { callId: request.callId, cseq: request.cseq + 1 } as InviterOptions['params'];
    const retry = this.#newInviter(this.#uri, { params, sessionDescriptionHandlerOptions: { offerSavp: true } as InviterOptions['sessionDescriptionHandlerOptions'] });
    this.#inviter = retry;
    this.#invite(retry).catch((error: unknown) => {
      this.#pendingEnd ??= { reason: 'failed', code: 0, detail: `the RTP/SAVP retry could not be sent: ${error instanceof Error ? error.message : String(error)}` };
      this.#finish(this.#pendingEnd);
    });
    return true;
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

  #finish(end: LegEnd): void {
    if (this.#state === 'ended') return;
    this.#state = 'ended';
    this.endedAt = this.clock.now();
    this.events.emit('ended', end);
    this.events.removeAllListeners();
  }
}
