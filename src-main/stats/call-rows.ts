import type { AgentStateName, CallRecordView } from '../contract/control-events.js';
import type { EndReason } from '../contract/vocabulary.js';
import type { AttemptOutcome, CallRecord, Disposition, OfferAttempt } from './call-record.js';

/** A row of `calls` as SQLite returns it (schema: migrations.ts). */
export interface CallRow {
  id: number;
  call_id: string;
  direction: 'in' | 'out';
  line: string | null;
  from_number: string;
  from_name: string | null;
  called: string;
  offered_at: number;
  offered_hour: number;
  answered_at: number | null;
  ended_at: number | null;
  disposition: Disposition;
  decline_reason: string | null;
  end_reason: EndReason | null;
  end_code: number | null;
  end_detail: string | null;
  queued_ms: number;
  talk_ms: number;
  hold_ms: number;
  hold_since: number | null;
  wrapup_ms: number;
  attempts: number;
  codec: string | null;
  mos_last: number | null;
  mos_worst: number | null;
  loss_last: number | null;
  loss_worst: number | null;
  jitter_last: number | null;
  jitter_worst: number | null;
  rtt_last: number | null;
  /** 1 SRTP throughout, 0 plain RTP at some point, null unknown (migration 4). */
  encrypted: 0 | 1 | null;
  /** The recording's file (migration 6). */
  recording?: string | null;
}

export interface OfferRow {
  call: number;
  seq: number;
  line: string;
  attempt: number;
  offered_at: number;
  ended_at: number | null;
  outcome: AttemptOutcome | null;
  detail: string | null;
}

export interface AgentIntervalRow {
  id: number;
  state: AgentStateName;
  reason: string | null;
  started_at: number;
  ended_at: number | null;
  call: number | null;
}

/** Every column of `calls`, in schema order. */
export const callColumns = [
  'id', 'call_id', 'direction', 'line', 'from_number', 'from_name', 'called', 'offered_at', 'offered_hour', 'answered_at', 'ended_at',
  'disposition', 'decline_reason', 'end_reason', 'end_code', 'end_detail', 'queued_ms', 'talk_ms', 'hold_ms', 'hold_since', 'wrapup_ms',
  'attempts', 'codec', 'mos_last', 'mos_worst', 'loss_last', 'loss_worst', 'jitter_last', 'jitter_worst', 'rtt_last',
  'encrypted',
] as const satisfies readonly (keyof CallRow)[];

/**
 * The columns of `calls` in the desk's own store: the team's, and the recording's file
 * (a path on this desk, which stays here: it is not shipped to the team database).
 */
export const localCallColumns = [...callColumns, 'recording'] as const satisfies readonly (keyof CallRow)[];

export function recordToRow(rec: CallRecord): CallRow {
  const q = rec.quality;
  return {
    id: rec.id,
    call_id: rec.callId,
    direction: rec.direction,
    line: rec.line,
    from_number: rec.from,
    from_name: rec.fromName,
    called: rec.to,
    offered_at: rec.offeredAt,
    offered_hour: rec.offeredHour,
    answered_at: rec.answeredAt,
    ended_at: rec.endedAt,
    disposition: rec.disposition,
    decline_reason: rec.declineReason,
    end_reason: rec.endReason,
    end_code: rec.endCode,
    end_detail: rec.endDetail,
    queued_ms: rec.queuedMs,
    talk_ms: rec.talkMs,
    hold_ms: rec.holdMs,
    hold_since: rec.holdSince,
    wrapup_ms: rec.wrapupMs,
    attempts: rec.attempts.length,
    codec: q.codec,
    mos_last: q.mosLast,
    mos_worst: q.mosWorst,
    loss_last: q.lossLast,
    loss_worst: q.lossWorst,
    jitter_last: q.jitterLast,
    jitter_worst: q.jitterWorst,
    rtt_last: q.rttLast,
    encrypted: q.encrypted === null ? null : q.encrypted ? 1 : 0,
    recording: rec.recording ?? null,
  };
}

export function rowToRecord(row: CallRow, offers: readonly OfferRow[]): CallRecord {
  return {
    id: row.id,
    callId: row.call_id,
    direction: row.direction,
    line: row.line,
    from: row.from_number,
    fromName: row.from_name,
    to: row.called,
    offeredAt: row.offered_at,
    offeredHour: row.offered_hour,
    answeredAt: row.answered_at,
    endedAt: row.ended_at,
    disposition: row.disposition,
    declineReason: row.decline_reason,
    endReason: row.end_reason,
    endCode: row.end_code,
    endDetail: row.end_detail,
    queuedMs: row.queued_ms,
    talkMs: row.talk_ms,
    holdMs: row.hold_ms,
    holdSince: row.hold_since,
    wrapupMs: row.wrapup_ms,
    attempts: offers.map(
      (o): OfferAttempt => ({ seq: o.seq, line: o.line, attempt: o.attempt, offeredAt: o.offered_at, endedAt: o.ended_at, outcome: o.outcome, detail: o.detail, dirty: false }),
    ),
    quality: {
      codec: row.codec,
      mosLast: row.mos_last,
      mosWorst: row.mos_worst,
      lossLast: row.loss_last,
      lossWorst: row.loss_worst,
      jitterLast: row.jitter_last,
      jitterWorst: row.jitter_worst,
      rttLast: row.rtt_last,
      encrypted: row.encrypted === null ? null : row.encrypted === 1,
    },
    recording: row.recording ?? null,
  };
}

/** The history view of a stored row (`mos` is the worst seen). */
export function rowToView(row: Pick<CallRow, 'call_id' | 'line' | 'direction' | 'from_number' | 'from_name' | 'called' | 'offered_at' | 'answered_at' | 'ended_at' | 'disposition' | 'decline_reason' | 'talk_ms' | 'hold_ms' | 'wrapup_ms' | 'attempts' | 'mos_worst'> & Partial<Pick<CallRow, 'encrypted' | 'recording'>>): CallRecordView {
  const view: CallRecordView = {
    call: row.call_id,
    line: row.line,
    direction: row.direction,
    from: row.from_number,
    to: row.called,
    offeredAt: row.offered_at,
    answeredAt: row.answered_at,
    endedAt: row.ended_at,
    disposition: row.disposition,
    talkMs: row.talk_ms,
    holdMs: row.hold_ms,
    wrapupMs: row.wrapup_ms,
    attempts: row.attempts,
  };
  if (row.from_name !== null) view.fromName = row.from_name;
  if (row.decline_reason !== null) view.declineReason = row.decline_reason;
  if (row.mos_worst !== null) view.mos = row.mos_worst;
  if (row.encrypted !== null && row.encrypted !== undefined) view.encrypted = row.encrypted === 1;
  if (row.recording) view.recording = row.recording;
  return view;
}
