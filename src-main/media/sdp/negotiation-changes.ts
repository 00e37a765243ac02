import type { Negotiated, NegotiationChanges } from './negotiation-types.js';
import { sameSrtp } from './sdes-negotiation.js';

/** What a re-negotiation (re-INVITE) changed against the previous one; everything on the first. */
export function compareNegotiated(before: Negotiated | undefined, after: Negotiated): NegotiationChanges {
  if (!before) return { remoteTarget: true, codec: true, telephoneEvent: true, ptime: true, direction: true, srtp: true };
  const a = before.remote;
  const b = after.remote;
  return {
    remoteTarget:
      a.address !== b.address || a.rtpPort !== b.rtpPort || a.rtcpPort !== b.rtcpPort || a.rtcpAddress !== b.rtcpAddress || a.rtcpMux !== b.rtcpMux,
    codec:
      before.codec.name !== after.codec.name ||
      before.codec.payloadType !== after.codec.payloadType ||
      before.codec.receivePayloadType !== after.codec.receivePayloadType ||
      JSON.stringify(sortedEntries(before.codec.fmtp)) !== JSON.stringify(sortedEntries(after.codec.fmtp)),
    telephoneEvent:
      before.telephoneEvent?.payloadType !== after.telephoneEvent?.payloadType ||
      before.telephoneEvent?.receivePayloadType !== after.telephoneEvent?.receivePayloadType ||
      before.telephoneEvent?.clockRate !== after.telephoneEvent?.clockRate,
    ptime: before.ptimeMs !== after.ptimeMs,
    direction: before.direction !== after.direction || before.remoteHold !== after.remoteHold,
    srtp: !sameSrtp(before.srtp, after.srtp),
  };
}

function sortedEntries(record: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(record).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
}
