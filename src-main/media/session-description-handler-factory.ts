import type { Session, SessionDescriptionHandlerFactory } from 'sip.js';
import type { Logger } from '../common/logger.js';
import type { MediaEndpoint } from './media-engine.js';
import { PlainRtpSessionDescriptionHandler } from './sdh/plain-rtp-sdh.js';

/**
 * Makes an RTP SDH per session; each asks for its call's media endpoint on first use, by
 * Call-ID (the call decides which line and devices the media uses, and closes it when the
 * call ends: `callOwnsMedia`).
 */
export function createSessionDescriptionHandlerFactory(deps: { openEndpoint(callId: string): Promise<MediaEndpoint>; log: Logger; ptimeMs?: number; callOwnsMedia?: boolean }): SessionDescriptionHandlerFactory {
  return (session: Session) => {
    const callId = session.dialog?.callId ?? (session as { request?: { callId?: string } }).request?.callId ?? 'unknown';
    return new PlainRtpSessionDescriptionHandler(() => deps.openEndpoint(callId), deps.log.child(callId), deps.ptimeMs, deps.callOwnsMedia !== true);
  };
}
