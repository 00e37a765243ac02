import type { Session, SessionDescriptionHandlerFactory } from 'sip.js';
import type { Logger } from '../common/logger.js';
import type { MediaEngine } from './media-engine.js';
import { PlainRtpSessionDescriptionHandler } from './sdh/plain-rtp-sdh.js';

/** Makes a plain-RTP SDH per session; each opens its media endpoint from `engine` on first use. */
export function createSessionDescriptionHandlerFactory(deps: { engine: MediaEngine; lineId: string; log: Logger; ptimeMs?: number }): SessionDescriptionHandlerFactory {
  return (session: Session) => {
    const callId = session.dialog?.callId ?? (session as { request?: { callId?: string } }).request?.callId ?? 'unknown';
    return new PlainRtpSessionDescriptionHandler(() => deps.engine.open({ callId, lineId: deps.lineId }), deps.log.child(callId), deps.ptimeMs);
  };
}
