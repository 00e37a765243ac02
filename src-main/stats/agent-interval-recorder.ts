import type { ControlEvent } from '../contract/control-events.js';
import type { AgentInterval } from './agent-interval.js';
import type { CallRecord } from './call-record.js';

export interface IntervalSink {
  nextIntervalId(): number;
  /** Saves the intervals and the calls whose wrap-up they changed, in one transaction. */
  save(intervals: AgentInterval[], calls: CallRecord[]): void;
}

/** A wrap-up belongs to the answered call that ended within this long of its start. */
const WRAPUP_MATCH_MS = 1_000;

/**
 * Turns `agent.state` events into intervals (state, pause reason, start, end), the basis
 * of pause time per reason, logged-in time and occupancy. A wrap-up interval is tied to the
 * answered call it follows, and its length is added to that call's wrap-up time when it
 * ends. The tie does not depend on which of the agent and stats modules sees `call.ended`
 * first: whichever of "wrap-up started" and "answered call ended" comes second makes it.
 */
export class AgentIntervalRecorder {
  #open: AgentInterval | undefined;
  #lastAnsweredEnded: CallRecord | undefined;
  readonly #wrapped = new WeakSet<CallRecord>();

  constructor(private readonly sink: IntervalSink) {}

  /** The current interval, if any. */
  get current(): AgentInterval | undefined {
    return this.#open;
  }

  onEvent(e: ControlEvent): void {
    if (e.event === 'agent.state') this.#onAgentState(e);
  }

  noteAnsweredCallEnded(rec: CallRecord): void {
    const open = this.#open;
    if (open?.state === 'wrapup' && open.call === null && rec.endedAt !== null && Math.abs(rec.endedAt - open.startedAt) <= WRAPUP_MATCH_MS && !this.#wrapped.has(rec)) {
      open.call = rec;
      this.#wrapped.add(rec);
      this.sink.save([open], []);
      return;
    }
    this.#lastAnsweredEnded = rec;
  }

  /** Ends the current interval (LineDesk stops: the time after it is not logged-in time). */
  close(at: number): void {
    const closing = this.#open;
    if (!closing) return;
    this.#open = undefined;
    this.sink.save([closing], this.#end(closing, at));
  }

  #onAgentState(e: Extract<ControlEvent, { event: 'agent.state' }>): void {
    const reason = e.reason ?? null;
    const prev = this.#open;
    // The same state announced again, or a wrap-up extended: not a new interval.
    if (prev && prev.state === e.state && prev.reason === reason && prev.startedAt === e.since) return;
    const changedCalls = prev ? this.#end(prev, e.since) : [];
    const opened: AgentInterval = { id: this.sink.nextIntervalId(), state: e.state, reason, startedAt: e.since, endedAt: null, call: null };
    if (e.state === 'wrapup') {
      const last = this.#lastAnsweredEnded;
      if (last?.endedAt != null && !this.#wrapped.has(last) && Math.abs(e.since - last.endedAt) <= WRAPUP_MATCH_MS) {
        opened.call = last;
        this.#wrapped.add(last);
      }
    }
    this.#open = opened;
    this.sink.save(prev ? [prev, opened] : [opened], changedCalls);
  }

  /** Closes an interval; returns the call whose wrap-up time grew, if any. */
  #end(interval: AgentInterval, at: number): CallRecord[] {
    interval.endedAt = Math.max(interval.startedAt, at);
    if (interval.state !== 'wrapup' || !interval.call) return [];
    interval.call.wrapupMs += interval.endedAt - interval.startedAt;
    return [interval.call];
  }
}
