/**
 * Words shared by the core, the control protocol and the windows. This folder is the
 * contract: it imports nothing from the rest of LineDesk, everything may import it.
 */

/**
 * A line's registration:
 *  - unregistered: not registered and not trying (before start, after stop);
 *  - registered:   the registrar accepted us and the heartbeat answers;
 *  - failed:       a REGISTER was rejected or not answered; retrying with backoff;
 *  - down:         we were registered but lost the transport or the heartbeat; recovering.
 */
export type RegistrationState = 'unregistered' | 'registered' | 'failed' | 'down';

/**
 * Why a call ended:
 *  remote-hangup / local-hangup: BYE after the call was answered;
 *  caller-cancelled: the caller gave up before an answer (CANCEL): abandoned;
 *  ring-timeout: the PBX stopped ringing this fork without an answer (a hunt group or
 *                queue moving on: CANCEL with Q.850 cause 19, SIP 408/480, or no Reason
 *                on a call the PBX distributed): missed;
 *  answered-elsewhere: the PBX cancelled this fork because another device answered
 *                      (CANCEL with Reason: SIP;cause=200) — not a missed call;
 *  declined / rejected: we refused it (agent decline, or no line, busy, queue full);
 *  failed: signalling or media negotiation failed.
 */
export type EndReason = 'remote-hangup' | 'local-hangup' | 'caller-cancelled' | 'ring-timeout' | 'answered-elsewhere' | 'declined' | 'rejected' | 'failed';

/** Where one inbound call leg is. */
export type LegState = 'incoming' | 'queued' | 'ringing' | 'answering' | 'active' | 'ended';

/** Why an offer to a line stopped ringing. */
export type OfferEnd = 'declined' | 'timeout' | 'taken-by-other-line' | 'caller-cancelled' | 'answered-elsewhere' | 'failed';

/** A dial, transfer or consult target: a number, an extension, or a sip:/sips:/tel: URI (commands.ts validates with it; line windows check as the agent types). */
export const sipTargetPattern = /^(sips?:|tel:)?[^\s<>"]+$/i;

/** The dispatcher's ring strategies, named after Asterisk's app_queue, which PBX admins know. */
export const strategyNames = ['ringall', 'rrmemory', 'leastrecent', 'fewestcalls', 'random', 'linear', 'load'] as const;
export type StrategyName = (typeof strategyNames)[number];

/**
 * SRTP (RFC 3711, SDES keys RFC 4568) for a line's calls:
 *  off:       plain RTP only; an SRTP offer is refused (488);
 *  optional:  SRTP when the far end does it, plain RTP otherwise;
 *  mandatory: SRTP only; a plain offer is refused (488).
 */
export const mediaEncryptions = ['off', 'optional', 'mandatory'] as const;
export type MediaEncryption = (typeof mediaEncryptions)[number];
