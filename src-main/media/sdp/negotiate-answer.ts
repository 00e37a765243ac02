/**
 * Answering a remote offer (RFC 3264 §6): the answerer's side of offer/answer for one RTP/AVP
 * or SDES-keyed RTP/SAVP audio stream.
 */
import { codecCatalogue, fmtpOf, opusFmtp, packetizationMs, telephoneEventFmtp, telephoneEventName, type AudioCodecName, type TelephoneEventClockRate } from './codecs.js';
import { describeFormats, firstSupportedCodec } from './codec-match.js';
import { audioMedia, localDescription, nextOrigin, readDescription, rejectedMedia, rtpMapFor } from './local-description.js';
import { resolveConfig, type LocalMediaConfig, type ResolvedConfig } from './local-media-config.js';
import { directionFrom, flowOf, remoteFlowOf, remoteTargetOf, unusableAddress } from './media-flow.js';
import { compareNegotiated } from './negotiation-changes.js';
import type { AnswerContext, AnswerOutcome, Negotiated, OfferProblem, SdpWarningCode } from './negotiation-types.js';
import { answerSrtp, cryptoAttribute, offeredSecurity } from './sdes-negotiation.js';
import type { SdesCrypto } from '../srtp/sdes.js';
import { connectionOf, isNullAddress, type MediaDescription, type SessionDescription } from './session-description.js';

interface RejectedStream {
  code: SdpWarningCode;
  text: string;
  problem: OfferProblem;
}

interface AcceptedStream {
  index: number;
  media: MediaDescription;
  codec: AudioCodecName;
  payloadType: number;
  telephoneEvent?: { payloadType: number; clockRate: TelephoneEventClockRate };
  /** The far end's SDES key when the stream will be SRTP. */
  crypto?: SdesCrypto;
}

/** Why a remote offer cannot be answered, or undefined when it can (offerProblem). */
export type OfferRefusal = Extract<AnswerOutcome, { ok: false }>;

/**
 * Answers a remote offer (RFC 3264 §6): the first audio stream we can use is accepted with the
 * first of the OFFERER's codecs that we support, keeping its payload type numbers; every other
 * m= line is rejected in place with port 0. Fails with 400 for unusable SDP and 488 (with an
 * RFC 3261 §20.43 warning) when nothing is acceptable. Throws RangeError on a bad config.
 */
export function answerOffer(offer: string | SessionDescription, local: LocalMediaConfig, context: AnswerContext = {}): AnswerOutcome {
  const config = resolveConfig(local);
  const parsed = readDescription(offer);
  if (!parsed.ok) return { ok: false, status: 400, error: `unusable SDP offer: ${parsed.error}`, problem: 'unreadable-sdp' };
  const remote = parsed.sdp;
  const chosen = chooseAudioStream(remote, config);
  if ('status' in chosen) return chosen;
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
  const srtp = chosen.crypto ? answerSrtp(chosen.crypto, offered.protocol.toUpperCase() === 'RTP/SAVP' ? 'RTP/SAVP' : 'RTP/AVP', context.current?.srtp) : undefined;
  const media = remote.media.map((m, index) => {
    if (index !== chosen.index) return rejectedMedia(m);
    const ours = audioMedia(config, formats, rtpMaps, fmtps, ptimeMs, rtcpMux, direction, offered.protocol);
    if (srtp) ours.attributes.push(cryptoAttribute(srtp.local));
    return ours;
  });
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
  if (srtp) negotiated.srtp = srtp;
  return {
    ok: true,
    ...description,
    answer: description.sdp,
    negotiated,
    changes: compareNegotiated(context.current, negotiated),
    warnings: parsed.warnings,
  };
}

/**
 * Whether we could answer a remote offer with this config, without building the answer (no
 * keys generated): what the call layer checks when an INVITE arrives, before anything rings.
 */
export function offerProblem(offer: string | SessionDescription, local: LocalMediaConfig): OfferRefusal | undefined {
  const parsed = readDescription(offer);
  if (!parsed.ok) return { ok: false, status: 400, error: `unusable SDP offer: ${parsed.error}`, problem: 'unreadable-sdp' };
  const chosen = chooseAudioStream(parsed.sdp, resolveConfig(local));
  return 'status' in chosen ? chosen : undefined;
}

/** The first audio stream we can use; every other m= line is rejected in place by the caller. */
function chooseAudioStream(remote: SessionDescription, config: ResolvedConfig): AcceptedStream | OfferRefusal {
  let firstProblem: RejectedStream | undefined;
  for (const [index, media] of remote.media.entries()) {
    if (media.port === 0 || media.media.toLowerCase() !== 'audio') continue;
    const result = acceptAudioStream(remote, media, index, config);
    if (!('code' in result)) return result;
    firstProblem ??= result;
  }
  const problem = firstProblem ?? { code: 304, text: 'no active audio stream offered', problem: 'no-audio-stream' };
  return { ok: false, status: 488, error: `no acceptable audio stream: ${problem.text}`, problem: problem.problem, warning: { code: problem.code, text: problem.text } };
}

function acceptAudioStream(
  sdp: SessionDescription,
  media: MediaDescription,
  index: number,
  config: ResolvedConfig,
): AcceptedStream | RejectedStream {
  const label = `m= line ${index + 1}`;
  // RTP/AVP, or SRTP keyed by SDES (RTP/SAVP, or a=crypto on RTP/AVP) as the policy allows;
  // no feedback profiles, no DTLS.
  const security = offeredSecurity(media, config.encryption, label);
  if (!security.ok) return { code: security.code, text: security.text, problem: security.problem };
  const connection = connectionOf(sdp, media);
  if (connection && connection.addressType !== config.addressType && !isNullAddress(connection.address)) {
    return { code: 301, text: `${label} uses ${connection.addressType}, our media address is ${config.addressType}`, problem: 'unusable-address' };
  }
  const badAddress = unusableAddress(connection?.address, media.rtcp?.connection?.address);
  if (badAddress) return { code: 301, text: `${label}: ${badAddress}`, problem: 'unusable-address' };
  const match = firstSupportedCodec(media, config.codecs, config.telephoneEvent);
  if (match) return { index, media, ...match, ...(security.remote ? { crypto: security.remote } : {}) };
  return {
    code: 305,
    text: `${label} offers ${describeFormats(media).join(', ') || 'no formats'}; we support ${config.codecs.join(', ')}`,
    problem: 'no-common-codec',
  };
}
