import type { Negotiated, NegotiationChanges } from './sdp/negotiate.js';
import type { AudioCodecName } from './sdp/codecs.js';

/** The media side of one call, as the SessionDescriptionHandler drives it. */
export interface MediaEndpoint {
  /** Our RTP address and port, written into SDP. */
  readonly address: string;
  readonly rtpPort: number;
  /** Codecs this endpoint can run, in preference order. */
  readonly codecs: readonly AudioCodecName[];
  /** Starts or re-targets media after each completed offer/answer. */
  apply(negotiated: Negotiated, changes: NegotiationChanges): void;
  /** RFC 4733 digits; false when the far end did not negotiate telephone-event. */
  sendDtmf(tones: string, durationMs?: number): boolean;
  close(): void;
}

export interface MediaEngine {
  /** Opens media for a new call (binds its RTP/RTCP ports). */
  open(call: { callId: string; lineId: string }): Promise<MediaEndpoint>;
  close(): void;
}
