import { Inviter, SessionState, UserAgent, type UserAgent as UA } from 'sip.js';
import type { Clock } from '../common/clock.js';
import { Emitter } from '../common/emitter.js';
import type { Logger } from '../common/logger.js';
import type { LegEnd, LegEvents } from './call-leg.js';
import { sendInfoDtmf } from './info-dtmf.js';
import { reinviteHold } from './session-hold.js';
import { byeWithReason, inDialogRequests } from './session-requests.js';

export interface OutboundEvents extends LegEvents {
  /** A provisional response (180, 183…). */
  progress: [code: number];
}

/**
 * A call the agent places (click-to-dial, redial, consultation): a sip.js Inviter on the
 * line's user agent. Several forks may answer early or late; sip.js ACKs and BYEs the
 * extra 2xx itself.
 */
export class OutboundCall {
  readonly events = new Emitter<OutboundEvents>();
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
  ) {
    this.target = toUri(target, domain);
    const uri = UserAgent.makeURI(this.target);
    if (!uri) throw new Error(`cannot call "${target}": not a valid SIP URI`);
    this.inviter = new Inviter(ua, uri, { earlyMedia: false });
    this.inviter.delegate = inDialogRequests(
      () => (this.#pendingEnd ??= { reason: 'remote-hangup', code: 200 }),
      (digit, durationMs) => this.events.emit('dtmf', digit, durationMs),
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

  get state(): 'dialing' | 'active' | 'ended' {
    return this.#state;
  }

  /** Sends the INVITE; resolves once it is sent (progress and answer arrive as events). */
  async dial(): Promise<void> {
    await this.inviter.invite({
      requestDelegate: {
        onProgress: (r) => this.events.emit('progress', r.message.statusCode ?? 0),
        onReject: (r) => {
          const code = r.message.statusCode ?? 0;
          this.#pendingEnd = { reason: 'rejected', code, detail: r.message.reasonPhrase };
        },
      },
    });
  }

  setHold(on: boolean): Promise<void> {
    if (this.#state !== 'active') return Promise.reject(new Error('the call is not active'));
    return reinviteHold(this.inviter, on);
  }

  /** Sends digits by SIP INFO, paced like tones. */
  sendInfoDtmf(digits: string, durationMs = 100): Promise<void> {
    return sendInfoDtmf(this.inviter, digits, this.clock, durationMs);
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

  #finish(end: LegEnd): void {
    if (this.#state === 'ended') return;
    this.#state = 'ended';
    this.endedAt = this.clock.now();
    this.events.emit('ended', end);
    this.events.removeAllListeners();
  }
}

/**
 * "201" → sip:201@domain (dialling punctuation dropped); "alice@example.com" →
 * sip:alice@example.com; "sip:x@y", "sips:…" unchanged; "tel:+49…" → sip:+49…@domain (user=phone).
 */
export function toUri(target: string, domain: string): string {
  const t = target.trim();
  if (/^sips?:/i.test(t)) return t;
  if (t.includes('@')) return `sip:${t}`; // already user@host: its dots and dashes are the host's
  if (/^tel:/i.test(t)) return `sip:${t.slice(4).replace(/[\s().-]/g, '')}@${domain};user=phone`;
  return `sip:${t.replace(/[\s().-]/g, '')}@${domain}`;
}
