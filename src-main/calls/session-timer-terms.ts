/**
 * RFC 4028 session timers, the negotiation: what our INVITE asks for, what we answer to an
 * INVITE that asks, and what a 2xx decided. Pure functions over header values; the timing
 * itself is in session-timer.ts.
 *
 * Terms are from this desk's point of view: `weRefresh` says who sends the refreshes
 * (re-INVITE or UPDATE at half the interval); the other side ends the call with a BYE when
 * no refresh came before the session expired.
 */

export interface SessionTimerSettings {
  enabled: boolean;
  /** The interval we ask for in our INVITEs (Session-Expires), seconds. */
  expiresSec: number;
  /** The smallest interval we accept (Min-SE); smaller requests get 422. RFC 4028 says 90. */
  minSeSec: number;
}

export interface SessionTimerTerms {
  intervalSec: number;
  weRefresh: boolean;
  /** The far end listed UPDATE in its Allow header: refreshes may use it (RFC 4028 §7.4 prefers it). */
  peerAllowsUpdate: boolean;
}

/** The header values RFC 4028 looks at, as read from one message. */
export interface TimerHeaders {
  sessionExpires?: string | undefined;
  minSe?: string | undefined;
  supported?: string | undefined;
  require?: string | undefined;
  allow?: string | undefined;
}

export interface SessionExpires {
  deltaSec: number;
  refresher?: 'uac' | 'uas';
}

/** "1800;refresher=uac" (Session-Expires, or its compact form x). */
export function parseSessionExpires(value: string | undefined): SessionExpires | undefined {
  if (value === undefined) return undefined;
  const [delta, ...params] = value.split(';');
  if (!/^\s*\d{1,10}\s*$/.test(delta ?? '')) return undefined;
  const out: SessionExpires = { deltaSec: Number(delta) };
  for (const p of params) {
    const m = /^\s*refresher\s*=\s*(uac|uas)\s*$/i.exec(p);
    if (m) out.refresher = m[1]!.toLowerCase() as 'uac' | 'uas';
  }
  return out.deltaSec > 0 ? out : undefined;
}

/** "90" (Min-SE); parameters after ";" are ignored. */
export function parseMinSe(value: string | undefined): number | undefined {
  const m = /^\s*(\d{1,10})\s*(;|$)/.exec(value ?? '');
  return m ? Number(m[1]) : undefined;
}

function lists(value: string | undefined, token: string): boolean {
  return (value ?? '').split(',').some((t) => t.trim().toLowerCase() === token);
}

/** Headers of our initial INVITE (Supported: timer comes from the user agent itself). */
export function inviteTimerHeaders(s: SessionTimerSettings, expiresSec = s.expiresSec): string[] {
  if (!s.enabled) return [];
  return [`Session-Expires: ${expiresSec}`, `Min-SE: ${Math.min(s.minSeSec, expiresSec)}`];
}

export type UasDecision =
  /** 422 Session Interval Too Small, with our Min-SE. */
  | { reject: { minSeSec: number } }
  /** Answer with these headers; timers run with `terms` once the call is up (none: no timer). */
  | { headers: string[]; terms?: SessionTimerTerms };

/**
 * We answer an INVITE (RFC 4028 §9). Timers run only when the caller asked (Session-Expires
 * in its INVITE); we leave the refreshing to the caller when it did not say, since a PBX
 * refreshes more reliably than a desk that may lose its network.
 */
export function answerInvite(h: TimerHeaders, s: SessionTimerSettings): UasDecision {
  const asked = parseSessionExpires(h.sessionExpires);
  if (!s.enabled || !asked) return { headers: [] };
  if (asked.deltaSec < s.minSeSec) return { reject: { minSeSec: s.minSeSec } };
  const callerSupports = lists(h.supported, 'timer') || lists(h.require, 'timer');
  // Without timer support on the caller's side only we can refresh (§9, refresher=uas).
  const refresher = callerSupports ? (asked.refresher ?? 'uac') : 'uas';
  const headers = [`Session-Expires: ${asked.deltaSec};refresher=${refresher}`];
  if (callerSupports) headers.push('Require: timer');
  return { headers, terms: { intervalSec: asked.deltaSec, weRefresh: refresher === 'uas', peerAllowsUpdate: lists(h.allow, 'update') } };
}

/**
 * A 2xx to our INVITE (RFC 4028 §7.2): its Session-Expires decides; none means no session
 * expiration. A 2xx without a refresher parameter leaves it to us (the UAC).
 */
export function termsFromAnswer(h: TimerHeaders, s: SessionTimerSettings): SessionTimerTerms | undefined {
  const granted = parseSessionExpires(h.sessionExpires);
  if (!s.enabled || !granted) return undefined;
  return { intervalSec: granted.deltaSec, weRefresh: granted.refresher !== 'uas', peerAllowsUpdate: lists(h.allow, 'update') };
}

/** A 422 to our INVITE: the interval to ask for next (its Min-SE), or undefined when it gives none we can use. */
export function retryInterval(h: TimerHeaders, asked: number, s: SessionTimerSettings): number | undefined {
  const minSe = parseMinSe(h.minSe);
  if (minSe === undefined || minSe <= asked) return undefined;
  return Math.max(minSe, s.minSeSec);
}

/** The headers of a refresh we send (we stay the refresher: we are its UAC). */
export function refreshHeaders(terms: SessionTimerTerms, s: SessionTimerSettings): string[] {
  return [`Session-Expires: ${terms.intervalSec};refresher=uac`, `Min-SE: ${Math.min(s.minSeSec, terms.intervalSec)}`];
}

/**
 * A refresh (re-INVITE or UPDATE) from the far end: the terms from now on and the headers of
 * our 2xx (§9: the interval it asks for, the refresher it names, Require: timer when it
 * supports timers). A refresh without Session-Expires keeps the interval; its sender goes on
 * refreshing unless it names us (refresher=uas).
 */
export function answerRefresh(h: TimerHeaders, current: SessionTimerTerms, s: SessionTimerSettings): { headers: string[]; terms: SessionTimerTerms } {
  const asked = parseSessionExpires(h.sessionExpires);
  // A refresh below our Min-SE cannot be refused any more (the offer is being answered): use Min-SE.
  const intervalSec = asked ? Math.max(asked.deltaSec, s.minSeSec) : current.intervalSec;
  // The sender of the refresh is its UAC: refresher=uac means it keeps refreshing.
  const weRefresh = asked?.refresher === 'uas';
  const terms = { ...current, intervalSec, weRefresh };
  const headers = [`Session-Expires: ${intervalSec};refresher=${weRefresh ? 'uas' : 'uac'}`];
  // Require: timer only toward a UA that knows the extension (§9); one that does not refreshes unknowingly.
  if (lists(h.supported, 'timer') || lists(h.require, 'timer')) headers.push('Require: timer');
  return { headers, terms };
}

/** When the refresher refreshes: at half the interval (RFC 4028 §10). */
export function refreshDelayMs(terms: SessionTimerTerms): number {
  return (terms.intervalSec * 1000) / 2;
}

/** When the other side gives up on a missing refresh and sends BYE: interval − min(32 s, interval / 3) (§10). */
export function expiryDelayMs(terms: SessionTimerTerms): number {
  return terms.intervalSec * 1000 - Math.min(32_000, (terms.intervalSec * 1000) / 3);
}
