import type { TimerHandle } from '../common/clock.js';

/** One line ringing with a call. */
export interface Offer {
  readonly line: string;
  readonly attempt: number;
  readonly timer: TimerHandle;
  autoAnswer?: TimerHandle;
}

/**
 * The dispatcher's bookkeeping of one inbound call, kept on the call itself (the Call owns
 * it; the dispatcher reads and writes it). Lines are named by id.
 */
export interface DispatchState {
  /** The lines this call may be offered to. */
  readonly pool: readonly string[];
  /** Arrival order, for the FIFO queue. */
  readonly seq: number;
  /** Offer rounds so far (ringall offers to every line in one round). */
  attempt: number;
  /** Lines that already had it: a line never gets the same call twice. */
  readonly tried: Set<string>;
  /** Lines ringing now. */
  readonly offers: Map<string, Offer>;
  /** The line that accepted: set once, synchronously (compare-and-swap on the answer). */
  answeredBy?: string;
  /** The last line offered the call. */
  lastLine?: string;
  /** Time spent in the queue so far, ms. */
  queuedFor: number;
}

export function newDispatchState(pool: readonly string[], seq: number): DispatchState {
  return { pool, seq, attempt: 0, tried: new Set(), offers: new Map(), queuedFor: 0 };
}
