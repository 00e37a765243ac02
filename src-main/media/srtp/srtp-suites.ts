/**
 * The SRTP crypto suites LineDesk speaks (RFC 4568 §6.2): AES-128 in counter mode with
 * HMAC-SHA1, an 80-bit or a 32-bit tag on RTP. SRTCP always carries the 80-bit tag
 * (RFC 4568 §6.2.1-2), whichever the suite.
 */
export type SrtpSuiteName = 'AES_CM_128_HMAC_SHA1_80' | 'AES_CM_128_HMAC_SHA1_32';

export interface SrtpSuite {
  name: SrtpSuiteName;
  /** Master and session encryption key, bytes. */
  keyLength: 16;
  /** Master and session salt, bytes. */
  saltLength: 14;
  /** Session authentication key, bytes (n_a = 160 bits). */
  authKeyLength: 20;
  /** Authentication tag on SRTP packets, bytes. */
  rtpTagLength: 10 | 4;
  /** Authentication tag on SRTCP packets, bytes. */
  rtcpTagLength: 10;
}

export const SRTP_SUITES: Readonly<Record<SrtpSuiteName, SrtpSuite>> = {
  AES_CM_128_HMAC_SHA1_80: { name: 'AES_CM_128_HMAC_SHA1_80', keyLength: 16, saltLength: 14, authKeyLength: 20, rtpTagLength: 10, rtcpTagLength: 10 },
  AES_CM_128_HMAC_SHA1_32: { name: 'AES_CM_128_HMAC_SHA1_32', keyLength: 16, saltLength: 14, authKeyLength: 20, rtpTagLength: 4, rtcpTagLength: 10 },
};

/** In the order we prefer them when we offer: the 80-bit tag first (RFC 4568 §6.2.1 recommends it). */
export const SUPPORTED_SUITES: readonly SrtpSuiteName[] = ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32'];

export function isSupportedSuite(name: string): name is SrtpSuiteName {
  return Object.hasOwn(SRTP_SUITES, name);
}

/** A master key and salt as SDES carries them (key || salt, 30 bytes for the suites above). */
export interface SrtpMasterKey {
  key: Buffer;
  salt: Buffer;
}
