import type { RegistrationState } from '../contract/vocabulary.js';

/** Why a line cannot be offered a call right now (undefined: it can). */
export type Ineligibility = 'down' | 'dnd' | 'paused' | 'busy';

/** One line as the dispatcher sees it. */
export interface RosterLine {
  readonly id: string;
  /** Position in the config: linear order, tie-breaker everywhere. */
  readonly order: number;
  readonly maxCalls: number;
  readonly autoAnswerMs: number | undefined;
  registration: RegistrationState;
  dnd: boolean;
  /** Set by the agent-state layer (paused, wrap-up, offline). */
  paused: boolean;
  /** Calls offered to or held by this line right now. */
  activeCalls: number;
  /** Answered calls that have ended on this line (fewestcalls). */
  callsTaken: number;
  /** When the last call on this line ended (leastrecent); undefined if never. */
  lastCallEndedAt: number | undefined;
  /** Media streams running on this line (load). */
  mediaStreams: number;
}

export function createRosterLine(id: string, order: number, maxCalls: number, autoAnswerMs?: number): RosterLine {
  return { id, order, maxCalls, autoAnswerMs, registration: 'unregistered', dnd: false, paused: false, activeCalls: 0, callsTaken: 0, lastCallEndedAt: undefined, mediaStreams: 0 };
}

/** Eligibility rules: down, in DND, paused or full lines are never offered a call. */
export function ineligibility(line: RosterLine): Ineligibility | undefined {
  if (line.registration !== 'registered') return 'down';
  if (line.dnd) return 'dnd';
  if (line.paused) return 'paused';
  if (line.activeCalls >= line.maxCalls) return 'busy';
  return undefined;
}
