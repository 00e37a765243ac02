import type { Session } from 'sip.js';
import type { Emitter } from '../common/emitter.js';
import type { EndReason, LegState } from '../contract/vocabulary.js';

export type { EndReason, LegState };

/** How a leg ended. */
export interface LegEnd {
  reason: EndReason;
  /** The SIP status that ended it: 200 for a BYE, 487 for a CANCEL, the rejection code… */
  code: number;
  /** Free text: the CANCEL's Reason header, the decline reason, an error message. */
  detail?: string;
}

export interface LegEvents extends Record<string, unknown[]> {
  answered: [];
  ended: [end: LegEnd];
  /** A DTMF digit arrived by SIP INFO (RFC 4733 digits come from the media). */
  dtmf: [digit: string, durationMs: number | undefined];
  /** A provisional response to our INVITE (outbound legs: 180, 183…). */
  progress: [code: number];
  /** A 3xx to our INVITE is being followed: a new INVITE goes to `target` (outbound legs). */
  redirected: [target: string, code: number];
}

export interface Party {
  /** Display name, when the caller sent one. */
  name?: string;
  /** The user part (number) or the whole URI when there is none. */
  number: string;
  uri: string;
}

/** What a Call needs of any SIP leg: its events, its session for in-dialog requests, a way to end it. */
export interface Leg {
  readonly callId: string;
  readonly events: Emitter<LegEvents>;
  /** Clock times of the answer and the end (talk time). */
  readonly answeredAt?: number | undefined;
  readonly endedAt?: number | undefined;
  /** The sip.js session, for hold, INFO and REFER (legs without SIP in unit tests have none). */
  readonly session?: Session;
  /** BYE when answered; otherwise refuse (inbound) or CANCEL (outbound). */
  hangup(detail?: string): void;
}

/**
 * One inbound fork as the dispatcher drives it (InboundLeg does the SIP; tests use fakes).
 * The leg does SIP; the dispatcher decides.
 */
export interface InboundLegLike extends Leg {
  /** The line whose user agent received the INVITE. */
  readonly arrivalLine: string;
  readonly from: Party;
  /** What the caller dialled (the To header: after a fork the Request-URI is our Contact). */
  readonly to: Party;
  readonly state: LegState;
  ring(): void;
  queue(): void;
  accept(): Promise<void>;
  reject(code: number, reason: EndReason, detail?: string): void;
  redirect(target: string): void;
}
