import type { ControlEvent } from '../contract/control-events.js';
import type { OfferEnd } from '../contract/vocabulary.js';
import { emptyQuality, finalDisposition, localHour, type CallRecord, type OfferAttempt } from './call-record.js';

/** Where the recorder saves a record after each change (the store, through the durable writer). */
export interface CallSink {
  nextCallId(): number;
  save(rec: CallRecord): void;
}

interface LiveCall {
  readonly rec: CallRecord;
  /** Who holds the call right now (local, remote or both): hold time runs while any does. */
  readonly holders: Set<'local' | 'remote'>;
  answeredElsewhere: boolean;
}

export interface CallRecorderOptions {
  sink: CallSink;
  /** Wall-clock ms: the time each event is recorded at. */
  now: () => number;
  /** The number of each line (the user part of its AOR): the "from" of its outbound calls. */
  lineNumbers: ReadonlyMap<string, string>;
  /** False for service lines (auto-answer): calls that start there are not the agent's and get no record. Default: every line is an agent line. */
  isAgentLine?: (line: string) => boolean;
  /** Told when an answered call has ended (wrap-up follows it). */
  onAnsweredCallEnded?: (rec: CallRecord) => void;
}

/**
 * Builds one record per call from the event bus, and saves it at every change:
 *
 *   call.queued / call.offered / call.dialing ─▶ ringing ─call.answered─▶ active ─call.ended─▶ final
 *        (the first of them creates the record)      └──────────── call.ended ─────────────▶ final
 *
 * The final disposition follows `finalDisposition` (call-record.ts). Calls LineDesk refused
 * without ever queueing or offering them (a fork of a call already taken; every line
 * paused, in DND or down; the queue full or disabled) were never put before the agent and
 * get no record (docs/control-protocol.md says why); nor do calls first offered to, or
 * dialled from, a service line (auto-answer: not the agent's work).
 */
export class CallRecorder {
  readonly #live = new Map<string, LiveCall>();

  constructor(private readonly opts: CallRecorderOptions) {}

  /** Records still ringing or up. */
  get liveCount(): number {
    return this.#live.size;
  }

  onEvent(e: ControlEvent): void {
    switch (e.event) {
      case 'call.queued': {
        const live = this.#liveOrNew(e.call, 'in', e.from ?? '', e.to ?? '');
        if (e.from && !live.rec.from) live.rec.from = e.from;
        if (e.to && !live.rec.to) live.rec.to = e.to;
        this.#save(live.rec);
        return;
      }
      case 'call.dequeued': {
        const live = this.#live.get(e.call);
        if (!live) return;
        live.rec.queuedMs += e.waitedMs;
        this.#save(live.rec);
        return;
      }
      case 'call.offered': {
        if (!this.#live.has(e.call) && !this.#isAgentLine(e.line)) return;
        const live = this.#liveOrNew(e.call, 'in', e.from, e.to);
        const rec = live.rec;
        // A call queued before its first offer learns its parties here.
        rec.from = e.from;
        rec.to = e.to;
        if (e.fromName !== undefined) rec.fromName = e.fromName;
        rec.line = e.line;
        rec.attempts.push({ seq: rec.attempts.length + 1, line: e.line, attempt: e.attempt, offeredAt: this.opts.now(), endedAt: null, outcome: null, detail: null, dirty: true });
        this.#save(rec);
        return;
      }
      case 'call.offer.ended': {
        const live = this.#live.get(e.call);
        const offer = live && openAttempt(live.rec.attempts, e.line);
        if (!live || !offer) return;
        endAttempt(offer, this.opts.now(), e.reason, e.detail);
        this.#save(live.rec);
        return;
      }
      case 'call.dialing': {
        if (!this.#isAgentLine(e.line)) return;
        const live = this.#liveOrNew(e.call, 'out', this.opts.lineNumbers.get(e.line) ?? e.line, e.to);
        live.rec.line = e.line;
        this.#save(live.rec);
        return;
      }
      case 'call.answered': {
        const live = this.#live.get(e.call);
        if (!live || live.rec.answeredAt !== null) return;
        const now = this.opts.now();
        const rec = live.rec;
        rec.answeredAt = now;
        rec.line = e.line;
        rec.disposition = 'active';
        if (e.encrypted !== undefined) rec.quality.encrypted = e.encrypted;
        const offer = openAttempt(rec.attempts, e.line);
        if (offer) endAttempt(offer, now, 'answered');
        this.#save(rec);
        return;
      }
      case 'call.held': {
        const live = this.#live.get(e.call);
        if (!live) return;
        const wasHeld = live.holders.size > 0;
        if (e.on) live.holders.add(e.by);
        else live.holders.delete(e.by);
        const isHeld = live.holders.size > 0;
        if (wasHeld === isHeld) return;
        const now = this.opts.now();
        if (isHeld) live.rec.holdSince = now;
        else closeHold(live.rec, now);
        this.#save(live.rec);
        return;
      }
      case 'call.quality': {
        const live = this.#live.get(e.call);
        if (!live) return;
        const q = live.rec.quality;
        q.codec = e.codec;
        q.mosLast = e.mos;
        q.mosWorst = q.mosWorst === null ? e.mos : Math.min(q.mosWorst, e.mos);
        q.lossLast = e.lossPct;
        q.lossWorst = q.lossWorst === null ? e.lossPct : Math.max(q.lossWorst, e.lossPct);
        q.jitterLast = e.jitterMs;
        q.jitterWorst = q.jitterWorst === null ? e.jitterMs : Math.max(q.jitterWorst, e.jitterMs);
        if (e.rttMs !== undefined) q.rttLast = e.rttMs;
        // A call that went plain RTP at any point (an optional line, a re-INVITE) is not encrypted.
        if (e.encrypted !== undefined) q.encrypted = (q.encrypted ?? true) && e.encrypted;
        this.#save(live.rec);
        return;
      }
      case 'recording.started': {
        const live = this.#live.get(e.call);
        if (!live) return;
        live.rec.recording = e.file;
        this.#save(live.rec);
        return;
      }
      case 'call.answered_elsewhere': {
        const live = this.#live.get(e.call);
        if (live) live.answeredElsewhere = true;
        return;
      }
      case 'call.ended':
        this.#ended(e);
        return;
      default:
        return;
    }
  }

  #ended(e: Extract<ControlEvent, { event: 'call.ended' }>): void {
    const live = this.#live.get(e.call);
    if (!live) return;
    this.#live.delete(e.call);
    const rec = live.rec;
    const now = this.opts.now();
    rec.endedAt = now;
    rec.endReason = e.reason;
    rec.endCode = e.code;
    rec.endDetail = e.detail ?? null;
    if (e.line !== undefined) rec.line = e.line;
    if (e.queuedMs !== undefined) rec.queuedMs = e.queuedMs;
    if (rec.holdSince !== null) closeHold(rec, now);
    const offerEnd: OfferEnd = e.reason === 'answered-elsewhere' ? 'answered-elsewhere' : e.reason === 'caller-cancelled' ? 'caller-cancelled' : e.reason === 'ring-timeout' ? 'timeout' : 'failed';
    for (const a of rec.attempts) if (a.endedAt === null) endAttempt(a, now, offerEnd);
    if (rec.answeredAt !== null) {
      // talkMs from the call layer covers answer to end, hold included; talk time excludes hold.
      const upMs = e.talkMs ?? now - rec.answeredAt;
      rec.talkMs = Math.max(0, Math.round(upMs - rec.holdMs));
    }
    const { disposition, declineReason } = finalDisposition(rec, live.answeredElsewhere);
    rec.disposition = disposition;
    rec.declineReason = declineReason;
    this.#save(rec);
    if (rec.answeredAt !== null) this.opts.onAnsweredCallEnded?.(rec);
  }

  #isAgentLine(line: string): boolean {
    return this.opts.isAgentLine?.(line) ?? true;
  }

  #liveOrNew(callId: string, direction: 'in' | 'out', from: string, to: string): LiveCall {
    const existing = this.#live.get(callId);
    if (existing) return existing;
    const now = this.opts.now();
    const rec: CallRecord = {
      id: this.opts.sink.nextCallId(),
      callId,
      direction,
      line: null,
      from,
      fromName: null,
      to,
      offeredAt: now,
      offeredHour: localHour(now),
      answeredAt: null,
      endedAt: null,
      disposition: 'ringing',
      declineReason: null,
      endReason: null,
      endCode: null,
      endDetail: null,
      queuedMs: 0,
      talkMs: 0,
      holdMs: 0,
      holdSince: null,
      wrapupMs: 0,
      attempts: [],
      quality: emptyQuality(),
    };
    const live: LiveCall = { rec, holders: new Set(), answeredElsewhere: false };
    this.#live.set(callId, live);
    return live;
  }

  #save(rec: CallRecord): void {
    this.opts.sink.save(rec);
  }
}

function openAttempt(attempts: readonly OfferAttempt[], line: string): OfferAttempt | undefined {
  for (let i = attempts.length - 1; i >= 0; i--) {
    const a = attempts[i]!;
    if (a.line === line && a.endedAt === null) return a;
  }
  return undefined;
}

function endAttempt(a: OfferAttempt, at: number, outcome: NonNullable<OfferAttempt['outcome']>, detail?: string): void {
  a.endedAt = at;
  a.outcome = outcome;
  a.detail = detail ?? null;
  a.dirty = true;
}

function closeHold(rec: CallRecord, now: number): void {
  if (rec.holdSince === null) return;
  rec.holdMs += Math.max(0, now - rec.holdSince);
  rec.holdSince = null;
}
