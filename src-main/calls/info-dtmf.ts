import type { Session } from 'sip.js';
import type { Clock } from '../common/clock.js';
import { formatDtmfRelay } from '../media/dtmf/dtmf-relay.js';

/**
 * Sends DTMF by SIP INFO (application/dtmf-relay), one request per digit. Digits are
 * paced like tones: the next INFO leaves only after the previous one was answered and
 * its duration has passed, since receivers treat overlapping digits as one.
 */
export async function sendInfoDtmf(session: Session, digits: string, clock: Clock, durationMs = 100, gapMs = 50): Promise<void> {
  for (const d of digits) {
    await new Promise<void>((resolve, reject) => {
      session
        .info({
          requestOptions: { body: { contentDisposition: 'render', contentType: 'application/dtmf-relay', content: formatDtmfRelay(d, durationMs) } },
          requestDelegate: {
            onAccept: () => resolve(),
            onReject: (r) => reject(new Error(`the far end refused DTMF ${d} by INFO: ${r.message.statusCode} ${r.message.reasonPhrase}`)),
          },
        })
        .catch(reject);
    });
    await new Promise<void>((r) => clock.setTimeout(r, durationMs + gapMs));
  }
}
