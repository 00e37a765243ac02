import type { Logger } from '../../common/logger.js';
import { sameKey, type NegotiatedSrtp } from '../sdp/sdes-negotiation.js';
import type { SdesCrypto } from './sdes.js';
import { SrtpSession } from './srtp-session.js';
import type { SrtpSuiteName } from './srtp-suites.js';

/**
 * The SRTP state of one call's media across offer/answer rounds: a new SrtpSession when our
 * key changes, the same one while it stays (hold, resume, a new codec), the far end's key
 * replaced in place when only it changes, and plain RTP when a renegotiation drops SRTP.
 * A key of ours is never put into a second SrtpSession: that would restart its rollover
 * counter and reuse keystream (RFC 3711 §9.1).
 */
export class CallSrtp {
  #session: SrtpSession | undefined;
  #keys: NegotiatedSrtp | undefined;
  readonly #usedLocalKeys = new Set<string>();

  constructor(
    private readonly rtp: { setSrtp(session: SrtpSession | undefined): void },
    private readonly log: Logger,
  ) {}

  /** The suite in use; undefined while the media is plain RTP. */
  get suite(): SrtpSuiteName | undefined {
    return this.#keys?.suite;
  }

  get session(): SrtpSession | undefined {
    return this.#session;
  }

  /** After each offer/answer, before media flows. Throws rather than reuse a key of ours. */
  update(next: NegotiatedSrtp | undefined): void {
    const current = this.#keys;
    if (!next) {
      if (current) this.log.info('SRTP off: plain RTP from now on');
      this.rtp.setSrtp(undefined);
      this.#session = undefined;
      this.#keys = undefined;
      return;
    }
    if (current && this.#session && sameKey(current.local, next.local)) {
      if (!sameKey(current.remote, next.remote)) {
        this.#session.replaceRemoteKey(next.remote.master, next.remote.lifetime);
        this.log.info('SRTP: the far end changed its key; ours stays');
      }
      this.#keys = next;
      return;
    }
    const id = srtpKeyId(next.local);
    if (this.#usedLocalKeys.has(id)) throw new Error('refusing to put an SRTP key of ours into a second SRTP context (RFC 3711 §9.1)');
    this.#usedLocalKeys.add(id);
    this.#session = new SrtpSession({
      suite: next.suite,
      local: next.local.master,
      remote: next.remote.master,
      ...(next.remote.lifetime !== undefined ? { remoteLifetime: next.remote.lifetime } : {}),
    });
    this.#keys = next;
    this.rtp.setSrtp(this.#session);
    this.log.info(`SRTP on: ${next.suite} (${next.profile}${next.profile === 'RTP/AVP' ? ' with a=crypto' : ''})`);
  }
}

/** One key of ours, as the ledger of keys already given a context knows it. */
export function srtpKeyId(c: SdesCrypto): string {
  return `${c.suite}:${c.master.key.toString('base64')}:${c.master.salt.toString('base64')}`;
}
