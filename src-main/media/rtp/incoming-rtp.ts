/**
 * An RTP packet as it arrived: the header fields the media path uses, the payload (a view of
 * the datagram's buffer) and the arrival time on the session's Clock. The RTP session emits
 * it; the jitter buffer stores it for playout as it is (see JitterPacket).
 */
export interface IncomingRtp {
  payloadType: number;
  seq: number;
  timestamp: number;
  ssrc: number;
  marker: boolean;
  payload: Buffer;
  /** Arrival time on the receiving side's Clock (a jitter buffer must be given the same one). */
  arrivalMs: number;
}
