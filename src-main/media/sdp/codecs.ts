/**
 * The audio codecs LineDesk can negotiate, and how to recognise them in an SDP.
 *
 * Codecs are matched by encoding name (case-insensitive, RFC 4855 §3) and clock rate, never by
 * payload type number for dynamic types: the number is only a per-session label
 * (RFC 3264 §6.1). Static payload types without an `a=rtpmap` are resolved through the
 * RFC 3551 table.
 */
import type { MediaDescription, RtpMap } from './session-description.js';

export type AudioCodecName = 'PCMU' | 'PCMA' | 'opus';

export const audioCodecNames: readonly AudioCodecName[] = ['PCMU', 'PCMA', 'opus'];

export interface AudioCodecSpec {
  name: AudioCodecName;
  /** Spelling we write in `a=rtpmap`. */
  encodingName: string;
  clockRate: number;
  /** Channel count of the rtpmap: 1 for G.711; always 2 for Opus (RFC 7587 §7). */
  channels: number;
  /** Static payload type (RFC 3551 §6), or the default dynamic one we offer. */
  defaultPayloadType: number;
  isStatic: boolean;
  /** Packetization times this codec may use, in ms, ascending. */
  ptimesMs: readonly number[];
}

export const codecCatalogue: Readonly<Record<AudioCodecName, AudioCodecSpec>> = {
  PCMU: { name: 'PCMU', encodingName: 'PCMU', clockRate: 8000, channels: 1, defaultPayloadType: 0, isStatic: true, ptimesMs: [10, 20, 30, 40, 50, 60] },
  PCMA: { name: 'PCMA', encodingName: 'PCMA', clockRate: 8000, channels: 1, defaultPayloadType: 8, isStatic: true, ptimesMs: [10, 20, 30, 40, 50, 60] },
  // Opus frames are 2.5–60 ms; we packetize one frame of 10, 20, 40 or 60 ms (RFC 7587 §4.2).
  opus: { name: 'opus', encodingName: 'opus', clockRate: 48000, channels: 2, defaultPayloadType: 111, isStatic: false, ptimesMs: [10, 20, 40, 60] },
};

/** RFC 4733 named telephone events. */
export const telephoneEventName = 'telephone-event';
/** Default dynamic payload types for telephone-event at 8 kHz and 48 kHz. */
export const defaultTelephoneEventPayloadTypes: Readonly<Record<TelephoneEventClockRate, number>> = { 8000: 101, 48000: 110 };
/** DTMF 0–9 * # A–D and flash (RFC 4733 §3.2). */
export const telephoneEventFmtp = '0-16';

export type TelephoneEventClockRate = 8000 | 48000;

/** RFC 4733 §2.1: the event clock matches the audio codec's clock. */
export function telephoneEventClockRateFor(codec: AudioCodecName): TelephoneEventClockRate {
  return codecCatalogue[codec].clockRate === 48000 ? 48000 : 8000;
}

/** Audio payload types of RFC 3551 §6 table 4, used when a static type has no rtpmap. */
const staticAudioPayloadTypes: ReadonlyMap<number, Omit<RtpMap, 'payloadType'>> = new Map([
  [0, { encodingName: 'PCMU', clockRate: 8000, channels: 1 }],
  [3, { encodingName: 'GSM', clockRate: 8000, channels: 1 }],
  [4, { encodingName: 'G723', clockRate: 8000, channels: 1 }],
  [5, { encodingName: 'DVI4', clockRate: 8000, channels: 1 }],
  [6, { encodingName: 'DVI4', clockRate: 16000, channels: 1 }],
  [7, { encodingName: 'LPC', clockRate: 8000, channels: 1 }],
  [8, { encodingName: 'PCMA', clockRate: 8000, channels: 1 }],
  [9, { encodingName: 'G722', clockRate: 8000, channels: 1 }],
  [10, { encodingName: 'L16', clockRate: 44100, channels: 2 }],
  [11, { encodingName: 'L16', clockRate: 44100, channels: 1 }],
  [12, { encodingName: 'QCELP', clockRate: 8000, channels: 1 }],
  [13, { encodingName: 'CN', clockRate: 8000, channels: 1 }],
  [14, { encodingName: 'MPA', clockRate: 90000 }],
  [15, { encodingName: 'G728', clockRate: 8000, channels: 1 }],
  [16, { encodingName: 'DVI4', clockRate: 11025, channels: 1 }],
  [17, { encodingName: 'DVI4', clockRate: 22050, channels: 1 }],
  [18, { encodingName: 'G729', clockRate: 8000, channels: 1 }],
]);

/** The rtpmap of a format in a media section: its `a=rtpmap`, else the static table (RFC 3551 §6). */
export function rtpMapOf(media: MediaDescription, payloadType: number): RtpMap | undefined {
  const explicit = media.rtpMaps.find((r) => r.payloadType === payloadType);
  if (explicit) return explicit;
  const known = staticAudioPayloadTypes.get(payloadType);
  return known ? { payloadType, ...known } : undefined;
}

/** Payload type numbers of an RTP m= line, in order; non-numeric formats are skipped. */
export function payloadTypesOf(media: MediaDescription): number[] {
  return media.formats.filter((f) => /^\d{1,3}$/.test(f)).map(Number).filter((pt) => pt <= 127);
}

/** Which of our codecs an rtpmap describes, matching name and clock rate (and a sane channel count). */
export function identifyAudioCodec(rtpMap: RtpMap): AudioCodecName | undefined {
  const name = rtpMap.encodingName.toLowerCase();
  for (const spec of Object.values(codecCatalogue)) {
    if (spec.encodingName.toLowerCase() !== name || spec.clockRate !== rtpMap.clockRate) continue;
    // Opus must say /2 (RFC 7587 §7), but a missing count is tolerated; G.711 is mono.
    if (rtpMap.channels === undefined || rtpMap.channels === spec.channels) return spec.name;
  }
  return undefined;
}

export function isTelephoneEvent(rtpMap: RtpMap, clockRate: number): boolean {
  return rtpMap.encodingName.toLowerCase() === telephoneEventName && rtpMap.clockRate === clockRate;
}

/** The fmtp parameters of a payload type, as a lower-cased key → value record. */
export function fmtpOf(media: MediaDescription, payloadType: number): Record<string, string> {
  const fmtp = media.fmtps.find((f) => f.payloadType === payloadType);
  return fmtp ? parseFmtpParameters(fmtp.parameters) : {};
}

/**
 * Splits `key=value; key=value` fmtp parameters (RFC 7587 §6, RFC 4855). Tokens without `=`
 * (such as telephone-event's `0-16`) become keys with an empty value.
 */
export function parseFmtpParameters(parameters: string): Record<string, string> {
  const record: Record<string, string> = {};
  for (const part of parameters.split(';')) {
    const item = part.trim();
    if (!item) continue;
    const eq = item.indexOf('=');
    if (eq < 0) record[item.toLowerCase()] = '';
    else record[item.slice(0, eq).trim().toLowerCase()] = item.slice(eq + 1).trim();
  }
  return record;
}

export interface OpusOptions {
  /** Highest sample rate we want to receive (RFC 7587 §6.1), e.g. 16000 for wideband. */
  maxPlaybackRate?: number;
  /** Ask for mono and announce mono (`stereo=0; sprop-stereo=0`), which is also the default. */
  mono?: boolean;
}

/**
 * The fmtp we send for Opus: 10 ms minimum (RFC 7587 §6.1). No `useinbandfec=1`: it asks the
 * far end to spend bits on in-band FEC, which we cannot use (audify's decoder never decodes FEC;
 * lost packets are concealed by PLC), so the default (0) is what we mean.
 */
export function opusFmtp(options: OpusOptions = {}): string {
  const parts = ['minptime=10'];
  if (options.maxPlaybackRate !== undefined) parts.push(`maxplaybackrate=${options.maxPlaybackRate}`);
  if (options.mono) parts.push('stereo=0', 'sprop-stereo=0');
  return parts.join('; ');
}

/**
 * The packetization time to use for a codec: the requested value capped by `maxptime`, then
 * snapped down to the nearest time the codec supports (never below its smallest one).
 */
export function packetizationMs(codec: AudioCodecName, requestedMs: number, maxptimeMs?: number): number {
  const allowed = codecCatalogue[codec].ptimesMs;
  const limit = Math.min(requestedMs, maxptimeMs ?? Number.POSITIVE_INFINITY);
  let chosen = allowed[0] ?? 20;
  for (const ms of allowed) if (ms <= limit) chosen = ms;
  return chosen;
}
