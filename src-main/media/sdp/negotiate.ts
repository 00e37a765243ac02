/**
 * SDP offer/answer for one RTP/AVP (or SDES-keyed SRTP) audio stream (RFC 3264), as the SessionDescriptionHandler
 * needs it: build our offer, answer a remote offer, apply the answer to our offer, and keep
 * track of which of the two a remote description is (late offer, RFC 3261 §13.2.1).
 *
 * This file is the module's surface; the work is in negotiate-offer.ts (offering, applying
 * the answer), negotiate-answer.ts (answering), codec-match.ts (which codec both sides agree
 * on), media-flow.ts (directions, remote address), local-description.ts (our SDP),
 * local-media-config.ts, negotiation-changes.ts and offer-answer-state.ts.
 */
export { answerOffer, offerProblem, type OfferRefusal } from './negotiate-answer.js';
export type { NegotiatedSrtp, RtpProfile } from './sdes-negotiation.js';
export { applyAnswer, createOffer } from './negotiate-offer.js';
export { checkLocalMediaConfig, type LocalMediaConfig } from './local-media-config.js';
export { compareNegotiated } from './negotiation-changes.js';
export { OfferAnswerState, type DescriptionKind, type OfferAnswerPhase } from './offer-answer-state.js';
export type {
  AnswerContext,
  AnswerOutcome,
  ApplyAnswerOutcome,
  LocalDescription,
  Negotiated,
  NegotiatedCodec,
  NegotiationChanges,
  OfferProblem,
  OriginState,
  SdpWarningCode,
} from './negotiation-types.js';
