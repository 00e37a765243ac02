import { createHash } from 'node:crypto';
import { callIdOf, canonicalHeaderName, header, tagOf, type SipHeader, type SipRequest, type SipResponse } from './sip-message.js';
import { topVia } from './via.js';

export const reasonPhrases: Record<number, string> = {
  100: 'Trying',
  180: 'Ringing',
  182: 'Queued',
  200: 'OK',
  302: 'Moved Temporarily',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  420: 'Bad Extension',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  500: 'Server Internal Error',
  503: 'Service Unavailable',
  505: 'Version Not Supported',
  513: 'Message Too Large',
  600: 'Busy Everywhere',
  603: 'Decline',
};

/**
 * Builds a response to a request without any transaction state (RFC 3261 §8.2.6):
 * Via, From, To (with a tag added for non-100), Call-ID and CSeq are copied from the
 * request as far as it has them. The added To tag is derived from the request, so a
 * retransmission is answered with the same tag (§8.2.7).
 */
export function statelessResponse(
  req: SipRequest,
  status: number,
  options: { reason?: string; extraHeaders?: SipHeader[]; toTag?: string } = {},
): SipResponse {
  const copied: SipHeader[] = [];
  for (const h of req.headers) {
    const name = canonicalHeaderName(h.name);
    if (name === 'via' || name === 'from' || name === 'call-id' || name === 'cseq') copied.push(h);
    else if (name === 'to') {
      const needsTag = status > 100 && tagOf(h.value) === undefined;
      copied.push(needsTag ? { name: h.name, value: `${h.value};tag=${options.toTag ?? statelessTag(req)}` } : h);
    }
  }
  return {
    kind: 'response',
    status,
    reason: options.reason ?? reasonPhrases[status] ?? 'Unknown',
    headers: [...copied, { name: 'Server', value: 'LineDesk' }, ...(options.extraHeaders ?? [])],
    body: Buffer.alloc(0),
  };
}

/** The same tag for every copy of a request: a hash of what identifies its transaction. */
function statelessTag(req: SipRequest): string {
  const id = [callIdOf(req) ?? '', tagOf(header(req, 'from')) ?? '', topVia(req)?.branch ?? '', header(req, 'cseq') ?? ''].join('\n');
  return createHash('sha256').update(id).digest('hex').slice(0, 12);
}
