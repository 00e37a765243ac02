/**
 * SDP offer/answer for one plain RTP/AVP audio stream (RFC 3264), as the SessionDescriptionHandler
 * needs it: build our offer, answer a remote offer, apply the answer to our offer, and keep
 * track of which of the two a remote description is (late offer, RFC 3261 §13.2.1).
 *
 * Every result states the negotiated media from OUR point of view, so the media engine knows
 * where to send, with which payload type and packetization, and whether to send and/or receive.
 */
import { randomInt } from 'node:crypto';
import { isIP } from 'node:net';
import {
  codecCatalogue,
  defaultTelephoneEventPayloadTypes,
  fmtpOf,
  identifyAudioCodec,
  isTelephoneEvent,
  opusFmtp,
  packetizationMs,
  payloadTypesOf,
  rtpMapOf,
  telephoneEventClockRateFor,
  telephoneEventFmtp,
  telephoneEventName,
  type AudioCodecName,
  type OpusOptions,
  type TelephoneEventClockRate,
} from './codecs.js';
import {
  addressTypeOf,
  connectionOf,
  directionOf,
  isNullAddress,
  type Direction,
  type MediaDescription,
  type RtpMap,
  type SessionDescription,
} from './session-description.js';
import { parseSessionDescription } from './sdp-parser.js';
import { serializeSessionDescription } from './sdp-serializer.js';

// ---------------------------------------------------------------------------------------------
// Types.

/** What we can do and want, for one call. */
export interface LocalMediaConfig {
  /** Our RTP address as written in `c=` and `o=`: an IPv4 or IPv6 literal. */
  address: string;
  /** Our RTP port; RTCP is on `rtpPort + 1` unless muxed (RFC 3550 §11). */
  rtpPort: number;
  /** Codecs we accept, in our order of preference. */
  codecs: readonly AudioCodecName[];
  /** Offer and accept RTP/RTCP multiplexing (RFC 5761). Default false. */
  rtcpMux?: boolean;
  /** Our preferred packetization, in ms. Default 20. */
  ptimeMs?: number;
  /** We hold the call: we do not want to receive (RFC 3264 §8.4). */
  hold?: boolean;
  /** The remote holds us (from its last offer): with `hold`, our offer becomes inactive. */
  remoteHold?: boolean;
  /** Offer and accept RFC 4733 telephone-event. Default true. */
  telephoneEvent?: boolean;
  /** Dynamic payload types we offer. Defaults: opus 111, telephone-event/8000 101, /48000 110. */
  payloadTypes?: { opus?: number; telephoneEvent8000?: number; telephoneEvent48000?: number };
  opus?: OpusOptions;
  /** `o=` username. Default `-`. */
  username?: string;
  /** `s=` text. Default `-`. */
  sessionName?: string;
}

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
}

export interface LocalDescription {
  /** The SDP text to send, CRLF line ends. */
  sdp: string;
  description: SessionDescription;
  /** Store it and pass it back for the next SDP of this session. */
  origin: OriginState;
}

/** RFC 3261 §20.43 warning codes that explain a 488. */
export type SdpWarningCode = 301 | 302 | 304 | 305;

export type AnswerOutcome =
  | (LocalDescription & { ok: true; answer: string; negotiated: Negotiated; changes: NegotiationChanges; warnings: string[] })
  | { ok: false; status: 400 | 488; error: string; warning?: { code: SdpWarningCode; text: string } };

export type ApplyAnswerOutcome =
  | { ok: true; negotiated: Negotiated; changes: NegotiationChanges; warnings: string[] }
  | { ok: false; error: string };

/** Session state an answer depends on: our last `o=` and the current negotiation, if any. */
export interface AnswerContext {
  origin?: OriginState;
  current?: Negotiated;
}

// ---------------------------------------------------------------------------------------------
// Offer.

/**
 * Builds our offer: our codecs in our order, telephone-event at the clock rate of each offered
 * codec family, `a=ptime`, RTCP port or mux, and our direction. Pass the previous origin to
 * keep the session id and bump the version (RFC 3264 §8). Throws RangeError on a bad config.
 */
export function createOffer(local: LocalMediaConfig, previous?: OriginState): LocalDescription {
  const config = resolveConfig(local);
  const formats: number[] = [];
  const rtpMaps: RtpMap[] = [];
  const fmtps: MediaDescription['fmtps'] = [];
  for (const name of config.codecs) {
    const payloadType = config.payloadTypeOf(name);
    formats.push(payloadType);
    rtpMaps.push(rtpMapFor(name, payloadType));
    if (name === 'opus') fmtps.push({ payloadType, parameters: opusFmtp(config.opus) });
  }
  if (config.telephoneEvent) {
    const rates = [...new Set(config.codecs.map(telephoneEventClockRateFor))];
    for (const rate of rates) {
      const payloadType = config.telephoneEventPayloadType(rate);
      formats.push(payloadType);
      rtpMaps.push({ payloadType, encodingName: telephoneEventName, clockRate: rate });
      fmtps.push({ payloadType, parameters: telephoneEventFmtp });
    }
  }
  // RFC 3264 §8.4: hold is sendonly; when the remote holds us too, neither side sends.
  const direction: Direction = config.hold ? (config.remoteHold ? 'inactive' : 'sendonly') : 'sendrecv';
  const media = audioMedia(config, formats, rtpMaps, fmtps, config.ptimeMs, config.rtcpMux, direction, 'RTP/AVP');
  return localDescription(config, nextOrigin(previous), [{ start: '0', stop: '0', repeats: [] }], [media]);
}

// ---------------------------------------------------------------------------------------------
// Answer.

interface RejectedStream {
  code: SdpWarningCode;
  text: string;
}

interface AcceptedStream {
  index: number;
  media: MediaDescription;
  codec: AudioCodecName;
  payloadType: number;
  telephoneEvent?: { payloadType: number; clockRate: TelephoneEventClockRate };
}

/**
 * Answers a remote offer (RFC 3264 §6): the first audio stream we can use is accepted with the
 * first of the OFFERER's codecs that we support, keeping its payload type numbers; every other
 * m= line is rejected in place with port 0. Fails with 400 for unusable SDP and 488 (with an
 * RFC 3261 §20.43 warning) when nothing is acceptable. Throws RangeError on a bad config.
 */
export function answerOffer(offer: string | SessionDescription, local: LocalMediaConfig, context: AnswerContext = {}): AnswerOutcome {
  const config = resolveConfig(local);
  const parsed = readDescription(offer);
  if (!parsed.ok) return { ok: false, status: 400, error: `unusable SDP offer: ${parsed.error}` };
  const remote = parsed.sdp;

  let accepted: AcceptedStream | undefined;
  let firstProblem: RejectedStream | undefined;
  for (const [index, media] of remote.media.entries()) {
    if (media.port === 0 || media.media.toLowerCase() !== 'audio') continue;
    const result = acceptAudioStream(remote, media, index, config);
    if ('code' in result) firstProblem ??= result;
    else {
      accepted = result;
      break;
    }
  }
  if (!accepted) {
    const problem = firstProblem ?? { code: 304, text: 'no active audio stream offered' };
    return { ok: false, status: 488, error: `no acceptable audio stream: ${problem.text}`, warning: problem };
  }
  const chosen = accepted;
  const offered = chosen.media;
  const spec = codecCatalogue[chosen.codec];

  const remoteFlow = remoteFlowOf(remote, offered);
  // RFC 3264 §6.1: answer = reverse of the offer, narrowed by what we want.
  const ours = flowOf(config.hold ? 'sendonly' : 'sendrecv');
  const direction = directionFrom({ send: remoteFlow.recv && ours.send, recv: remoteFlow.send && ours.recv });
  const ptimeMs = packetizationMs(chosen.codec, offered.ptime ?? config.ptimeMs, offered.maxptime);
  const rtcpMux = offered.rtcpMux && config.rtcpMux;

  const formats = [chosen.payloadType];
  const rtpMaps = [rtpMapFor(chosen.codec, chosen.payloadType)];
  const fmtps: MediaDescription['fmtps'] = [];
  if (chosen.codec === 'opus') fmtps.push({ payloadType: chosen.payloadType, parameters: opusFmtp(config.opus) });
  if (chosen.telephoneEvent) {
    const { payloadType, clockRate } = chosen.telephoneEvent;
    formats.push(payloadType);
    rtpMaps.push({ payloadType, encodingName: telephoneEventName, clockRate });
    fmtps.push({ payloadType, parameters: telephoneEventFmtp });
  }
  const media = remote.media.map((m, index) =>
    index === chosen.index
      ? audioMedia(config, formats, rtpMaps, fmtps, ptimeMs, rtcpMux, direction, offered.protocol)
      : rejectedMedia(m),
  );
  // RFC 3264 §6: the answer's t= line equals the offer's.
  const description = localDescription(config, nextOrigin(context.origin), structuredClone(remote.timing), media);

  const negotiated: Negotiated = {
    remote: remoteTargetOf(remote, offered, rtcpMux),
    codec: {
      name: chosen.codec,
      payloadType: chosen.payloadType,
      receivePayloadType: chosen.payloadType,
      clockRate: spec.clockRate,
      channels: spec.channels,
      fmtp: fmtpOf(offered, chosen.payloadType),
    },
    ptimeMs,
    direction,
    remoteHold: !remoteFlow.recv,
  };
  if (chosen.telephoneEvent) negotiated.telephoneEvent = { ...chosen.telephoneEvent, receivePayloadType: chosen.telephoneEvent.payloadType };
  return {
    ok: true,
    ...description,
    answer: description.sdp,
    negotiated,
    changes: compareNegotiated(context.current, negotiated),
    warnings: parsed.warnings,
  };
}

function acceptAudioStream(
  sdp: SessionDescription,
  media: MediaDescription,
  index: number,
  config: ResolvedConfig,
): AcceptedStream | RejectedStream {
  const label = `m= line ${index + 1}`;
  // Plain RTP only: no SRTP (RTP/SAVP), no feedback profiles, no DTLS.
  if (media.protocol.toUpperCase() !== 'RTP/AVP') {
    return { code: 302, text: `${label} uses transport "${media.protocol}", only RTP/AVP is supported` };
  }
  const connection = connectionOf(sdp, media);
  if (connection && connection.addressType !== config.addressType && !isNullAddress(connection.address)) {
    return { code: 301, text: `${label} uses ${connection.addressType}, our media address is ${config.addressType}` };
  }
  const badAddress = unusableAddress(connection?.address, media.rtcp?.connection?.address);
  if (badAddress) return { code: 301, text: `${label}: ${badAddress}` };
  for (const payloadType of payloadTypesOf(media)) {
    const rtpMap = rtpMapOf(media, payloadType);
    const codec = rtpMap && identifyAudioCodec(rtpMap);
    if (!codec || !config.codecs.includes(codec)) continue;
    const accepted: AcceptedStream = { index, media, codec, payloadType };
    if (config.telephoneEvent) {
      // RFC 4733 §2.1: only the event clock that matches the chosen codec.
      const clockRate = telephoneEventClockRateFor(codec);
      const eventPt = payloadTypesOf(media).find((pt) => {
        const map = rtpMapOf(media, pt);
        return map !== undefined && isTelephoneEvent(map, clockRate);
      });
      if (eventPt !== undefined) accepted.telephoneEvent = { payloadType: eventPt, clockRate };
    }
    return accepted;
  }
  const offeredCodecs = payloadTypesOf(media).map((pt) => {
    const map = rtpMapOf(media, pt);
    return map ? `${map.encodingName}/${map.clockRate}` : String(pt);
  });
  return {
    code: 305,
    text: `${label} offers ${offeredCodecs.join(', ') || 'no formats'}; we support ${config.codecs.join(', ')}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Applying an answer.

/**
 * Applies the remote answer to our offer (RFC 3264 §7). Fails when the remote rejected our
 * audio stream (port 0), answered with no codec we offered, or with a direction the offer does
 * not allow (RFC 3264 §6.1). Formats the answer adds beyond our offer are ignored.
 */
export function applyAnswer(
  offer: string | SessionDescription,
  answer: string | SessionDescription,
  current?: Negotiated,
): ApplyAnswerOutcome {
  const ours = readDescription(offer);
  if (!ours.ok) return { ok: false, error: `our own offer is unreadable: ${ours.error}` };
  const theirs = readDescription(answer);
  if (!theirs.ok) return { ok: false, error: `unusable SDP answer: ${theirs.error}` };

  const index = ours.sdp.media.findIndex((m) => m.media.toLowerCase() === 'audio' && m.port !== 0);
  const offered = ours.sdp.media[index];
  if (!offered) return { ok: false, error: 'our offer has no active audio stream' };
  if (theirs.sdp.media.length !== ours.sdp.media.length) {
    theirs.warnings.push(`answer has ${theirs.sdp.media.length} m= lines, the offer had ${ours.sdp.media.length} (RFC 3264 §6)`);
  }
  const answered = theirs.sdp.media[index];
  if (!answered || answered.media.toLowerCase() !== 'audio') {
    return { ok: false, error: `answer has no audio m= line at position ${index + 1}` };
  }
  if (answered.port === 0) return { ok: false, error: 'the remote rejected our audio stream (port 0)' };
  const answerConnection = connectionOf(theirs.sdp, answered);
  const badAddress = unusableAddress(answerConnection?.address, answered.rtcp?.connection?.address);
  if (badAddress) return { ok: false, error: `the answer's audio stream cannot be used: ${badAddress}` };
  const ourType = connectionOf(ours.sdp, offered)?.addressType;
  if (answerConnection && ourType && answerConnection.addressType !== ourType && !isNullAddress(answerConnection.address)) {
    return { ok: false, error: `the answer's audio stream uses ${answerConnection.addressType}, our media address is ${ourType}` };
  }

  // The answer's rtpmap, else the offer's for the same number (RFC 3264 §6.1: same numbers SHOULD be kept).
  const mapOf = (pt: number): RtpMap | undefined => rtpMapOf(answered, pt) ?? rtpMapOf(offered, pt);
  const offeredCodecs = new Set(payloadTypesOf(offered).flatMap((pt) => {
    const map = rtpMapOf(offered, pt);
    const codec = map && identifyAudioCodec(map);
    return codec ? [codec] : [];
  }));
  let chosen: { codec: AudioCodecName; payloadType: number } | undefined;
  for (const payloadType of payloadTypesOf(answered)) {
    const map = mapOf(payloadType);
    const codec = map && identifyAudioCodec(map);
    if (codec && offeredCodecs.has(codec)) {
      chosen = { codec, payloadType };
      break;
    }
  }
  if (!chosen) {
    const listed = payloadTypesOf(answered).map((pt) => {
      const map = mapOf(pt);
      return map ? `${map.encodingName}/${map.clockRate}` : String(pt);
    });
    return { ok: false, error: `the answer has no codec we offered (it lists ${listed.join(', ') || 'nothing'})` };
  }

  const offerFlow = flowOf(directionOf(ours.sdp, offered));
  const answerFlow = remoteFlowOf(theirs.sdp, answered);
  if ((answerFlow.send && !offerFlow.recv) || (answerFlow.recv && !offerFlow.send)) {
    return {
      ok: false,
      error: `answer direction "${directionOf(theirs.sdp, answered)}" is not allowed for an offer of "${directionOf(ours.sdp, offered)}" (RFC 3264 §6.1)`,
    };
  }

  const spec = codecCatalogue[chosen.codec];
  const rtcpMux = offered.rtcpMux && answered.rtcpMux;
  const negotiated: Negotiated = {
    remote: remoteTargetOf(theirs.sdp, answered, rtcpMux),
    codec: {
      name: chosen.codec,
      payloadType: chosen.payloadType,
      // The far end sends with the number of OUR offer, whatever the answer calls it.
      receivePayloadType: offeredPayloadType(offered, chosen.codec, chosen.payloadType),
      clockRate: spec.clockRate,
      channels: spec.channels,
      fmtp: fmtpOf(answered, chosen.payloadType),
    },
    // RFC 3264 §7: send with the answer's ptime; else keep what we offered.
    ptimeMs: packetizationMs(chosen.codec, answered.ptime ?? offered.ptime ?? 20, answered.maxptime),
    direction: directionFrom({ send: offerFlow.send && answerFlow.recv, recv: offerFlow.recv && answerFlow.send }),
    remoteHold: !answerFlow.recv,
  };
  const eventRate = telephoneEventClockRateFor(chosen.codec);
  const offeredEventPt = payloadTypesOf(offered).find((pt) => {
    const map = rtpMapOf(offered, pt);
    return map !== undefined && isTelephoneEvent(map, eventRate);
  });
  const eventPt = payloadTypesOf(answered).find((pt) => {
    const map = mapOf(pt);
    return map !== undefined && isTelephoneEvent(map, eventRate);
  });
  if (offeredEventPt !== undefined && eventPt !== undefined) {
    negotiated.telephoneEvent = { payloadType: eventPt, receivePayloadType: offeredEventPt, clockRate: eventRate };
  }
  return { ok: true, negotiated, changes: compareNegotiated(current, negotiated), warnings: theirs.warnings };
}

// ---------------------------------------------------------------------------------------------
// Comparing negotiations (re-INVITEs).

export function compareNegotiated(before: Negotiated | undefined, after: Negotiated): NegotiationChanges {
  if (!before) return { remoteTarget: true, codec: true, telephoneEvent: true, ptime: true, direction: true };
  const a = before.remote;
  const b = after.remote;
  return {
    remoteTarget:
      a.address !== b.address || a.rtpPort !== b.rtpPort || a.rtcpPort !== b.rtcpPort || a.rtcpAddress !== b.rtcpAddress || a.rtcpMux !== b.rtcpMux,
    codec:
      before.codec.name !== after.codec.name ||
      before.codec.payloadType !== after.codec.payloadType ||
      before.codec.receivePayloadType !== after.codec.receivePayloadType ||
      JSON.stringify(sortedEntries(before.codec.fmtp)) !== JSON.stringify(sortedEntries(after.codec.fmtp)),
    telephoneEvent:
      before.telephoneEvent?.payloadType !== after.telephoneEvent?.payloadType ||
      before.telephoneEvent?.receivePayloadType !== after.telephoneEvent?.receivePayloadType ||
      before.telephoneEvent?.clockRate !== after.telephoneEvent?.clockRate,
    ptime: before.ptimeMs !== after.ptimeMs,
    direction: before.direction !== after.direction || before.remoteHold !== after.remoteHold,
  };
}

function sortedEntries(record: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(record).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
}

// ---------------------------------------------------------------------------------------------
// Offer/answer state (who offered what), for the SDH's setDescription/getDescription.

/** `stable`: no offer outstanding; the other two: whose offer awaits an answer (RFC 3264 §4). */
export type OfferAnswerPhase = 'stable' | 'have-local-offer' | 'have-remote-offer';
export type DescriptionKind = 'offer' | 'answer';

/**
 * Tracks the offer/answer exchange of one session so the SDH can tell what a remote
 * description is. SIP.js calls `setDescription` both for a remote offer (then `getDescription`
 * for the answer) and for the answer to our offer (including the late-offer case, answer in
 * the ACK); only the outstanding local offer tells them apart.
 *
 * ```
 *            localOffer()                    remoteDescription() → 'answer'
 *   stable ───────────────▶ have-local-offer ───────────────────────────▶ stable
 *      │    ◀─────────────── rollback()
 *      │ remoteDescription() → 'offer'              localAnswer()
 *      └──────────────────▶ have-remote-offer ──────────────────────────▶ stable
 * ```
 */
export class OfferAnswerState {
  #phase: OfferAnswerPhase = 'stable';
  #localOffer: string | undefined;
  #remoteOffer: string | undefined;

  get phase(): OfferAnswerPhase {
    return this.#phase;
  }

  /** Our latest offer: outstanding in `have-local-offer`, the one just answered afterwards. */
  get localOfferSdp(): string | undefined {
    return this.#localOffer;
  }

  /** The remote's latest offer: outstanding in `have-remote-offer`. */
  get remoteOfferSdp(): string | undefined {
    return this.#remoteOffer;
  }

  /** What `getDescription` must produce now. */
  nextLocalDescription(): DescriptionKind {
    return this.#phase === 'have-remote-offer' ? 'answer' : 'offer';
  }

  /** We sent an offer. A new offer replaces one still outstanding (e.g. a retried re-INVITE). */
  localOffer(sdp: string): void {
    if (this.#phase === 'have-remote-offer') throw new Error('Invalid offer/answer transition: local offer while a remote offer awaits our answer');
    this.#localOffer = sdp;
    this.#phase = 'have-local-offer';
  }

  /** We answered the remote's offer. */
  localAnswer(_sdp: string): void {
    if (this.#phase !== 'have-remote-offer') throw new Error(`Invalid offer/answer transition: local answer in phase ${this.#phase}`);
    this.#phase = 'stable';
  }

  /** A remote description arrived: the answer to our outstanding offer, else a new offer. */
  remoteDescription(sdp: string): DescriptionKind {
    if (this.#phase === 'have-local-offer') {
      this.#phase = 'stable';
      return 'answer';
    }
    // In have-remote-offer a second offer replaces the first (SIP.js answers real glare with 491).
    this.#remoteOffer = sdp;
    this.#phase = 'have-remote-offer';
    return 'offer';
  }

  /** Our offer failed (re-INVITE rejected) or we will not answer: back to stable. */
  rollback(): void {
    if (this.#phase === 'have-local-offer') this.#localOffer = undefined;
    if (this.#phase === 'have-remote-offer') this.#remoteOffer = undefined;
    this.#phase = 'stable';
  }
}

// ---------------------------------------------------------------------------------------------
// Config.

interface ResolvedConfig {
  address: string;
  addressType: 'IP4' | 'IP6';
  rtpPort: number;
  codecs: readonly AudioCodecName[];
  rtcpMux: boolean;
  ptimeMs: number;
  hold: boolean;
  remoteHold: boolean;
  telephoneEvent: boolean;
  opus: OpusOptions;
  username: string;
  sessionName: string;
  payloadTypeOf(codec: AudioCodecName): number;
  telephoneEventPayloadType(rate: TelephoneEventClockRate): number;
}

/** Problems with a local media config, as sentences; empty when it is usable. */
export function checkLocalMediaConfig(local: LocalMediaConfig): string[] {
  const problems: string[] = [];
  if (!isIP(local.address)) problems.push(`address "${local.address}" is not an IP address`);
  // A wildcard bind address in c= reads as RFC 2543 hold to the peer (RFC 3264 §8.4).
  else if (isNullAddress(local.address)) problems.push(`address "${local.address}" is a wildcard; use the address peers reach us on`);
  const lastPort = local.rtcpMux ? 65535 : 65534;
  if (!Number.isInteger(local.rtpPort) || local.rtpPort < 1 || local.rtpPort > lastPort) {
    problems.push(`rtpPort ${local.rtpPort} is not a port in 1-${lastPort}`);
  }
  if (local.codecs.length === 0) problems.push('no codecs configured');
  for (const codec of local.codecs) if (!(codec in codecCatalogue)) problems.push(`unknown codec "${String(codec)}"`);
  if (new Set(local.codecs).size !== local.codecs.length) problems.push('a codec is listed twice');
  if (local.ptimeMs !== undefined && !(Number.isFinite(local.ptimeMs) && local.ptimeMs > 0)) problems.push(`ptimeMs ${local.ptimeMs} is not positive`);
  const dynamic = [
    local.payloadTypes?.opus ?? codecCatalogue.opus.defaultPayloadType,
    local.payloadTypes?.telephoneEvent8000 ?? defaultTelephoneEventPayloadTypes[8000],
    local.payloadTypes?.telephoneEvent48000 ?? defaultTelephoneEventPayloadTypes[48000],
  ];
  // RFC 3551 §3: 96–127 is the dynamic range.
  for (const pt of dynamic) if (!Number.isInteger(pt) || pt < 96 || pt > 127) problems.push(`payload type ${pt} is not in the dynamic range 96-127`);
  if (new Set(dynamic).size !== dynamic.length) problems.push('dynamic payload types must differ');
  return problems;
}

function resolveConfig(local: LocalMediaConfig): ResolvedConfig {
  const problems = checkLocalMediaConfig(local);
  if (problems.length > 0) throw new RangeError(`invalid local media config: ${problems.join('; ')}`);
  const payloadTypes = local.payloadTypes ?? {};
  return {
    address: local.address,
    addressType: addressTypeOf(local.address),
    rtpPort: local.rtpPort,
    codecs: local.codecs,
    rtcpMux: local.rtcpMux ?? false,
    ptimeMs: local.ptimeMs ?? 20,
    hold: local.hold ?? false,
    remoteHold: local.remoteHold ?? false,
    telephoneEvent: local.telephoneEvent ?? true,
    opus: local.opus ?? {},
    username: local.username ?? '-',
    sessionName: local.sessionName ?? '-',
    payloadTypeOf: (codec) =>
      codec === 'opus' ? (payloadTypes.opus ?? codecCatalogue.opus.defaultPayloadType) : codecCatalogue[codec].defaultPayloadType,
    telephoneEventPayloadType: (rate) =>
      (rate === 8000 ? payloadTypes.telephoneEvent8000 : payloadTypes.telephoneEvent48000) ?? defaultTelephoneEventPayloadTypes[rate],
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers.

interface Flow {
  send: boolean;
  recv: boolean;
}

function flowOf(direction: Direction): Flow {
  return { send: direction === 'sendrecv' || direction === 'sendonly', recv: direction === 'sendrecv' || direction === 'recvonly' };
}

function directionFrom(flow: Flow): Direction {
  if (flow.send && flow.recv) return 'sendrecv';
  if (flow.send) return 'sendonly';
  if (flow.recv) return 'recvonly';
  return 'inactive';
}

/** The remote's own send/receive wishes; `c=0.0.0.0` means "do not send to me" (RFC 3264 §8.4). */
function remoteFlowOf(sdp: SessionDescription, media: MediaDescription): Flow {
  const flow = flowOf(directionOf(sdp, media));
  const address = connectionOf(sdp, media)?.address ?? '';
  return isNullAddress(address) ? { send: flow.send, recv: false } : flow;
}

/** The number our offer gave a codec (the answer's number when the offer lists it under that one). */
function offeredPayloadType(offered: MediaDescription, codec: AudioCodecName, answeredPt: number): number {
  const matches = (pt: number): boolean => {
    const map = rtpMapOf(offered, pt);
    return map !== undefined && identifyAudioCodec(map) === codec;
  };
  if (matches(answeredPt)) return answeredPt;
  return payloadTypesOf(offered).find(matches) ?? answeredPt;
}

/**
 * Why a remote media address cannot be sent to, or undefined when it can. RTP goes to IP
 * literals only: a host name (RFC 8866 allows FQDNs) would be looked up by every send, 50 times
 * a second, and a multicast group (`/ttl`) is not a peer. `0.0.0.0` (hold) is fine.
 */
function unusableAddress(...addresses: (string | undefined)[]): string | undefined {
  for (const address of addresses) {
    if (address === undefined || isNullAddress(address)) continue;
    if (address.includes('/') || isMulticast(address)) return `connection address "${address}" is multicast; only unicast RTP is supported`;
    if (!isIP(address)) return `connection address "${address}" is a host name; only IP addresses are supported`;
  }
  return undefined;
}

function isMulticast(address: string): boolean {
  if (isIP(address) === 4) {
    const first = Number(address.split('.')[0]);
    return first >= 224 && first <= 239;
  }
  return isIP(address) === 6 && /^ff/i.test(address);
}

function remoteTargetOf(sdp: SessionDescription, media: MediaDescription, rtcpMux: boolean): Negotiated['remote'] {
  // The parser guarantees a connection for an active audio stream.
  const address = connectionOf(sdp, media)?.address ?? '0.0.0.0';
  if (rtcpMux) return { address, rtpPort: media.port, rtcpPort: media.port, rtcpAddress: address, rtcpMux };
  return {
    address,
    rtpPort: media.port,
    rtcpPort: media.rtcp?.port ?? media.port + 1,
    rtcpAddress: media.rtcp?.connection?.address ?? address,
    rtcpMux,
  };
}

function rtpMapFor(codec: AudioCodecName, payloadType: number): RtpMap {
  const spec = codecCatalogue[codec];
  const map: RtpMap = { payloadType, encodingName: spec.encodingName, clockRate: spec.clockRate };
  if (spec.channels !== 1) map.channels = spec.channels;
  return map;
}

function audioMedia(
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
function rejectedMedia(offered: MediaDescription): MediaDescription {
  return {
    media: offered.media,
    port: 0,
    protocol: offered.protocol,
    formats: offered.formats.length > 0 ? [...offered.formats] : ['0'],
    bandwidths: [],
    rtpMaps: [],
    fmtps: [],
    rtcpMux: false,
    extraLines: [],
    attributes: [],
  };
}

function localDescription(
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
function nextOrigin(previous: OriginState | undefined): OriginState {
  if (!previous) return { sessionId: String(randomInt(1, 2 ** 47)), version: '1' };
  if (!/^\d+$/.test(previous.version)) throw new RangeError(`origin version "${previous.version}" is not a decimal number`);
  return { sessionId: previous.sessionId, version: (BigInt(previous.version) + 1n).toString() };
}

function readDescription(input: string | SessionDescription): { ok: true; sdp: SessionDescription; warnings: string[] } | { ok: false; error: string } {
  return typeof input === 'string' ? parseSessionDescription(input) : { ok: true, sdp: input, warnings: [] };
}
