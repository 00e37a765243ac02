/**
 * Offering (RFC 3264 §5) and applying the answer to our offer (RFC 3264 §7): the offerer's
 * side of offer/answer for one RTP/AVP or SDES-keyed SRTP audio stream.
 */
import { codecCatalogue, fmtpOf, opusFmtp, packetizationMs, telephoneEventClockRateFor, telephoneEventFmtp, telephoneEventName } from './codecs.js';
import { answerRtpMaps, describeFormats, firstAnsweredCodec, offeredPayloadType, telephoneEventPayloadType } from './codec-match.js';
import { audioMedia, localDescription, nextOrigin, readDescription, rtpMapFor } from './local-description.js';
import { resolveConfig, type LocalMediaConfig } from './local-media-config.js';
import { directionFrom, flowOf, remoteFlowOf, remoteTargetOf, unusableAddress } from './media-flow.js';
import { compareNegotiated } from './negotiation-changes.js';
import type { ApplyAnswerOutcome, LocalDescription, Negotiated, OriginState } from './negotiation-types.js';
import { answeredSrtp, cryptoAttribute, srtpOffer } from './sdes-negotiation.js';
import { connectionOf, directionOf, isNullAddress, type Direction, type MediaDescription, type RtpMap, type SessionDescription } from './session-description.js';

/**
 * Builds our offer: our codecs in our order, telephone-event at the clock rate of each offered
 * codec family, `a=ptime`, RTCP port or mux, our direction, and SDES keys as the encryption
 * policy says. Pass the previous origin to keep the session id and bump the version
 * (RFC 3264 §8), and the current negotiation for a re-offer (it keeps the call's SRTP keys,
 * or its plain RTP). Throws RangeError on a bad config.
 */
export function createOffer(local: LocalMediaConfig, previous?: OriginState, current?: Negotiated): LocalDescription {
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
  const security = srtpOffer(config.encryption, config.offerSavp, current?.srtp, current !== undefined);
  const media = audioMedia(config, formats, rtpMaps, fmtps, config.ptimeMs, config.rtcpMux, direction, security.protocol);
  for (const c of security.cryptos) media.attributes.push(cryptoAttribute(c));
  return localDescription(config, nextOrigin(previous), [{ start: '0', stop: '0', repeats: [] }], [media]);
}

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

  const mapOf = answerRtpMaps(offered, answered);
  const chosen = firstAnsweredCodec(offered, answered, mapOf);
  if (!chosen) {
    return { ok: false, error: `the answer has no codec we offered (it lists ${describeFormats(answered, mapOf).join(', ') || 'nothing'})` };
  }

  const offerFlow = flowOf(directionOf(ours.sdp, offered));
  const answerFlow = remoteFlowOf(theirs.sdp, answered);
  if ((answerFlow.send && !offerFlow.recv) || (answerFlow.recv && !offerFlow.send)) {
    return {
      ok: false,
      error: `answer direction "${directionOf(theirs.sdp, answered)}" is not allowed for an offer of "${directionOf(ours.sdp, offered)}" (RFC 3264 §6.1)`,
    };
  }

  const security = answeredSrtp(offered, answered);
  if (!security.ok) return { ok: false, error: security.error };

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
  const offeredEventPt = telephoneEventPayloadType(offered, eventRate);
  const eventPt = telephoneEventPayloadType(answered, eventRate, mapOf);
  if (offeredEventPt !== undefined && eventPt !== undefined) {
    negotiated.telephoneEvent = { payloadType: eventPt, receivePayloadType: offeredEventPt, clockRate: eventRate };
  }
  if (security.srtp) negotiated.srtp = security.srtp;
  return { ok: true, negotiated, changes: compareNegotiated(current, negotiated), warnings: theirs.warnings };
}
