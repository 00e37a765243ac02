import type { BodyAndContentType, SessionDescriptionHandler, SessionDescriptionHandlerOptions } from 'sip.js';
import type { Logger } from '../../common/logger.js';
import type { MediaEndpoint } from '../media-engine.js';
import { answerOffer, applyAnswer, compareNegotiated, createOffer, OfferAnswerState, type LocalMediaConfig, type Negotiated, type NegotiationChanges, type OriginState } from '../sdp/negotiate.js';
import { headerToken } from '../../common/header-token.js';

/** Our options, passed through sip.js's sessionDescriptionHandlerOptions. */
export interface PlainRtpSdhOptions extends SessionDescriptionHandlerOptions {
  /** Put the call on hold: offer sendonly (or inactive when the far end holds us too). */
  hold?: boolean;
  /** Offer RTP/SAVP under an `optional` policy: the one retry after a 488 to RTP/AVP with a=crypto. */
  offerSavp?: boolean;
}

/**
 * A SessionDescriptionHandler for RTP/AVP audio, or SRTP keyed by SDES (no ICE, no DTLS): it
 * runs the RFC 3264 offer/answer for sip.js and hands each result to the call's media
 * endpoint. sip.js calls setDescription for both remote offers and remote answers (late
 * offer: the answer arrives in the ACK), so an OfferAnswerState tells them apart.
 */
export class PlainRtpSessionDescriptionHandler implements SessionDescriptionHandler {
  readonly #state = new OfferAnswerState();
  #origin: OriginState | undefined;
  #negotiated: Negotiated | undefined;
  #endpoint: MediaEndpoint | undefined;
  #opening: Promise<MediaEndpoint> | undefined;
  #closed = false;
  #failure: string | undefined;

  /**
   * `ownsEndpoint` false: the endpoint belongs to the call, which closes it when the call ends
   * (and may hand it to the SDH of a retried INVITE); true: close() closes it.
   */
  constructor(
    private readonly openEndpoint: () => Promise<MediaEndpoint>,
    private readonly log: Logger,
    private readonly ptimeMs = 20,
    private readonly ownsEndpoint = true,
  ) {}

  /** Why the last description could not be produced or applied (sip.js only says 480 or 488). */
  get failure(): string | undefined {
    return this.#failure;
  }

  /** The current negotiation result (codec, remote address, direction), if any. */
  get negotiated(): Negotiated | undefined {
    return this.#negotiated;
  }

  hasDescription(contentType: string): boolean {
    return headerToken(contentType) === 'application/sdp';
  }

  async getDescription(options?: PlainRtpSdhOptions): Promise<BodyAndContentType> {
    const endpoint = await this.#open().catch((error: unknown) => this.#fail(`no media for the call: ${messageOf(error)}`));
    const local = this.#local(endpoint, options);
    if (this.#state.nextLocalDescription() === 'offer') {
      const offer = createOffer(local, this.#origin, this.#negotiated);
      this.#origin = offer.origin;
      this.#state.localOffer(offer.sdp);
      return { body: offer.sdp, contentType: 'application/sdp' };
    }
    const outcome = answerOffer(this.#state.remoteOfferSdp ?? '', local, { ...(this.#origin ? { origin: this.#origin } : {}), ...(this.#negotiated ? { current: this.#negotiated } : {}) });
    if (!outcome.ok) {
      this.#state.rollback();
      // sip.js turns a failed answer into 480 (initial INVITE) or 488 (re-INVITE).
      this.#fail(`cannot answer the offer: ${outcome.error}`);
    }
    this.#origin = outcome.origin;
    this.#state.localAnswer(outcome.answer);
    this.#negotiated = outcome.negotiated;
    this.#apply(endpoint, outcome);
    return { body: outcome.answer, contentType: 'application/sdp' };
  }

  #apply(endpoint: MediaEndpoint, outcome: { negotiated: Negotiated; changes: NegotiationChanges }): void {
    try {
      endpoint.apply(outcome.negotiated, outcome.changes);
    } catch (error) {
      this.#fail(`the media could not take the negotiation: ${messageOf(error)}`);
    }
  }

  #fail(why: string): never {
    this.#failure = why;
    throw new Error(why);
  }

  async setDescription(sdp: string): Promise<void> {
    const kind = this.#state.remoteDescription(sdp);
    if (kind === 'offer') return; // answered in getDescription
    const offer = this.#state.localOfferSdp ?? '';
    const outcome = applyAnswer(offer, sdp, this.#negotiated);
    if (!outcome.ok) this.#fail(`unusable SDP answer: ${outcome.error}`);
    this.#negotiated = outcome.negotiated;
    this.#apply(await this.#open(), outcome);
  }

  /**
   * An answer to our offer in a provisional response (early media: the PBX's ringback or an
   * announcement): it plays at once, receive-only (nothing of ours goes out before the
   * answer), while the exchange stays open for the 2xx, whose answer (maybe another fork's)
   * completes it. A later early answer (another fork's) replaces this one.
   */
  async applyEarlyAnswer(sdp: string): Promise<void> {
    const offer = this.#state.localOfferSdp;
    if (this.#state.phase !== 'have-local-offer' || offer === undefined) return;
    const outcome = applyAnswer(offer, sdp, this.#negotiated);
    if (!outcome.ok) throw new Error(`unusable early SDP answer: ${outcome.error}`);
    const receiveOnly: Negotiated = { ...outcome.negotiated, direction: 'recvonly', remoteHold: false };
    const changes = compareNegotiated(this.#negotiated, receiveOnly);
    this.#negotiated = receiveOnly;
    this.#apply(await this.#open(), { negotiated: receiveOnly, changes });
  }

  rollbackDescription(): Promise<void> {
    this.#state.rollback();
    return Promise.resolve();
  }

  sendDtmf(tones: string, options?: { duration?: number }): boolean {
    if (!this.#endpoint || !this.#negotiated?.telephoneEvent) return false;
    return this.#endpoint.sendDtmf(tones, options?.duration);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.ownsEndpoint) return;
    this.#endpoint?.close();
    // An endpoint still being opened is closed as soon as it arrives.
    void this.#opening?.then((e) => e.close()).catch(() => {});
  }

  #open(): Promise<MediaEndpoint> {
    if (this.#endpoint) return Promise.resolve(this.#endpoint);
    this.#opening ??= this.openEndpoint().then((e) => {
      if (this.#closed) {
        if (this.ownsEndpoint) e.close();
        throw new Error('session closed');
      }
      this.#endpoint = e;
      return e;
    });
    return this.#opening;
  }

  #local(endpoint: MediaEndpoint, options: PlainRtpSdhOptions | undefined): LocalMediaConfig {
    return {
      address: endpoint.address,
      rtpPort: endpoint.rtpPort,
      codecs: endpoint.codecs,
      ptimeMs: this.ptimeMs,
      hold: options?.hold === true,
      remoteHold: this.#negotiated?.remoteHold ?? false,
      telephoneEvent: true,
      username: 'LineDesk',
      encryption: endpoint.encryption,
      offerSavp: options?.offerSavp === true,
    };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
