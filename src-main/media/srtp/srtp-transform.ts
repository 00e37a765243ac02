import { createHmac, timingSafeEqual } from 'node:crypto';
import { counterIv } from './aes-cm.js';
import type { SessionKeys } from './key-derivation.js';

/**
 * The per-packet transforms of RFC 3711 §3.3 (SRTP) and §3.4 (SRTCP), given the packet's
 * index: pure functions over one datagram. State (ROC, SRTCP index, replay lists) is the
 * caller's: see SrtpSession.
 */

/** Length of the RTP header (fixed part, CSRCs, extension), or undefined when it is not a well-formed RTP version 2 header. */
export function rtpHeaderLength(p: Uint8Array): number | undefined {
  if (p.length < 12 || p[0]! >> 6 !== 2) return undefined;
  let n = 12 + (p[0]! & 0x0f) * 4;
  if (p[0]! & 0x10) {
    if (p.length < n + 4) return undefined;
    n += 4 + ((p[n + 2]! << 8) | p[n + 3]!) * 4;
  }
  return n <= p.length ? n : undefined;
}

/** HMAC-SHA1 over the authenticated portion (and, for SRTP, the ROC), cut to `length` bytes (RFC 3711 §4.2.1). */
function authTag(authKey: Buffer, portion: Uint8Array, roc: number | undefined, length: number): Buffer {
  const h = createHmac('sha1', authKey).update(portion);
  if (roc !== undefined) {
    const r = Buffer.allocUnsafe(4);
    r.writeUInt32BE(roc >>> 0, 0);
    h.update(r);
  }
  return h.digest().subarray(0, length);
}

/** Encrypts the payload of an RTP packet (header of `headerLength` bytes) and appends the tag. */
export function protectRtpPacket(keys: SessionKeys, tagLength: number, packet: Uint8Array, headerLength: number, roc: number): Buffer {
  const out = Buffer.allocUnsafe(packet.length + tagLength);
  out.set(packet.subarray(0, headerLength), 0);
  const view = Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength);
  const iv = counterIv(keys.salt, view.readUInt32BE(8), roc, view.readUInt16BE(2));
  keys.cipher.xor(iv, packet.subarray(headerLength), out, headerLength);
  authTag(keys.authentication, out.subarray(0, packet.length), roc, tagLength).copy(out, packet.length);
  return out;
}

/** Checks the tag of an SRTP packet for the guessed ROC, in constant time. */
export function verifyRtpTag(keys: SessionKeys, tagLength: number, srtp: Uint8Array, roc: number): boolean {
  const end = srtp.length - tagLength;
  const expected = authTag(keys.authentication, srtp.subarray(0, end), roc, tagLength);
  return timingSafeEqual(expected, srtp.subarray(end));
}

/** The RTP packet inside an authenticated SRTP packet: a new buffer, the input is left as it was. */
export function decryptRtpPacket(keys: SessionKeys, tagLength: number, srtp: Uint8Array, headerLength: number, roc: number): Buffer {
  const end = srtp.length - tagLength;
  const out = Buffer.allocUnsafe(end);
  out.set(srtp.subarray(0, headerLength), 0);
  const view = Buffer.from(srtp.buffer, srtp.byteOffset, srtp.byteLength);
  const iv = counterIv(keys.salt, view.readUInt32BE(8), roc, view.readUInt16BE(2));
  keys.cipher.xor(iv, srtp.subarray(headerLength, end), out, headerLength);
  return out;
}

/** Length of the SRTCP trailer before the tag: E flag and 31-bit index. */
export const SRTCP_INDEX_LENGTH = 4;

/** RFC 3711 §3.4: encrypts all but the first 8 bytes, appends E=1 || index, then the tag. */
export function protectRtcpPacket(keys: SessionKeys, tagLength: number, packet: Uint8Array, index: number): Buffer {
  const out = Buffer.allocUnsafe(packet.length + SRTCP_INDEX_LENGTH + tagLength);
  out.set(packet.subarray(0, 8), 0);
  const ssrc = Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength).readUInt32BE(4);
  keys.cipher.xor(counterIv(keys.salt, ssrc, index >>> 16, index & 0xffff), packet.subarray(8), out, 8);
  out.writeUInt32BE((0x80000000 | index) >>> 0, packet.length);
  authTag(keys.authentication, out.subarray(0, packet.length + SRTCP_INDEX_LENGTH), undefined, tagLength).copy(out, packet.length + SRTCP_INDEX_LENGTH);
  return out;
}

/** The E flag and the SRTCP index of a protected packet (at least 8 + 4 + tag bytes long). */
export function srtcpIndexOf(srtcp: Uint8Array, tagLength: number): { encrypted: boolean; index: number } {
  const at = srtcp.length - tagLength - SRTCP_INDEX_LENGTH;
  const v = Buffer.from(srtcp.buffer, srtcp.byteOffset, srtcp.byteLength).readUInt32BE(at);
  return { encrypted: v >>> 31 === 1, index: v & 0x7fffffff };
}

export function verifyRtcpTag(keys: SessionKeys, tagLength: number, srtcp: Uint8Array): boolean {
  const end = srtcp.length - tagLength;
  return timingSafeEqual(authTag(keys.authentication, srtcp.subarray(0, end), undefined, tagLength), srtcp.subarray(end));
}

/** The RTCP compound packet inside an authenticated SRTCP packet (decrypted when its E flag is set). */
export function decryptRtcpPacket(keys: SessionKeys, tagLength: number, srtcp: Uint8Array): Buffer {
  const end = srtcp.length - tagLength - SRTCP_INDEX_LENGTH;
  const { encrypted, index } = srtcpIndexOf(srtcp, tagLength);
  const out = Buffer.allocUnsafe(end);
  if (!encrypted) {
    out.set(srtcp.subarray(0, end), 0);
    return out;
  }
  out.set(srtcp.subarray(0, 8), 0);
  const ssrc = Buffer.from(srtcp.buffer, srtcp.byteOffset, srtcp.byteLength).readUInt32BE(4);
  keys.cipher.xor(counterIv(keys.salt, ssrc, index >>> 16, index & 0xffff), srtcp.subarray(8, end), out, 8);
  return out;
}
