import { Core, type UserAgent } from 'sip.js';

/** An UPDATE (RFC 3311) within one of the line's dialogs, waiting for its answer. */
export interface InDialogUpdate {
  readonly callId: string;
  readonly message: Core.IncomingRequestMessage;
  /** It carries a body (an SDP offer), not just a refresh. */
  readonly hasBody: boolean;
  /** Answers it (once); the line adds its Contact, as in any answer to a target refresh. */
  reply(statusCode: number, extraHeaders?: string[]): void;
  readonly replied: boolean;
}

interface CoreInternals {
  receiveRequest(message: Core.IncomingRequestMessage): void;
  readonly dialogs: Map<string, Core.Dialog & { sequenceGuard(message: Core.IncomingRequestMessage): boolean }>;
}

/**
 * sip.js answers every UPDATE with 405, before it even looks for the dialog; a PBX may still
 * refresh a session by UPDATE (RFC 4028 §7.4). This hands the line's in-dialog UPDATEs to
 * `onUpdate` (the session timer answers refreshes). One of an unknown dialog gets 481; one
 * nobody answered gets 200 when it only refreshes (no body) and 488 when it offers new
 * media, which LineDesk changes only by re-INVITE (it does not list UPDATE in Allow).
 */
export function routeUpdates(ua: UserAgent, onUpdate: (update: InDialogUpdate) => void): void {
  const core = ua.userAgentCore;
  const internals = core as unknown as CoreInternals;
  const original = internals.receiveRequest.bind(core);
  internals.receiveRequest = (message) => {
    if (message.method !== 'UPDATE') {
      original(message);
      return;
    }
    const dialog = message.toTag ? internals.dialogs.get(message.callId + message.toTag + message.fromTag) : undefined;
    if (!dialog) {
      core.replyStateless(message, { statusCode: 481 });
      return;
    }
    if (!dialog.sequenceGuard(message)) return; // answered 500 (out of order)
    // The base Dialog's part of receiving a request: the remote CSeq moves on.
    Core.Dialog.prototype.receiveRequest.call(dialog, message);
    const hasBody = (message.body ?? '').trim() !== '';
    let replied = false;
    const update: InDialogUpdate = {
      callId: message.callId,
      message,
      hasBody,
      get replied() {
        return replied;
      },
      reply: (statusCode, extraHeaders = []) => {
        if (replied) return;
        replied = true;
        core.replyStateless(message, { statusCode, extraHeaders: [`Contact: ${ua.contact.toString()}`, ...extraHeaders] });
      },
    };
    onUpdate(update);
    if (!update.replied) update.reply(hasBody ? 488 : 200);
  };
}
