import type { AgentStateName } from '../contract/control-events.js';
import type { CallRecord } from './call-record.js';

/** A stretch of time the agent spent in one state (and pause reason). */
export interface AgentInterval {
  readonly id: number;
  readonly state: AgentStateName;
  readonly reason: string | null;
  readonly startedAt: number;
  /** null while it is the current state. */
  endedAt: number | null;
  /** Wrap-up: the call it follows, once known. */
  call: CallRecord | null;
}
