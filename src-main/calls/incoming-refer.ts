import { Grammar, SessionState, type NameAddrHeader, type Referral, type Session } from 'sip.js';
import type { Logger } from '../common/logger.js';
import { printable, referTargetOf, type ReferTarget } from './refer-target.js';

/** How long the referrer may consider the implicit subscription alive between two NOTIFYs (RFC 6665 `expires`). */
const SUBSCRIPTION_SECONDS = 180;

/**
 * A REFER the far end sent in a call's dialog (RFC 3515), as the call layer handles it: what
 * it asks to call, and the three answers LineDesk can give. sip.js's Referral is behind it
 * (sipIncomingRefer); unit tests use fakes.
 */
export interface IncomingRefer {
  /** What LineDesk would call, or why it will not act on this Refer-To. */
  readonly target: ReferTarget;
  /** The Refer-To as received (printable, bounded): what events name when the target is unusable. */
  readonly referTo: string;
  /** Who asks (RFC 3892 Referred-By), when the REFER says. */
  readonly referredBy?: string;
  /** 202 Accepted, then at once the first NOTIFY of the implicit subscription (`100 Trying`). */
  accept(): void;
  /** Refuses the REFER: 603 Decline, 491 Request Pending. */
  reject(code: number): void;
  /**
   * Reports the referred call's progress (RFC 3515 §2.4.4): a NOTIFY whose message/sipfrag
   * body is the status line. A final code (200 and up) is the last NOTIFY: it ends the
   * subscription. Nothing is sent before accept(), after the last one, once the referrer
   * refused a NOTIFY, or once the call is over.
   */
  notify(code: number, reason: string): void;
}

/**
 * The sip.js side of IncomingRefer. It answers through the Referral API (202, or a
 * refusal), but sends the NOTIFYs itself over the call's dialog: sip.js's own notifier
 * (Referral.makeInviter) marks every NOTIFY, `100 Trying` included, `Subscription-State:
 * terminated`, which ends the subscription at the first one, and it calls the raw Refer-To
 * (parameters and all) rather than the target the agent was shown.
 */
export function sipIncomingRefer(referral: Referral, session: Session, log: Logger): IncomingRefer {
  const request = referral.request;
  const target: ReferTarget = request.getHeaders('refer-to').length > 1 ? { ok: false, problem: 'the REFER has more than one Refer-To' } : referTargetOf(referToOf(referral));
  const referredBy = uriText(request.getHeader('referred-by'));
  const cseq = request.cseq;
  let subscribed = false;
  let over = false;

  const send = (code: number, reason: string): void => {
    if (!subscribed || over) return;
    const final = code >= 200;
    if (final) over = true;
    const dialog = session.dialog;
    if (!dialog || session.state !== SessionState.Established) {
      over = true;
      return;
    }
    const state = final ? 'terminated;reason=noresource' : `active;expires=${SUBSCRIPTION_SECONDS}`;
    try {
      dialog.notify(
        { onReject: () => (over = true) },
        {
          // The id names the REFER the NOTIFY is about (RFC 3515 §2.4.6): there may be several in one dialog.
          extraHeaders: [`Event: refer;id=${cseq}`, `Subscription-State: ${state}`],
          body: { contentDisposition: 'render', contentType: 'message/sipfrag;version=2.0', content: `SIP/2.0 ${code} ${printable(reason, 64)}\r\n` },
        },
      );
    } catch (error) {
      over = true;
      log.warn('could not send a NOTIFY about a REFER', { call: request.callId, error });
    }
  };

  return {
    target,
    referTo: printable(request.getHeader('refer-to') ?? '', 256),
    ...(referredBy !== undefined ? { referredBy } : {}),
    accept: () => {
      answer(() => referral.accept({ statusCode: 202 }), log, request.callId, 202);
      subscribed = true;
      send(100, 'Trying');
    },
    reject: (code) => answer(() => referral.reject({ statusCode: code }), log, request.callId, code),
    notify: send,
  };
}

function referToOf(referral: Referral): NameAddrHeader | undefined {
  try {
    return referral.referTo;
  } catch {
    return undefined;
  }
}

/** The URI of a Referred-By (name-addr or addr-spec); undefined when there is none, or it does not parse or print cleanly. */
function uriText(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const parsed = Grammar.parse(value, 'Refer_To') as NameAddrHeader | -1;
  if (parsed === -1) return undefined;
  // It is shown to the agent and passed on in the referred INVITE: whole and clean, or not at all.
  const text = parsed.uri.toString();
  return text.length <= 256 && printable(text, 256) === text ? text : undefined;
}

/** sip.js throws when the transaction can no longer be answered (it timed out, say): log it, never crash a call. */
function answer(send: () => Promise<void>, log: Logger, callId: string, code: number): void {
  try {
    send().catch((error: unknown) => log.warn(`could not answer a REFER with ${code}`, { call: callId, error }));
  } catch (error) {
    log.warn(`could not answer a REFER with ${code}`, { call: callId, error });
  }
}
