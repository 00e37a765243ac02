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
