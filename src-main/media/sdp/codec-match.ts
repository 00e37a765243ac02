/**
 * Which codec and payload types two descriptions agree on. Codecs are matched by name and
 * clock rate (codecs.ts), never by number; the numbers only say how each side labels them
 * (RFC 3264 §6.1).
 */
import {
  identifyAudioCodec,
  isTelephoneEvent,
  payloadTypesOf,
  rtpMapOf,
  telephoneEventClockRateFor,
  type AudioCodecName,
  type TelephoneEventClockRate,
} from './codecs.js';
import type { MediaDescription, RtpMap } from './session-description.js';

/** How a description maps a payload type number to its rtpmap. */
export type RtpMapLookup = (payloadType: number) => RtpMap | undefined;

export interface CodecMatch {
  codec: AudioCodecName;
  payloadType: number;
}

/**
 * Answering (RFC 3264 §6.1): the first of the OFFERER's codecs that we support, with the
 * offerer's number; with `telephoneEvent`, also its telephone-event at the clock of that
 * codec (RFC 4733 §2.1), if it offers one.
 */
export function firstSupportedCodec(
  offered: MediaDescription,
  codecs: readonly AudioCodecName[],
  telephoneEvent: boolean,
): (CodecMatch & { telephoneEvent?: { payloadType: number; clockRate: TelephoneEventClockRate } }) | undefined {
  for (const payloadType of payloadTypesOf(offered)) {
    const rtpMap = rtpMapOf(offered, payloadType);
    const codec = rtpMap && identifyAudioCodec(rtpMap);
    if (!codec || !codecs.includes(codec)) continue;
    if (!telephoneEvent) return { codec, payloadType };
    const clockRate = telephoneEventClockRateFor(codec);
    const eventPt = telephoneEventPayloadType(offered, clockRate);
    return eventPt === undefined ? { codec, payloadType } : { codec, payloadType, telephoneEvent: { payloadType: eventPt, clockRate } };
  }
  return undefined;
}

/**
 * The rtpmap of an answer's payload type: the answer's own, else our offer's for the same
 * number (RFC 3264 §6.1: the answerer SHOULD keep the offer's numbers).
 */
export function answerRtpMaps(offered: MediaDescription, answered: MediaDescription): RtpMapLookup {
  return (pt) => rtpMapOf(answered, pt) ?? rtpMapOf(offered, pt);
}

/** Applying an answer: the first of the answer's codecs that our offer listed. */
export function firstAnsweredCodec(offered: MediaDescription, answered: MediaDescription, mapOf: RtpMapLookup): CodecMatch | undefined {
  const offeredCodecs = new Set(payloadTypesOf(offered).flatMap((pt) => {
    const map = rtpMapOf(offered, pt);
    const codec = map && identifyAudioCodec(map);
    return codec ? [codec] : [];
  }));
  for (const payloadType of payloadTypesOf(answered)) {
    const map = mapOf(payloadType);
    const codec = map && identifyAudioCodec(map);
    if (codec && offeredCodecs.has(codec)) return { codec, payloadType };
  }
  return undefined;
}

/** The number our offer gave a codec (the answer's number when the offer lists it under that one). */
export function offeredPayloadType(offered: MediaDescription, codec: AudioCodecName, answeredPt: number): number {
  const matches = (pt: number): boolean => {
    const map = rtpMapOf(offered, pt);
    return map !== undefined && identifyAudioCodec(map) === codec;
  };
  if (matches(answeredPt)) return answeredPt;
  return payloadTypesOf(offered).find(matches) ?? answeredPt;
}

/** The first telephone-event payload type of a media line at that clock rate. */
export function telephoneEventPayloadType(
  media: MediaDescription,
  clockRate: number,
  mapOf: RtpMapLookup = (pt) => rtpMapOf(media, pt),
): number | undefined {
  return payloadTypesOf(media).find((pt) => {
    const map = mapOf(pt);
    return map !== undefined && isTelephoneEvent(map, clockRate);
  });
}

/** A media line's formats as "name/clock" (or the bare number), for error messages. */
export function describeFormats(media: MediaDescription, mapOf: RtpMapLookup = (pt) => rtpMapOf(media, pt)): string[] {
  return payloadTypesOf(media).map((pt) => {
    const map = mapOf(pt);
    return map ? `${map.encodingName}/${map.clockRate}` : String(pt);
  });
}
