import type { Session } from 'sip.js';

/**
 * Puts a call on hold (re-INVITE offering a=sendonly) or takes it off (a=sendrecv);
 * resolves when the far end accepted. The hold flag rides in the SDH options, and sip.js
 * keeps them for re-INVITEs the far end sends later, so the call stays held both ways.
 */
export function reinviteHold(session: Session, on: boolean): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    session
      .invite({
        sessionDescriptionHandlerOptions: { hold: on } as object,
        requestDelegate: {
          onAccept: () => resolve(),
          onReject: (r) => reject(new Error(`the far end refused the ${on ? 'hold' : 'resume'}: ${r.message.statusCode} ${r.message.reasonPhrase}`)),
        },
      })
      .catch(reject);
  });
}
