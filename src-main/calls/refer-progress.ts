import type { IncomingRefer } from './incoming-refer.js';
import type { Leg } from './leg.js';

/** Phrases for a referred call that ended without a final response of its own. */
const PHRASES: Record<number, string> = { 408: 'Request Timeout', 487: 'Request Terminated', 503: 'Service Unavailable' };

/**
 * Tells the referrer how the call it asked for goes (RFC 3515 §2.4.4): a NOTIFY for each
 * response to the referred INVITE (the `100 Trying` was sent with the 202), the final one
 * last; a call that ends without a final response (no answer from the network, a local
 * failure) reports 408 or 503. Attach it before the INVITE leaves.
 */
export function reportReferProgress(refer: IncomingRefer, leg: Pick<Leg, 'events'>): void {
  let final = false;
  leg.events.on('response', (code, reason) => {
    if (final || code <= 100) return;
    if (code >= 200) final = true;
    refer.notify(code, reason || (PHRASES[code] ?? ''));
  });
  leg.events.on('ended', (end) => {
    if (final) return;
    final = true;
    const code = end.code === 408 || end.code === 487 ? end.code : 503;
    refer.notify(code, PHRASES[code] ?? '');
  });
}
