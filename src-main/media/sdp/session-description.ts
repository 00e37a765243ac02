/**
 * A typed model of an SDP session description (RFC 8866, which obsoletes RFC 4566), and the
 * queries the negotiation code asks of it. Text becomes this model in sdp-parser.ts (a
 * tolerant parser that never throws) and goes back to text in sdp-serializer.ts (a stable
 * line order).
 */
import { isIPv6 } from 'node:net';

/** The address types of `c=` and `o=` lines; the network type is always `IN` (RFC 8866 §5.7). */
export type AddressType = 'IP4' | 'IP6';

/** Media direction attributes (RFC 3264 §5.1, RFC 8866 §6.7). */
export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export const directions: readonly Direction[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

/** `c=IN <addrtype> <address>` (RFC 8866 §5.7). A multicast `/ttl/count` suffix stays in `address`. */
export interface ConnectionData {
  addressType: AddressType;
  address: string;
}

/** `o=<username> <sess-id> <sess-version> IN <addrtype> <address>` (RFC 8866 §5.2). */
export interface Origin {
  username: string;
  /** Decimal digits, kept as text: real-world ids exceed 2^53. */
  sessionId: string;
  /** Decimal digits, kept as text; incremented with BigInt (RFC 3264 §8). */
  sessionVersion: string;
  addressType: AddressType;
  address: string;
}

/** `b=<bwtype>:<bandwidth>` (RFC 8866 §5.8); `AS`/`CT` are kbit/s, `TIAS` is bit/s (RFC 3890). */
export interface Bandwidth {
  type: string;
  value: number;
}

/** `t=<start> <stop>` with its `r=` lines (RFC 8866 §5.9, §5.10), all kept as text. */
export interface Timing {
  start: string;
  stop: string;
  repeats: string[];
}

/** `a=rtpmap:<pt> <encoding name>/<clock rate>[/<channels>]` (RFC 8866 §6.6). */
export interface RtpMap {
  payloadType: number;
  /** As written by the peer; compare case-insensitively (RFC 4855 §3). */
  encodingName: string;
  clockRate: number;
  channels?: number;
}

/** `a=fmtp:<pt> <parameters>` (RFC 8866 §6.15); the parameters are kept as one string. */
export interface Fmtp {
  payloadType: number;
  parameters: string;
}

/** `a=rtcp:<port> [IN <addrtype> <address>]` (RFC 3605 §2.1). */
export interface RtcpAttribute {
  port: number;
  connection?: ConnectionData;
}

/** Any other `a=` line, verbatim: `a=<name>` or `a=<name>:<value>`. */
export interface Attribute {
  name: string;
  value?: string;
}

/** A line of a type the model does not break down (`u= e= p= z= k=`), kept verbatim. */
export interface ExtraLine {
  type: string;
  value: string;
}

/** One `m=` section (RFC 8866 §5.14). Unknown media types are kept, so an answer can reject them in place. */
export interface MediaDescription {
  /** `audio`, `video`, `image`, `application`… kept as written. */
  media: string;
  port: number;
  /** The `/<number of ports>` suffix, when present. */
  portCount?: number;
  /** `RTP/AVP`, `RTP/SAVP`, `udptl`… kept as written. */
  protocol: string;
  /** Format list in preference order: payload type numbers for RTP, tokens otherwise. */
  formats: string[];
  information?: string;
  connection?: ConnectionData;
  bandwidths: Bandwidth[];
  rtpMaps: RtpMap[];
  fmtps: Fmtp[];
  ptime?: number;
  maxptime?: number;
  direction?: Direction;
  rtcp?: RtcpAttribute;
  rtcpMux: boolean;
  /** Lines such as `k=`, verbatim. */
  extraLines: ExtraLine[];
  /** Every other attribute, verbatim and in order. */
  attributes: Attribute[];
}

/** A media section with its m= line and nothing else (no attributes, no other lines). */
export function bareMedia(media: string, port: number, protocol: string, formats: string[]): MediaDescription {
  return { media, port, protocol, formats, bandwidths: [], rtpMaps: [], fmtps: [], rtcpMux: false, extraLines: [], attributes: [] };
}

export interface SessionDescription {
  origin: Origin;
  sessionName: string;
  information?: string;
  connection?: ConnectionData;
  bandwidths: Bandwidth[];
  timing: Timing[];
  /** Session-level direction; media-level direction overrides it (RFC 8866 §6.7). */
  direction?: Direction;
  /** Lines such as `u= e= p= z= k=`, verbatim. */
  extraLines: ExtraLine[];
  /** Every other session-level attribute, verbatim and in order. */
  attributes: Attribute[];
  media: MediaDescription[];
}

export type ParseSdpResult =
  | { ok: true; sdp: SessionDescription; warnings: string[] }
  | { ok: false; error: string };

// ---------------------------------------------------------------------------------------------
// Queries shared by the negotiation code.

/** The connection that applies to a media section: its own `c=`, else the session's (RFC 8866 §5.7). */
export function connectionOf(sdp: SessionDescription, media: MediaDescription): ConnectionData | undefined {
  return media.connection ?? sdp.connection;
}

/** The direction that applies to a media section: its own, else the session's, else sendrecv (RFC 3264 §5.1). */
export function directionOf(sdp: SessionDescription, media: MediaDescription): Direction {
  return media.direction ?? sdp.direction ?? 'sendrecv';
}

/** `0.0.0.0` (or `::`) as connection address: RFC 2543-style hold, "do not send to me" (RFC 3264 §8.4). */
export function isNullAddress(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

/** The address type an IP literal belongs to; host names are treated as IP4 (RFC 8866 §5.7 allows FQDNs). */
export function addressTypeOf(address: string): AddressType {
  return isIPv6(address) ? 'IP6' : 'IP4';
}
