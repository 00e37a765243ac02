import type { Referral, Session, SessionDelegate } from 'sip.js';
import type { Logger } from '../common/logger.js';
import { parseDtmfInfo } from '../media/dtmf/dtmf-relay.js';

/**
 * How every call answers the far end's in-dialog requests: a BYE is accepted (`onBye`
 * first records why the call ends; the session then terminates by itself); an INFO
 * carrying a DTMF digit is accepted and reported, any other INFO refused with 415
 * rather than pretending it was handled. A REFER goes to `onRefer`, always: a session
 * without an onRefer delegate makes sip.js accept the REFER and call its target by itself.
 */
export function inDialogRequests(
  onBye: () => void,
  onDtmf: (digit: string, durationMs: number | undefined) => void,
  onRefer: (referral: Referral) => void,
): Pick<SessionDelegate, 'onBye' | 'onInfo' | 'onRefer'> {
  return {
    onRefer,
    onBye: (bye) => {
      onBye();
      bye.accept().catch(() => {});
    },
    onInfo: (info) => {
      const digit = parseDtmfInfo(info.request.getHeader('content-type') ?? '', info.request.body ?? '');
      if (!digit) {
        info.reject({ statusCode: 415 }).catch(() => {});
        return;
      }
      info.accept().catch(() => {});
      onDtmf(digit.symbol, digit.durationMs);
    },
  };
}

/** Hangs up an established call: a BYE with a Reason header (RFC 3326) carrying `detail`. */
export function byeWithReason(session: Session, detail: string, log: Logger, fields: Record<string, unknown> = {}): void {
  const text = detail.replace(/["\\\r\n]/g, "'");
  session.bye({ requestOptions: { extraHeaders: [`Reason: SIP;cause=200;text="${text}"`] } }).catch((error: unknown) => log.warn('BYE failed', { ...fields, error }));
}
