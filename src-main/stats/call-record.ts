import type { CallRecordView } from '../contract/control-events.js';
import type { EndReason, OfferEnd } from '../contract/vocabulary.js';

export type Disposition = CallRecordView['disposition'];
/** How one offer of a call to a line ended; `answered` when that line took it. */
export type AttemptOutcome = OfferEnd | 'answered';

/** One offer of a call to one line. */
export interface OfferAttempt {
  /** 1, 2… in offer order within the call. */
  readonly seq: number;
  readonly line: string;
  /** The dispatcher's attempt number (ringall offers several lines in one attempt). */
  readonly attempt: number;
  readonly offeredAt: number;
  endedAt: number | null;
  outcome: AttemptOutcome | null;
  detail: string | null;
  /** Changed since last saved. */
  dirty: boolean;
}

export interface CallQuality {
  codec: string | null;
  mosLast: number | null;
  mosWorst: number | null;
  lossLast: number | null;
  lossWorst: number | null;
  jitterLast: number | null;
  jitterWorst: number | null;
  rttLast: number | null;
  /** SRTP: true while every report said so, false once one said plain RTP; null before any. */
  encrypted: boolean | null;
}

/**
 * One call as the recorder keeps it: the in-memory copy is the truth, every change is
 * saved whole (an idempotent upsert), so a retried write always stores the latest state.
 */
export interface CallRecord {
  readonly id: number;
  readonly callId: string;
  readonly direction: 'in' | 'out';
  line: string | null;
  from: string;
  fromName: string | null;
  to: string;
  readonly offeredAt: number;
  readonly offeredHour: number;
  answeredAt: number | null;
  endedAt: number | null;
  disposition: Disposition;
  declineReason: string | null;
  endReason: EndReason | null;
  endCode: number | null;
  endDetail: string | null;
  queuedMs: number;
  talkMs: number;
  holdMs: number;
  holdSince: number | null;
  wrapupMs: number;
  readonly attempts: OfferAttempt[];
  quality: CallQuality;
  /** The file of the call's recording (the last one started), or null. */
  recording?: string | null;
}

export function emptyQuality(): CallQuality {
  return { codec: null, mosLast: null, mosWorst: null, lossLast: null, lossWorst: null, jitterLast: null, jitterWorst: null, rttLast: null, encrypted: null };
}

/** The hour of day (local time) a timestamp falls in. */
export function localHour(ts: number): number {
  return new Date(ts).getHours();
}

/**
 * How a call ended, from the agent's point of view. Rules, first match wins:
 *
 *  1. answered (a `call.answered` was seen)                       → answered
 *     (whatever came before: a call declined on line 1 and answered on line 2 is answered,
 *      with one declined attempt)
 *  2. outbound, not answered: we gave up (local hang-up)          → abandoned
 *                             anything else                       → failed
 *  3. the PBX cancelled it because another device answered
 *     (`call.answered_elsewhere`, or end reason answered-elsewhere) → answered-elsewhere
 *  4. the caller gave up (CANCEL) while it was queued or ringing  → abandoned
 *     the PBX stopped ringing us (CANCEL: ring timeout, hunt group)  → missed
 *  5. signalling or media negotiation failed                      → failed
 *  6. LineDesk refused it (480/486/603, shutdown…): the last offer to end decides:
 *       declined by the agent                                     → declined (its reason kept)
 *       rang until the offer timeout                              → missed
 *       never offered (queued, then the queue gave up) or other   → rejected
 *
 * So a call whose every offer timed out and then got 480 is missed; one declined on every
 * line is declined; one declined on line 1 that timed out on line 2 is missed.
 */
export function finalDisposition(rec: Pick<CallRecord, 'direction' | 'answeredAt' | 'endReason' | 'attempts'>, answeredElsewhere: boolean): { disposition: Disposition; declineReason: string | null } {
  if (rec.answeredAt !== null) return { disposition: 'answered', declineReason: null };
  if (rec.direction === 'out') return { disposition: rec.endReason === 'local-hangup' || rec.endReason === 'caller-cancelled' ? 'abandoned' : 'failed', declineReason: null };
  if (answeredElsewhere || rec.endReason === 'answered-elsewhere') return { disposition: 'answered-elsewhere', declineReason: null };
  if (rec.endReason === 'caller-cancelled') return { disposition: 'abandoned', declineReason: null };
  if (rec.endReason === 'ring-timeout') return { disposition: 'missed', declineReason: null };
  if (rec.endReason === 'failed') return { disposition: 'failed', declineReason: null };
  const last = lastEndedAttempt(rec.attempts);
  if (last?.outcome === 'declined') return { disposition: 'declined', declineReason: last.detail };
  if (last?.outcome === 'timeout') return { disposition: 'missed', declineReason: null };
  return { disposition: 'rejected', declineReason: null };
}

/** The attempt that stopped ringing last (ties: the later offer). */
function lastEndedAttempt(attempts: readonly OfferAttempt[]): OfferAttempt | undefined {
  let best: OfferAttempt | undefined;
  for (const a of attempts) {
    if (a.endedAt === null) continue;
    if (!best || a.endedAt >= best.endedAt!) best = a;
  }
  return best;
}
