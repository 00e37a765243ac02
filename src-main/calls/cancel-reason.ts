import type { EndReason } from '../contract/vocabulary.js';

/** Q.850 causes (ITU-T) PBXs put in a CANCEL's Reason header. */
const Q850_ANSWERED_ELSEWHERE = new Set([26]); // non-selected user clearing
const Q850_NO_ANSWER = new Set([18, 19]); // no user responding; user alerting, no answer
const SIP_NO_ANSWER = new Set([408, 480]);

/**
 * Why the PBX CANCELled our ringing fork, from its Reason headers (RFC 3326; there may be
 * several, Asterisk sends a SIP one and a Q.850 one):
 *  - answered-elsewhere: SIP cause 200 or Q.850 cause 26 (another device answered first);
 *  - ring-timeout: SIP 408/480 or Q.850 18/19 (the PBX gave up ringing us: a hunt group
 *    or queue moving on, Asterisk's Dial timeout);
 *  - caller-cancelled: any other cause (SIP 487, Q.850 16 normal clearing: the caller hung up).
 * Without a Reason the CANCEL says nothing; then `distributed` decides: a call the PBX
 * distributed to us (dialled to a group, queue or number none of this line's AOR) was most
 * likely moved on by its ring timeout, since Kamailio's t_set_fr and many PBXs CANCEL a
 * timed-out fork without a Reason; a call dialled to our own extension was hung up by its caller.
 */
export function cancelEndReason(reasonHeaders: readonly string[], distributed: boolean): Extract<EndReason, 'answered-elsewhere' | 'ring-timeout' | 'caller-cancelled'> {
  const causes = reasonHeaders.flatMap((h) => h.split(',')).map(parseReason).filter((c) => c !== undefined);
  // Key on the cause, not on the text: Kamailio omits the text for forks that had not rung yet.
  if (causes.some((c) => (c.protocol === 'sip' && c.cause === 200) || (c.protocol === 'q.850' && Q850_ANSWERED_ELSEWHERE.has(c.cause)))) return 'answered-elsewhere';
  if (causes.some((c) => (c.protocol === 'sip' && SIP_NO_ANSWER.has(c.cause)) || (c.protocol === 'q.850' && Q850_NO_ANSWER.has(c.cause)))) return 'ring-timeout';
  if (causes.length > 0) return 'caller-cancelled';
  return distributed ? 'ring-timeout' : 'caller-cancelled';
}

function parseReason(value: string): { protocol: string; cause: number } | undefined {
  const m = /^\s*([A-Za-z0-9.-]+)\s*;(?:.*;)?\s*cause\s*=\s*(\d{1,4})\b/i.exec(value);
  if (!m) return undefined;
  return { protocol: m[1]!.toLowerCase(), cause: Number(m[2]) };
}
