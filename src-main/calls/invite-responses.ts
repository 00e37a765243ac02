import type { Core } from 'sip.js';

interface ResponseReceiver {
  receiveResponse(message: Core.IncomingResponseMessage): void;
}

export interface InviteResponseWatcher {
  /**
   * A provisional response (101-199) without a To tag or a Contact: sip.js drops it, since
   * it cannot make an early dialog of it, but it still says the far end rings. Linphone
   * sends its 180 Ringing without a Contact: without this, dialling a Linphone gave no progress.
   */
  dialoglessProgress(code: number): void;
  /** The first 2xx, before sip.js acts on it (its session-timer and Allow headers). */
  firstAnswer(message: Core.IncomingResponseMessage): void;
}

/** Sees every response to our INVITE before sip.js does (sip.js goes on handling each as it would). */
export function watchInviteResponses(request: Core.OutgoingInviteRequest, watcher: InviteResponseWatcher): void {
  const uac = request as unknown as ResponseReceiver; // sip.js's InviteUserAgentClient
  const original = uac.receiveResponse.bind(uac);
  let answered = false;
  uac.receiveResponse = (message) => {
    const code = message.statusCode ?? 0;
    if (code > 100 && code < 200 && (!message.toTag || !message.hasHeader('contact'))) watcher.dialoglessProgress(code);
    if (code >= 200 && code < 300 && !answered) {
      answered = true;
      watcher.firstAnswer(message);
    }
    original(message);
  };
}
