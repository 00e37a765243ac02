import type { RegistrationState } from '../sip/line/registration-controller.js';
import type { EndReason, LegState } from '../calls/call-leg.js';

/**
 * Events of the control protocol (docs/control-protocol.md). The headless runner writes
 * each as one JSON line with a `ts` (ms since the epoch); the desktop shell forwards the
 * same objects to its windows.
 */
export type ControlEvent =
  | { event: 'ready'; lines: string[]; transports: { protocol: string; local: string }[] }
  | { event: 'line.state'; line: string; state: RegistrationState; registrar?: string; reason?: string; status?: number }
  | { event: 'call.offered'; call: string; line: string; from: string; fromName?: string; to: string; attempt: number }
  | { event: 'call.answered'; call: string; line: string }
  | { event: 'call.ended'; call: string; line: string; reason: EndReason; code: number; detail?: string; talkMs?: number }
  | { event: 'call.rejected'; call: string; line?: string; code: number; reason: string }
  | { event: 'status'; id?: string; lines: LineStatus[] }
  | { event: 'error'; id?: string; cmd?: string; message: string }
  | { event: 'stopped' };

export interface LineStatus {
  line: string;
  aor: string;
  state: RegistrationState;
  calls: { call: string; state: LegState; from: string; to: string }[];
}

export type Stamped<E> = E & { ts: number };
