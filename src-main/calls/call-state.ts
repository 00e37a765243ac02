/**
 * Where a call is, in the style of SIP.js's SessionState. Inbound calls start Arriving
 * (claimed by the dispatcher, not yet routed), outbound ones Dialing.
 *
 *   Arriving ─┬──────────▶ Offered ──accept──▶ Answering ──200 sent──▶ Active
 *             │            ▲  │  ▲ (a new round of offers)
 *             └─▶ Queued ──┘  └──┘
 *                  ▲  (declined or timed out with every line busy)
 *                  └── Offered
 *
 *   Dialing ──2xx──▶ Active
 *
 *   any state but Ended ──(BYE, CANCEL, reject, failure)──▶ Ended
 */
export enum CallState {
  Arriving = 'arriving',
  Queued = 'queued',
  Offered = 'offered',
  Answering = 'answering',
  Dialing = 'dialing',
  Active = 'active',
  Ended = 'ended',
}

const moves: Record<CallState, readonly CallState[]> = {
  [CallState.Arriving]: [CallState.Queued, CallState.Offered, CallState.Ended],
  [CallState.Queued]: [CallState.Offered, CallState.Ended],
  [CallState.Offered]: [CallState.Offered, CallState.Queued, CallState.Answering, CallState.Ended],
  [CallState.Answering]: [CallState.Active, CallState.Ended],
  [CallState.Dialing]: [CallState.Active, CallState.Ended],
  [CallState.Active]: [CallState.Ended],
  [CallState.Ended]: [],
};

export function canMove(from: CallState, to: CallState): boolean {
  return moves[from].includes(to);
}

/** Throws on a move the diagram above does not have. */
export function checkMove(from: CallState, to: CallState): void {
  if (!canMove(from, to)) throw new Error(`Invalid call state transition from ${from} to ${to}`);
}
