/**
 * What we can do and want for one call (LocalMediaConfig), checked and with its defaults
 * filled in (ResolvedConfig), as offers and answers are built from it.
 */
import { isIP } from 'node:net';
import type { MediaEncryption } from '../../contract/vocabulary.js';
import { codecCatalogue, defaultTelephoneEventPayloadTypes, type AudioCodecName, type OpusOptions, type TelephoneEventClockRate } from './codecs.js';
import { addressTypeOf, isNullAddress } from './session-description.js';

/** What we can do and want, for one call. */
export interface LocalMediaConfig {
  /** Our RTP address as written in `c=` and `o=`: an IPv4 or IPv6 literal. */
  address: string;
  /** Our RTP port; RTCP is on `rtpPort + 1` unless muxed (RFC 3550 §11). */
  rtpPort: number;
  /** Codecs we accept, in our order of preference. */
  codecs: readonly AudioCodecName[];
  /** Offer and accept RTP/RTCP multiplexing (RFC 5761). Default false. */
  rtcpMux?: boolean;
  /** Our preferred packetization, in ms. Default 20. */
  ptimeMs?: number;
  /** We hold the call: we do not want to receive (RFC 3264 §8.4). */
  hold?: boolean;
  /** The remote holds us (from its last offer): with `hold`, our offer becomes inactive. */
  remoteHold?: boolean;
  /** Offer and accept RFC 4733 telephone-event. Default true. */
  telephoneEvent?: boolean;
  /** Dynamic payload types we offer. Defaults: opus 111, telephone-event/8000 101, /48000 110. */
  payloadTypes?: { opus?: number; telephoneEvent8000?: number; telephoneEvent48000?: number };
  opus?: OpusOptions;
  /** `o=` username. Default `-`. */
  username?: string;
  /** `s=` text. Default `-`. */
  sessionName?: string;
  /** SRTP policy (sdes-negotiation.ts). Default off. */
  encryption?: MediaEncryption;
  /** Offer RTP/SAVP even when the policy is optional (the retry after a 488 to RTP/AVP with a=crypto). */
  offerSavp?: boolean;
}

export interface ResolvedConfig {
  address: string;
  addressType: 'IP4' | 'IP6';
  rtpPort: number;
  codecs: readonly AudioCodecName[];
  rtcpMux: boolean;
  ptimeMs: number;
  hold: boolean;
  remoteHold: boolean;
  telephoneEvent: boolean;
  opus: OpusOptions;
  username: string;
  sessionName: string;
  encryption: MediaEncryption;
  offerSavp: boolean;
  payloadTypeOf(codec: AudioCodecName): number;
  telephoneEventPayloadType(rate: TelephoneEventClockRate): number;
}

/** Problems with a local media config, as sentences; empty when it is usable. */
export function checkLocalMediaConfig(local: LocalMediaConfig): string[] {
  const problems: string[] = [];
  if (!isIP(local.address)) problems.push(`address "${local.address}" is not an IP address`);
  // A wildcard bind address in c= reads as RFC 2543 hold to the peer (RFC 3264 §8.4).
  else if (isNullAddress(local.address)) problems.push(`address "${local.address}" is a wildcard; use the address peers reach us on`);
  const lastPort = local.rtcpMux ? 65535 : 65534;
  if (!Number.isInteger(local.rtpPort) || local.rtpPort < 1 || local.rtpPort > lastPort) {
    problems.push(`rtpPort ${local.rtpPort} is not a port in 1-${lastPort}`);
  }
  if (local.codecs.length === 0) problems.push('no codecs configured');
  for (const codec of local.codecs) if (!(codec in codecCatalogue)) problems.push(`unknown codec "${String(codec)}"`);
  if (new Set(local.codecs).size !== local.codecs.length) problems.push('a codec is listed twice');
  if (local.ptimeMs !== undefined && !(Number.isFinite(local.ptimeMs) && local.ptimeMs > 0)) problems.push(`ptimeMs ${local.ptimeMs} is not positive`);
  const dynamic = [
    local.payloadTypes?.opus ?? codecCatalogue.opus.defaultPayloadType,
    local.payloadTypes?.telephoneEvent8000 ?? defaultTelephoneEventPayloadTypes[8000],
    local.payloadTypes?.telephoneEvent48000 ?? defaultTelephoneEventPayloadTypes[48000],
  ];
  // RFC 3551 §3: 96–127 is the dynamic range.
  for (const pt of dynamic) if (!Number.isInteger(pt) || pt < 96 || pt > 127) problems.push(`payload type ${pt} is not in the dynamic range 96-127`);
  if (new Set(dynamic).size !== dynamic.length) problems.push('dynamic payload types must differ');
  return problems;
}

export function resolveConfig(local: LocalMediaConfig): ResolvedConfig {
  const problems = checkLocalMediaConfig(local);
  if (problems.length > 0) throw new RangeError(`invalid local media config: ${problems.join('; ')}`);
  const payloadTypes = local.payloadTypes ?? {};
  return {
    address: local.address,
    addressType: addressTypeOf(local.address),
    rtpPort: local.rtpPort,
    codecs: local.codecs,
    rtcpMux: local.rtcpMux ?? false,
    ptimeMs: local.ptimeMs ?? 20,
    hold: local.hold ?? false,
    remoteHold: local.remoteHold ?? false,
    telephoneEvent: local.telephoneEvent ?? true,
    opus: local.opus ?? {},
    username: local.username ?? '-',
    sessionName: local.sessionName ?? '-',
    encryption: local.encryption ?? 'off',
    offerSavp: local.offerSavp ?? false,
    payloadTypeOf: (codec) =>
      codec === 'opus' ? (payloadTypes.opus ?? codecCatalogue.opus.defaultPayloadType) : codecCatalogue[codec].defaultPayloadType,
    telephoneEventPayloadType: (rate) =>
      (rate === 8000 ? payloadTypes.telephoneEvent8000 : payloadTypes.telephoneEvent48000) ?? defaultTelephoneEventPayloadTypes[rate],
  };
}
