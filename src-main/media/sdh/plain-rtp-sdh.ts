import type { BodyAndContentType, SessionDescriptionHandler, SessionDescriptionHandlerOptions } from 'sip.js';
import type { Logger } from '../../common/logger.js';
import type { MediaEndpoint } from '../media-engine.js';
import { answerOffer, applyAnswer, compareNegotiated, createOffer, OfferAnswerState, type LocalMediaConfig, type Negotiated, type OriginState } from '../sdp/negotiate.js';

/** Our options, passed through sip.js's sessionDescriptionHandlerOptions. */
export interface PlainRtpSdhOptions extends SessionDescriptionHandlerOptions {
  /** Put the call on hold: offer sendonly (or inactive when the far end holds us too). */
  hold?: boolean;
}

/**
 * A SessionDescriptionHandler for plain RTP/AVP audio (no ICE, no DTLS): it runs the
 * RFC 3264 offer/answer for sip.js and hands each result to the call's media endpoint.
 * sip.js calls setDescription for both remote offers and remote answers (late offer:
 * the answer arrives in the ACK), so an OfferAnswerState tells them apart.
 */
export class PlainRtpSessionDescriptionHandler implements SessionDescriptionHandler {
  readonly #state = new OfferAnswerState();
  #origin: OriginState | undefined;
  #negotiated: Negotiated | undefined;
  #endpoint: MediaEndpoint | undefined;
  #opening: Promise<MediaEndpoint> | undefined;
  #closed = false;

  constructor(
    private readonly openEndpoint: () => Promise<MediaEndpoint>,
    private readonly log: Logger,
    private readonly ptimeMs = 20,
  ) {}

  /** The current negotiation result (codec, remote address, direction), if any. */
  get negotiated(): Negotiated | undefined {
    return this.#negotiated;
  }

  hasDescription(contentType: string): boolean {
    return contentType.split(';')[0]!.trim().toLowerCase() === 'application/sdp';
  }

  async getDescription(options?: PlainRtpSdhOptions): Promise<BodyAndContentType> {
    const endpoint = await this.#open();
    const local = this.#local(endpoint, options);
    if (this.#state.nextLocalDescription() === 'offer') {
      const offer = createOffer(local, this.#origin);
      this.#origin = offer.origin;
      this.#state.localOffer(offer.sdp);
      return { body: offer.sdp, contentType: 'application/sdp' };
    }
    const outcome = answerOffer(this.#state.remoteOfferSdp ?? '', local, { ...(this.#origin ? { origin: this.#origin } : {}), ...(this.#negotiated ? { current: this.#negotiated } : {}) });
    if (!outcome.ok) {
      this.#state.rollback();
      // sip.js turns a failed answer into 488 Not Acceptable Here.
      throw new Error(`cannot answer the offer: ${outcome.error}`);
    }
    this.#origin = outcome.origin;
    this.#state.localAnswer(outcome.answer);
    this.#negotiated = outcome.negotiated;
    endpoint.apply(outcome.negotiated, outcome.changes);
    return { body: outcome.answer, contentType: 'application/sdp' };
  }

  async setDescription(sdp: string): Promise<void> {
    const kind = this.#state.remoteDescription(sdp);
    if (kind === 'offer') return; // answered in getDescription
    const offer = this.#state.localOfferSdp ?? '';
    const outcome = applyAnswer(offer, sdp, this.#negotiated);
    if (!outcome.ok) throw new Error(`unusable SDP answer: ${outcome.error}`);
    this.#negotiated = outcome.negotiated;
    (await this.#open()).apply(outcome.negotiated, outcome.changes);
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
    (await this.#open()).apply(receiveOnly, changes);
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
    this.#endpoint?.close();
    // An endpoint still being opened is closed as soon as it arrives.
    void this.#opening?.then((e) => e.close()).catch(() => {});
  }

  #open(): Promise<MediaEndpoint> {
    if (this.#endpoint) return Promise.resolve(this.#endpoint);
    this.#opening ??= this.openEndpoint().then((e) => {
      if (this.#closed) {
        e.close();
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
    };
  }
}
