import type { AudioCodecName } from '../sdp/codecs.js';

/**
 * How many samples (RTP timestamp units) one packet carries, read from the payload: the
 * far end's real packetization, which need not match the SDP's ptime.
 * G.711: one byte per sample. Opus: from the TOC byte (RFC 6716 §3.1), at 48 kHz.
 */
export function packetSamples(codec: AudioCodecName, payload: Uint8Array): number | undefined {
  if (payload.length === 0) return undefined;
  if (codec === 'PCMU' || codec === 'PCMA') return payload.length;
  const toc = payload[0]!;
  const config = toc >> 3;
  // Frame size per configuration, in 48 kHz samples (RFC 6716 Table 2).
  const frame = config < 12 ? [480, 960, 1920, 2880][config & 3]! : config < 16 ? [480, 960][config & 1]! : [120, 240, 480, 960][config & 3]!;
  const code = toc & 3;
  if (code === 0) return frame;
  if (code === 1 || code === 2) return 2 * frame;
  if (payload.length < 2) return undefined;
  return (payload[1]! & 0x3f) * frame;
}
