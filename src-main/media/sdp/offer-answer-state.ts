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
