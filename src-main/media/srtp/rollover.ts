/**
 * RFC 3711 §3.3.1 and Appendix A: the receiver's guess of a packet's rollover counter
 * (ROC) from its 16-bit sequence number and the highest one seen so far (s_l). The guess
 * picks whichever of ROC-1, ROC and ROC+1 puts the packet nearest to s_l, so packets
 * reordered around the 65535 → 0 wrap land on the right side of it.
 */
export interface RolloverState {
  /** The rollover counter of s_l. */
  roc: number;
  /** The highest sequence number received (s_l). */
  highestSeq: number;
}

/** The guessed ROC v for `seq`; -1 for a packet from before the stream's first wrap (index < 0). */
export function guessRoc(state: RolloverState, seq: number): number {
  const { roc, highestSeq: sl } = state;
  if (sl < 32768) return seq - sl > 32768 ? roc - 1 : roc;
  return sl - 32768 > seq ? roc + 1 : roc;
}

/** The 48-bit packet index i = 2^16 * v + SEQ (exact in a double: below 2^53). */
export function packetIndex(roc: number, seq: number): number {
  return roc * 65536 + seq;
}

/**
 * After a packet with guessed ROC `v` authenticated: move s_l and ROC forward (Appendix A).
 * Never called for a packet that failed authentication, so a forged packet cannot move them.
 */
export function advanceRollover(state: RolloverState, v: number, seq: number): void {
  if (v === state.roc + 1) {
    state.roc = v;
    state.highestSeq = seq;
  } else if (v === state.roc && seq > state.highestSeq) {
    state.highestSeq = seq;
  }
}
