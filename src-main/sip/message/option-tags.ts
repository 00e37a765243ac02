import { headerValues, splitHeaderList, type SipRequest } from './sip-message.js';

/**
 * The SIP extensions (option tags) a line's user agent understands in a request's Require
 * header: sip.js answers reliable provisionals (100rel) by itself, and puts "outbound" in
 * every Supported. Add a tag here only when the lines really handle it.
 */
export const supportedOptionTags: readonly string[] = ['100rel', 'outbound'];

/**
 * The Require option tags of a request that are not in `supported` (RFC 3261 §8.2.2.3):
 * a request needing one of them gets 420 Bad Extension with those tags in Unsupported.
 * ACK and CANCEL are never refused for it.
 */
export function unsupportedRequirements(req: SipRequest, supported: readonly string[] = supportedOptionTags): string[] {
  if (req.method === 'ACK' || req.method === 'CANCEL') return [];
  const known = new Set(supported.map((t) => t.toLowerCase()));
  const missing = new Set<string>();
  for (const tag of headerValues(req, 'require').flatMap(splitHeaderList)) {
    const t = tag.trim().toLowerCase();
    if (t && !known.has(t)) missing.add(t);
  }
  return [...missing];
}
