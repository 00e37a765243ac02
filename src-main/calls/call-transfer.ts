import { UserAgent, type SessionReferOptions } from 'sip.js';
import type { ControlEvent } from '../contract/control-events.js';
import type { Call } from './call.js';
import { toUri } from './sip-target.js';

type TransferEvent = Extract<ControlEvent, { event: 'call.transfer' }>;

/**
 * Transfers `call` by REFER (RFC 3515): blind to a target the agent typed, or attended to
 * the consultation call `target` (Refer-To with Replaces). Resolves when the far end
 * accepted the REFER; the NOTIFYs that follow report the outcome, and a transfer that
 * completed hangs up our legs. `call.transfer` events tell each step.
 */
export function transfer(call: Call, target: string | Call, domain: string, emit: (e: ControlEvent) => void): Promise<void> {
  const session = call.leg.session;
  if (!session) return Promise.reject(new Error('the call has no SIP session'));
  const line = call.line ?? '';
  const mode: TransferEvent['mode'] = typeof target === 'string' ? 'blind' : 'attended';
  // Named the same way for both kinds: the SIP URI the call goes to.
  const targetText = typeof target === 'string' ? toUri(target, domain) : target.to.uri;
  const referTo = typeof target === 'string' ? UserAgent.makeURI(targetText) : target.leg.session;
  if (!referTo) return Promise.reject(new Error(`cannot transfer to "${targetText}": not a valid SIP URI`));
  const report = (state: TransferEvent['state'], detail?: string): void =>
    emit({ event: 'call.transfer', call: call.id, line, target: targetText, mode, state, ...(detail !== undefined ? { detail } : {}) });
  report('started');
  return new Promise<void>((resolve, reject) => {
    let done = false;
    const options: SessionReferOptions = {
      requestDelegate: {
        onAccept: () => {
          report('accepted');
          resolve();
        },
        onReject: (r) => {
          report('failed', `${r.message.statusCode} ${r.message.reasonPhrase}`);
          reject(new Error(`transfer refused: ${r.message.statusCode} ${r.message.reasonPhrase}`));
        },
      },
      // RFC 3515: the far end reports the transfer's progress in NOTIFYs carrying a sipfrag.
      onNotify: (n) => {
        n.accept().catch(() => {});
        const frag = /^SIP\/2\.0 (\d{3})/.exec(n.request.body ?? '');
        const code = frag ? Number(frag[1]) : 0;
        if (code < 200 || done) return;
        done = true;
        const ok = code < 300;
        report(ok ? 'completed' : 'failed', `${code}`);
        if (ok) {
          // The transfer is done: our legs are no longer needed.
          call.hangup('transferred');
          if (typeof target !== 'string') target.hangup('transferred');
        }
      },
    };
    session.refer(referTo, options).catch(reject);
  });
}
