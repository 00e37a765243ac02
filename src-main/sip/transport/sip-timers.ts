/** RFC 3261 §17 timer base values, in milliseconds. */
export interface SipTimerValues {
  /** RTT estimate; retransmission starts here. */
  t1: number;
  /** Cap on non-INVITE request and INVITE response retransmission intervals. */
  t2: number;
  /** Longest time a message stays in the network. */
  t4: number;
}

export const defaultSipTimers: SipTimerValues = { t1: 500, t2: 4000, t4: 5000 };

/**
 * The longest an INVITE may ring. Our user agents answer 480 to an inbound call nobody
 * took by then (sip.js noAnswerTimeout), and the transport keeps a pending INVITE
 * transaction's routing and retransmission state up to this long after its last
 * response: a call queued for the dispatcher's longest wait (1 h) can still be
 * answered, and a transaction that never ends cannot leak.
 */
export const inviteRingLimitMs = 3_600_000;
