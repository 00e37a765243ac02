import type { Emitter } from '../common/emitter.js';
import type { LegEvents, Party } from '../calls/call-leg.js';
import type { EndReason, LegState } from '../contract/vocabulary.js';

/**
 * What the dispatcher needs from one inbound SIP leg (CallLeg implements it; tests use
 * fakes). The leg does SIP; the dispatcher decides.
 */
export interface DispatchLeg {
  readonly callId: string;
  readonly arrivalLine: string;
  readonly from: Party;
  readonly to: Party;
  readonly state: LegState;
  /** Clock times of the answer and the end, for the talk time on call.ended. */
  readonly answeredAt?: number | undefined;
  readonly endedAt?: number | undefined;
  readonly events: Emitter<LegEvents>;
  ring(): void;
  queue(): void;
  accept(): Promise<void>;
  reject(code: number, reason: EndReason, detail?: string): void;
  redirect(target: string): void;
  hangup(detail?: string): void;
}
