import type { MediaEncryption } from '../contract/vocabulary.js';
import type { Negotiated, NegotiationChanges } from './sdp/negotiate.js';
import type { AudioCodecName } from './sdp/codecs.js';
import type { ConsentPcm, RecordListener, RecordRequest } from '../recording/recording-types.js';

/** The media side of one call, as the SessionDescriptionHandler drives it. */
export interface MediaEndpoint {
  /** Our RTP address and port, written into SDP. */
  readonly address: string;
  readonly rtpPort: number;
  /** Codecs this endpoint can run, in preference order. */
  readonly codecs: readonly AudioCodecName[];
  /** SRTP policy of the call (the line its SIP runs on): what to offer and accept. */
  readonly encryption: MediaEncryption;
  /** Starts or re-targets media after each completed offer/answer. */
  apply(negotiated: Negotiated, changes: NegotiationChanges): void;
  /** RFC 4733 digits; false when the far end did not negotiate telephone-event. */
  sendDtmf(tones: string, durationMs?: number): boolean;
  close(): void;
}

/** Per-call events out of the media. */
export interface CallMediaEvents {
  quality(q: { codec: string; lossPct: number; jitterMs: number; rttMs?: number; mos: number; jitterBufferMs: number; encrypted: boolean; srtpSuite?: string }): void;
  dtmf(digit: string, durationMs: number): void;
  /** The far end put us on hold (sendonly/inactive/0.0.0.0) or took us off it. */
  remoteHold(on: boolean): void;
  /**
   * Nothing, RTP or RTCP, has come from the far end for the RTP timeout while its audio was
   * expected (rtp/far-end-silence.ts). The call decides: an answered call ends as failed; early
   * media (a 183 that sends nothing while it rings) may well be silent. Said again after the
   * next offer/answer if the silence goes on.
   */
  silent?(detail: string): void;
  /** close() ran: the ports are released (the engine stops counting the call). */
  closed?(): void;
  /**
   * The media stopped for good without close() (its worker died and it could not be re-opened):
   * the call should end, as failed, with `detail` saying why.
   */
  failed?(detail: string): void;
}

/** A call's media as its Call controls it: the endpoint, plus mute and what was negotiated. */
export interface MediaSession extends MediaEndpoint {
  readonly muted: boolean;
  readonly negotiated: Negotiated | undefined;
  /** The SRTP suite protecting the media now; undefined for plain RTP. */
  readonly srtpSuite: string | undefined;
  setMuted(on: boolean): void;
  /** Records the call (both sides, recording/), or with null stops; the listener hears when the file opens and closes. */
  record?(request: RecordRequest | null, listener?: RecordListener): void;
  /** Plays a consent message to the far end now, before our audio goes on (an outbound call, once answered). */
  playConsent?(consent: ConsentPcm): void;
}

/** A recording to start with a call's media (the recording module's `recording.mode` all). */
export interface RecordStart {
  request: RecordRequest;
  listener: RecordListener;
}

/** What a call asks for when it opens its media. */
export interface MediaRequest {
  callId: string;
  /** The line the call is on: it decides the mode (headset or service) and the devices. */
  line: string;
  /** Per-call events (quality, RFC 4733 digits, remote hold, a failure), back to the call. */
  on: Omit<CallMediaEvents, 'closed'>;
  /**
   * Where the call's SIP comes from (inbound: the INVITE's source; outbound: the registrar's
   * or outbound proxy's flow): RTP from that IP may be latched onto (rtp/rtp-source-guard.ts).
   */
  signallingPeerIp?: string;
  /** SRTP policy of the line the call's SIP runs on. Default off. */
  encryption?: MediaEncryption;
}

export interface MediaEngine {
  /** Opens media for a call (binds its RTP/RTCP ports). */
  open(request: MediaRequest): Promise<MediaSession>;
  close(): void;
  /** Asked at each open: a recording to start with the call's media (set by the recording module). */
  recordAtOpen?: ((request: MediaRequest) => RecordStart | undefined) | undefined;
}
