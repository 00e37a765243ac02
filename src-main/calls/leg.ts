import type { Session } from 'sip.js';
import type { Emitter } from '../common/emitter.js';
import type { EndReason, LegState, MediaEncryption } from '../contract/vocabulary.js';
import type { IncomingRefer } from './incoming-refer.js';

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
  /** Every response to our INVITE, provisional or final (outbound legs), with its reason phrase. */
  response: [code: number, reason: string];
  /** The far end sent a REFER in the dialog; the call decides what becomes of it. */
  refer: [refer: IncomingRefer];
}

export interface Party {
  /** Display name, when the caller sent one. */
  name?: string;
  /** The user part (number) or the whole URI when there is none. */
  number: string;
  uri: string;
}

/** What the signalling path tells the call's media; set when the leg is made, never asked for later. */
export interface Signalling {
  /**
   * The IP the call's SIP comes from: the INVITE's source (the PBX or proxy that sent it), or
   * for a call we place the far end of the flow to the registrar or outbound proxy.
   */
  peerIp?: string;
  /** SRTP policy of the line the call's SIP runs on (config/media-encryption.ts). */
  encryption: MediaEncryption;
}

/** What a Call needs of any SIP leg: its events, its session for in-dialog requests, a way to end it. */
export interface Leg {
  readonly callId: string;
  /** Absent for legs without SIP (unit tests): plain RTP, no latch onto the signalling peer. */
  readonly signalling?: Signalling;
  readonly events: Emitter<LegEvents>;
  /** Clock times of the answer and the end (talk time). */
  readonly answeredAt?: number | undefined;
  readonly endedAt?: number | undefined;
  /** The sip.js session, for hold, INFO and REFER (legs without SIP in unit tests have none). */
  readonly session?: Session;
  /**
   * BYE when answered; otherwise refuse (inbound) or CANCEL (outbound). `failed`: we end it
   * because something of ours broke (its media), so it ends as `failed` with `detail`.
   */
  hangup(detail?: string, failed?: boolean): void;
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
  /** Refuses with `code`, a Reason header and, for a 488, a Warning (RFC 3261 §20.43) saying why. */
  reject(code: number, reason: EndReason, detail?: string, warning?: SipWarning): void;
  redirect(target: string): void;
}

/** A Warning header's code and text (RFC 3261 §20.43: 3xx codes explain an SDP refusal). */
export interface SipWarning {
  code: number;
  text: string;
}
