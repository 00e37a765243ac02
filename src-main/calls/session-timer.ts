import { Core, SessionState, type Session } from 'sip.js';
import type { Clock, TimerHandle } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import { answerRefresh, expiryDelayMs, refreshDelayMs, refreshHeaders, type SessionTimerSettings, type SessionTimerTerms, type TimerHeaders } from './session-timer-terms.js';

/** A SIP message as the timer reads it (sip.js's incoming messages, or a test's). */
export interface HeaderSource {
  getHeaders(name: string): string[];
}

/** The RFC 4028 header values of one message (compact Session-Expires "x" too; repeated headers joined). */
export function readTimerHeaders(m: HeaderSource): TimerHeaders {
  const all = (...names: string[]): string | undefined => {
    const values = names.flatMap((n) => m.getHeaders(n));
    return values.length > 0 ? values.join(', ') : undefined;
  };
  return { sessionExpires: m.getHeaders('session-expires')[0] ?? m.getHeaders('x')[0], minSe: all('min-se'), supported: all('supported', 'k'), require: all('require'), allow: all('allow') };
}

/** After a refresh that failed for a passing reason (491 glare, another re-INVITE going on), retry this soon. */
const RETRY_MS = 2_000;

interface ReInviteRequest {
  message: HeaderSource;
  accept(options?: { statusCode?: number; extraHeaders?: string[]; body?: unknown }): unknown;
}

/**
 * One call's session timer (RFC 4028), once the call is up: as the refresher it sends a
 * refresh (UPDATE when the far end allows it, else a re-INVITE offering the same media) at
 * half the interval; otherwise it expects one and calls `onExpired` (the call then hangs up
 * with a BYE) when none came in time. Every refresh, either way, restarts the interval.
 * It answers the far end's refreshes with Session-Expires and Require: timer, in the 2xx of
 * a re-INVITE (hooked into sip.js's handling of it) or of an UPDATE (`answerUpdate`).
 */
export class SessionTimer {
  #terms: SessionTimerTerms;
  #timer: TimerHandle | undefined;
  #disposed = false;
  #restoreInviteHook: (() => void) | undefined;

  constructor(
    private readonly session: Session,
    terms: SessionTimerTerms,
    private readonly deps: { clock: Clock; log: Logger; settings: SessionTimerSettings; onExpired: () => void },
  ) {
    this.#terms = terms;
    this.#hookReInvites();
    this.#schedule();
  }

  get terms(): SessionTimerTerms {
    return this.#terms;
  }

  /** An UPDATE from the far end on this call (no SDP: a refresh): the answer to send. */
  answerUpdate(h: TimerHeaders): { statusCode: number; extraHeaders: string[] } {
    const { headers, terms } = answerRefresh(h, this.#terms, this.deps.settings);
    this.#refreshed(terms, 'UPDATE from the far end');
    return { statusCode: 200, extraHeaders: headers };
  }

  dispose(): void {
    this.#disposed = true;
    this.#timer?.cancel();
    this.#restoreInviteHook?.();
  }

  #schedule(): void {
    this.#timer?.cancel();
    if (this.#disposed) return;
    this.#timer = this.#terms.weRefresh
      ? this.deps.clock.setTimeout(() => this.#refresh(), refreshDelayMs(this.#terms))
      : this.deps.clock.setTimeout(() => this.#expire(), expiryDelayMs(this.#terms));
  }

  #refreshed(terms: SessionTimerTerms, how: string): void {
    if (this.#disposed) return;
    this.#terms = terms;
    this.deps.log.debug(`session refreshed (${how}): ${terms.intervalSec} s, ${terms.weRefresh ? 'we refresh' : 'the far end refreshes'}`);
    this.#schedule();
  }

  #expire(): void {
    if (this.#disposed) return;
    this.deps.log.warn(`no session refresh within ${this.#terms.intervalSec} s (RFC 4028): hanging up`);
    this.deps.onExpired();
  }

  #refresh(): void {
    if (this.#disposed || this.session.state !== SessionState.Established) return;
    const headers = refreshHeaders(this.#terms, this.deps.settings);
    const failed = (code: number, why: string): void => {
      if (this.#disposed) return;
      if (code === 491 || code === 0) {
        // Glare or another re-INVITE under way: try again shortly, within the interval.
        this.#timer = this.deps.clock.setTimeout(() => this.#refresh(), RETRY_MS);
        return;
      }
      this.deps.log.warn(`session refresh refused (${why}): hanging up`);
      this.deps.onExpired();
    };
    const granted = (m: HeaderSource): void => {
      const h = readTimerHeaders(m);
      // The 2xx names the interval and the refresher from here on; without Session-Expires the timer stops (§7.2).
      if (h.sessionExpires === undefined) {
        this.deps.log.info('the refresh was answered without Session-Expires: no more session timer');
        this.dispose();
        return;
      }
      // Without a refresher parameter we (the refresh's UAC) go on refreshing.
      const value = /refresher\s*=/i.test(h.sessionExpires) ? h.sessionExpires : `${h.sessionExpires};refresher=uac`;
      const { terms } = answerRefresh({ ...h, sessionExpires: swapRefresher(value) }, this.#terms, this.deps.settings);
      this.#refreshed(terms, 'our refresh');
    };
    if (this.#terms.peerAllowsUpdate && this.session.dialog) {
      this.#sendUpdate(this.session.dialog as unknown as Core.Dialog, headers, granted, failed); // sip.js's SessionDialog is a Dialog
      return;
    }
    try {
      this.session
        .invite({
          requestOptions: { extraHeaders: headers },
          requestDelegate: {
            onAccept: (r) => granted(r.message),
            onReject: (r) => failed(r.message.statusCode ?? 0, `${r.message.statusCode} ${r.message.reasonPhrase}`),
          },
        })
        .catch((error: unknown) => failed(0, error instanceof Error ? error.message : String(error)));
    } catch (error) {
      failed(0, error instanceof Error ? error.message : String(error));
    }
  }

  /** An UPDATE without SDP (RFC 3311 + RFC 4028 §7.4): sip.js has no API for it, so through its core. */
  #sendUpdate(dialog: Core.Dialog, headers: string[], granted: (m: HeaderSource) => void, failed: (code: number, why: string) => void): void {
    try {
      const message = dialog.createOutgoingRequestMessage('UPDATE', { extraHeaders: [`Contact: ${this.session.userAgent.contact.toString()}`, ...headers] });
      new Core.UserAgentClient(Core.NonInviteClientTransaction, dialog.userAgentCore, message, {
        onAccept: (r) => granted(r.message),
        onReject: (r) => failed(r.message.statusCode ?? 0, `UPDATE: ${r.message.statusCode} ${r.message.reasonPhrase}`),
      });
    } catch (error) {
      failed(0, error instanceof Error ? error.message : String(error));
    }
  }

  /** The far end's re-INVITEs refresh the session; their 2xx carries our timer headers. */
  #hookReInvites(): void {
    const s = this.session as unknown as { onInviteRequest: (request: ReInviteRequest) => void };
    const original = s.onInviteRequest;
    s.onInviteRequest = (request: ReInviteRequest) => {
      if (!this.#disposed) {
        const { headers, terms } = answerRefresh(readTimerHeaders(request.message), this.#terms, this.deps.settings);
        const accept = request.accept.bind(request);
        request.accept = (options = {}) => {
          this.#refreshed(terms, 're-INVITE from the far end');
          return accept({ ...options, extraHeaders: [...(options.extraHeaders ?? []), ...headers] });
        };
      }
      original.call(this.session, request);
    };
    this.#restoreInviteHook = () => {
      s.onInviteRequest = original;
    };
  }
}

/**
 * A 2xx to OUR refresh says refresher=uac when we (its UAC) go on refreshing; answerRefresh
 * reads headers from the point of view of the refresh's receiver, so swap the two.
 */
function swapRefresher(value: string): string {
  return value.replace(/refresher\s*=\s*(uac|uas)/i, (_m, r: string) => `refresher=${r.toLowerCase() === 'uac' ? 'uas' : 'uac'}`);
}
