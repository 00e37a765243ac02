import type { Core } from 'sip.js';

interface ResponseReceiver {
  receiveResponse(message: Core.IncomingResponseMessage): void;
}

/**
 * sip.js drops a provisional response (101-199) to our INVITE that has no To tag or no
 * Contact: it cannot make an early dialog of it. Linphone sends its 180 Ringing without a
 * Contact, so dialling a Linphone gave no progress at all. Such a response still says the
 * far end rings: report its code, and let sip.js go on ignoring it for dialogs.
 */
export function reportDialoglessProgress(request: Core.OutgoingInviteRequest, report: (code: number) => void): void {
  const uac = request as unknown as ResponseReceiver; // sip.js's InviteUserAgentClient
  const original = uac.receiveResponse.bind(uac);
  uac.receiveResponse = (message) => {
    const code = message.statusCode ?? 0;
    if (code > 100 && code < 200 && (!message.toTag || !message.hasHeader('contact'))) report(code);
    original(message);
  };
}
