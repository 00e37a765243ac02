/**
 * Our own SDP: the audio m= line we offer or answer with, a rejected m= line kept in place,
 * the session around them, and the `o=` line's id and version (RFC 3264 §5, §6, §8).
 */
import { randomInt } from 'node:crypto';
import { codecCatalogue, type AudioCodecName } from './codecs.js';
import type { ResolvedConfig } from './local-media-config.js';
import type { LocalDescription, OriginState } from './negotiation-types.js';
import { parseSessionDescription } from './sdp-parser.js';
import { serializeSessionDescription } from './sdp-serializer.js';
import { bareMedia, type Direction, type MediaDescription, type RtpMap, type SessionDescription } from './session-description.js';

export function rtpMapFor(codec: AudioCodecName, payloadType: number): RtpMap {
  const spec = codecCatalogue[codec];
  const map: RtpMap = { payloadType, encodingName: spec.encodingName, clockRate: spec.clockRate };
  if (spec.channels !== 1) map.channels = spec.channels;
  return map;
}

export function audioMedia(
  config: ResolvedConfig,
  formats: number[],
  rtpMaps: RtpMap[],
  fmtps: MediaDescription['fmtps'],
  ptimeMs: number,
  rtcpMux: boolean,
  direction: Direction,
  protocol: string,
): MediaDescription {
  const media: MediaDescription = {
    media: 'audio',
    port: config.rtpPort,
    protocol,
    formats: formats.map(String),
    bandwidths: [],
    rtpMaps,
    fmtps,
    ptime: ptimeMs,
    rtcpMux,
    direction,
    extraLines: [],
    attributes: [],
  };
  // RFC 3605: announce the RTCP port explicitly when it is not muxed.
  if (!rtcpMux) media.rtcp = { port: config.rtpPort + 1 };
  return media;
}

/** RFC 3264 §6: a rejected stream keeps its place, type, transport and formats, with port 0. */
export function rejectedMedia(offered: MediaDescription): MediaDescription {
  return bareMedia(offered.media, 0, offered.protocol, offered.formats.length > 0 ? [...offered.formats] : ['0']);
}

export function localDescription(
  config: ResolvedConfig,
  origin: OriginState,
  timing: SessionDescription['timing'],
  media: MediaDescription[],
): LocalDescription {
  const description: SessionDescription = {
    origin: {
      username: config.username,
      sessionId: origin.sessionId,
      sessionVersion: origin.version,
      addressType: config.addressType,
      address: config.address,
    },
    sessionName: config.sessionName,
    connection: { addressType: config.addressType, address: config.address },
    bandwidths: [],
    timing,
    extraLines: [],
    attributes: [],
    media,
  };
  return { sdp: serializeSessionDescription(description), description, origin };
}

/** RFC 3264 §8: same session id, version + 1; a new session gets a random id. */
export function nextOrigin(previous: OriginState | undefined): OriginState {
  if (!previous) return { sessionId: String(randomInt(1, 2 ** 47)), version: '1' };
  if (!/^\d+$/.test(previous.version)) throw new RangeError(`origin version "${previous.version}" is not a decimal number`);
  return { sessionId: previous.sessionId, version: (BigInt(previous.version) + 1n).toString() };
}

/** An SDP given as text (parsed here) or already parsed. */
export function readDescription(input: string | SessionDescription): { ok: true; sdp: SessionDescription; warnings: string[] } | { ok: false; error: string } {
  return typeof input === 'string' ? parseSessionDescription(input) : { ok: true, sdp: input, warnings: [] };
}
