/**
 * The results of SDP offer/answer for one plain RTP/AVP audio stream (RFC 3264). Every result
 * states the negotiated media from OUR point of view, so the media engine knows where to send,
 * with which payload type and packetization, and whether to send and/or receive.
 */
import type { AudioCodecName } from './codecs.js';
import type { NegotiatedSrtp, SecurityProblem } from './sdes-negotiation.js';
import type { Direction, SessionDescription } from './session-description.js';

/** Our `o=` line state for a session: the id stays, the version grows with every SDP we send (RFC 3264 §8). */
export interface OriginState {
  sessionId: string;
  version: string;
}

export interface NegotiatedCodec {
  name: AudioCodecName;
  /** The payload type the remote expects from us: the number in ITS description. */
  payloadType: number;
  /**
   * The payload type the remote sends with: the number in OUR description (RFC 3264 §6.1: "the
   * mapping ... is as in the offer/answer of the one who receives"). When we answer we keep the
   * offerer's numbers, so it equals `payloadType`; when we offer, the answer may renumber a
   * dynamic type and the peer still sends with our offered number.
   */
  receivePayloadType: number;
  clockRate: number;
  /** The rtpmap channel count: 1 for G.711, 2 for Opus (mono/stereo is in `fmtp`). */
  channels: number;
  /** The remote's fmtp parameters for this codec, keys lower-cased (e.g. `useinbandfec`, `stereo`). */
  fmtp: Readonly<Record<string, string>>;
}

export interface Negotiated {
  remote: {
    address: string;
    rtpPort: number;
    /** Where to send RTCP: `a=rtcp` (RFC 3605), else the RTP port + 1, or the RTP port when muxed. */
    rtcpPort: number;
    /** Usually `address`; `a=rtcp` may name another one (RFC 3605 §2.1). */
    rtcpAddress: string;
    rtcpMux: boolean;
  };
  codec: NegotiatedCodec;
  /** RFC 4733 events: `payloadType` to send with, `receivePayloadType` as they arrive (see NegotiatedCodec). */
  telephoneEvent?: { payloadType: number; receivePayloadType: number; clockRate: number };
  ptimeMs: number;
  /** From OUR point of view: `sendonly` means we send and do not receive. */
  direction: Direction;
  /** The remote does not want our media: it sent sendonly/inactive or `c=0.0.0.0` (RFC 3264 §8.4). */
  remoteHold: boolean;
  /** SRTP keys (SDES, RFC 4568) when the stream is encrypted; absent for plain RTP. */
  srtp?: NegotiatedSrtp;
}

/** What changed against the previous negotiation; everything is "changed" on the first one. */
export interface NegotiationChanges {
  /** Remote RTP or RTCP address or port moved: the media engine must re-target (RFC 3264 §8.3.1). */
  remoteTarget: boolean;
  /** Codec, its payload type or its fmtp changed (RFC 3264 §8.3.2). */
  codec: boolean;
  telephoneEvent: boolean;
  ptime: boolean;
  /** Direction or remote hold changed (RFC 3264 §8.4). */
  direction: boolean;
  /** SRTP went on or off, or a key changed. */
  srtp: boolean;
}

export interface LocalDescription {
  /** The SDP text to send, CRLF line ends. */
  sdp: string;
  description: SessionDescription;
  /** Store it and pass it back for the next SDP of this session. */
  origin: OriginState;
}

/** RFC 3261 §20.43 warning codes that explain a 488. */
export type SdpWarningCode = 301 | 302 | 304 | 305 | 306;

/** Why a remote offer cannot be answered: the `reason` of a `call.rejected` event. */
export type OfferProblem = SecurityProblem | 'unreadable-sdp' | 'no-audio-stream' | 'unusable-address' | 'no-common-codec';

export type AnswerOutcome =
  | (LocalDescription & { ok: true; answer: string; negotiated: Negotiated; changes: NegotiationChanges; warnings: string[] })
  | { ok: false; status: 400 | 488; error: string; problem: OfferProblem; warning?: { code: SdpWarningCode; text: string } };

export type ApplyAnswerOutcome =
  | { ok: true; negotiated: Negotiated; changes: NegotiationChanges; warnings: string[] }
  | { ok: false; error: string };

/** Session state an answer depends on: our last `o=` and the current negotiation, if any. */
export interface AnswerContext {
  origin?: OriginState;
  current?: Negotiated;
}
