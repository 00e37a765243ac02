import type { ControlEvent } from '../contract/control-events.js';
import type { AgentInterval } from './agent-interval.js';
import type { CallRecord } from './call-record.js';

export interface IntervalSink {
  nextIntervalId(): number;
  /** Saves the intervals and the calls whose wrap-up they changed, in one transaction. */
  save(intervals: AgentInterval[], calls: CallRecord[]): void;
}

/**
 * Turns `agent.state` events into intervals (state, pause reason, start, end), the basis
 * of pause time per reason, logged-in time and occupancy. A wrap-up interval is tied to the
 * answered call it follows, and its length is added to that call's wrap-up time when it
 * ends.
 *
 * The tie is by order: the stats module is installed before the agent module
 * (default-modules.ts) and events are delivered synchronously, so an answered call's
 * `call.ended` reaches this recorder (`noteAnsweredCallEnded`) just before the agent module
 * emits the `agent.state` wrap-up it causes. The wrap-up that is the next agent state after
 * an answered call ended is that call's.
 */
export class AgentIntervalRecorder {
  #open: AgentInterval | undefined;
  /** The answered call that ended since the last `agent.state`: the next wrap-up follows it. */
  #justEnded: CallRecord | undefined;

  constructor(private readonly sink: IntervalSink) {}

  /** The current interval, if any. */
  get current(): AgentInterval | undefined {
    return this.#open;
  }

  onEvent(e: ControlEvent): void {
    if (e.event === 'agent.state') this.#onAgentState(e);
  }

  noteAnsweredCallEnded(rec: CallRecord): void {
    this.#justEnded = rec;
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
    const ended = this.#justEnded;
    this.#justEnded = undefined;
    const prev = this.#open;
    // The same state announced again, or a wrap-up extended: not a new interval.
    if (prev && prev.state === e.state && prev.reason === reason && prev.startedAt === e.since) return;
    const changedCalls = prev ? this.#end(prev, e.since) : [];
    const opened: AgentInterval = { id: this.sink.nextIntervalId(), state: e.state, reason, startedAt: e.since, endedAt: null, call: e.state === 'wrapup' ? (ended ?? null) : null };
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
