import type { Core, Inviter } from 'sip.js';
import type { Logger } from '../common/logger.js';

/** What the session's SDH offers for early media (our plain-RTP SDH does). */
interface EarlyAnswerHandler {
  applyEarlyAnswer(sdp: string): Promise<void>;
}

/**
 * Early media of one outbound INVITE (RFC 3261 §13.2.1, RFC 3960's gateway model): an SDP
 * answer in a 1xx (183 Session Progress with the PBX's ringback or an announcement) plays
 * at once on the call's media. Each early dialog's first SDP counts (later ones in the same
 * dialog are ignored, as the RFC says); when a forked INVITE brings a second early dialog
 * with SDP, the newest one plays, since it is what the caller would hear now. The 2xx's
 * answer, from whichever fork answered, then takes over.
 */
export class EarlyMedia {
  readonly #dialogs = new Set<string>();

  constructor(
    private readonly inviter: Inviter,
    private readonly log: Logger,
  ) {}

  progress(message: Core.IncomingResponseMessage): void {
    const body = typeof message.body === 'string' ? message.body : '';
    if (body.trim() === '' || !/^\s*application\/sdp/i.test(message.getHeader('content-type') ?? '')) return;
    const dialog = message.toTag ?? '';
    if (this.#dialogs.has(dialog)) return;
    this.#dialogs.add(dialog);
    const sdh = this.inviter.sessionDescriptionHandler as Partial<EarlyAnswerHandler> | undefined;
    if (typeof sdh?.applyEarlyAnswer !== 'function') return;
    sdh.applyEarlyAnswer(body).then(
      () => this.log.info(`early media from a ${message.statusCode ?? 0} (dialog ${dialog || 'without tag'})`, { call: message.callId }),
      (error: unknown) => this.log.warn('early media not played', { call: message.callId, error }),
    );
  }
}
