/**
 * Answering a remote offer (RFC 3264 §6): the answerer's side of offer/answer for one plain
 * RTP/AVP audio stream.
 */
import { codecCatalogue, fmtpOf, opusFmtp, packetizationMs, telephoneEventFmtp, telephoneEventName, type AudioCodecName, type TelephoneEventClockRate } from './codecs.js';
import { describeFormats, firstSupportedCodec } from './codec-match.js';
import { audioMedia, localDescription, nextOrigin, readDescription, rejectedMedia, rtpMapFor } from './local-description.js';
import { resolveConfig, type LocalMediaConfig, type ResolvedConfig } from './local-media-config.js';
import { directionFrom, flowOf, remoteFlowOf, remoteTargetOf, unusableAddress } from './media-flow.js';
import { compareNegotiated } from './negotiation-changes.js';
import type { AnswerContext, AnswerOutcome, Negotiated, SdpWarningCode } from './negotiation-types.js';
import { connectionOf, isNullAddress, type MediaDescription, type SessionDescription } from './session-description.js';

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
  const match = firstSupportedCodec(media, config.codecs, config.telephoneEvent);
  if (match) return { index, media, ...match };
  return {
    code: 305,
    text: `${label} offers ${describeFormats(media).join(', ') || 'no formats'}; we support ${config.codecs.join(', ')}`,
  };
}
