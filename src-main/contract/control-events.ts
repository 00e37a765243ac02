import type { EndReason, LegState, OfferEnd, RegistrationState } from './vocabulary.js';

/**
 * Events of the control protocol (docs/control-protocol.md). The headless runner writes
 * each as one JSON line with a `ts` (ms since the epoch); the desktop shell forwards the
 * same objects to its windows.
 */
export type ControlEvent =
  | { event: 'ready'; lines: string[]; transports: { protocol: string; local: string }[] }
  | { event: 'line.state'; line: string; state: RegistrationState; registrar?: string; reason?: string; status?: number }
  | { event: 'line.dnd'; line: string; on: boolean }
  | { event: 'call.offered'; call: string; line: string; from: string; fromName?: string; to: string; attempt: number }
  | { event: 'call.offer.ended'; call: string; line: string; attempt: number; reason: OfferEnd; detail?: string }
  | { event: 'call.queued'; call: string; position: number }
  | { event: 'call.dequeued'; call: string; waitedMs: number }
  | { event: 'call.answered'; call: string; line: string }
  | { event: 'call.answered_elsewhere'; call: string; line?: string }
  | { event: 'call.ended'; call: string; line?: string; reason: EndReason; code: number; detail?: string; talkMs?: number; queuedMs?: number }
  | { event: 'call.rejected'; call: string; line?: string; code: number; reason: string }
  | { event: 'status'; id?: string; lines: LineStatus[]; queue: QueueStatus[] }
  | { event: 'error'; id?: string; cmd?: string; message: string }
  | { event: 'stopped' };

export interface LineStatus {
  line: string;
  aor: string;
  state: RegistrationState;
  dnd: boolean;
  paused: boolean;
  calls: { call: string; state: LegState; from: string; to: string }[];
}

export interface QueueStatus {
  call: string;
  position: number;
  waitedMs: number;
  from: string;
  to: string;
}

export type Stamped<E> = E & { ts: number };
