import { createCipheriv } from 'node:crypto';
import { AesCm } from './aes-cm.js';
import type { SrtpMasterKey, SrtpSuite } from './srtp-suites.js';

/** RFC 3711 §4.3.2: the labels of the six session keys. */
export const LABEL = {
  srtpEncryption: 0x00,
  srtpAuthentication: 0x01,
  srtpSalt: 0x02,
  srtcpEncryption: 0x03,
  srtcpAuthentication: 0x04,
  srtcpSalt: 0x05,
} as const;

/** The keys one direction of SRTP or SRTCP uses, derived from its master key. */
export interface SessionKeys {
  encryption: Buffer;
  authentication: Buffer;
  salt: Buffer;
  /** AES-CM keyed with `encryption`, kept for the session's packets. */
  cipher: AesCm;
}

/**
 * RFC 3711 §4.3.1 with the AES-CM PRF (§4.3.3) and a key derivation rate of 0, the only
 * rate SDES peers use in practice: r = 0, so x = (label << 48) XOR master_salt and the
 * session key is the AES-CM keystream from IV = x * 2^16, cut to `length` bytes.
 */
export function deriveSessionKey(master: SrtpMasterKey, label: number, length: number): Buffer {
  if (master.key.length !== 16 || master.salt.length !== 14) throw new RangeError('an AES-128 master key is 16 bytes with a 14-byte salt');
  const iv = Buffer.alloc(16);
  master.salt.copy(iv, 0);
  // key_id = label || r (56 bits) sits under the last 7 bytes of the 14-byte salt.
  iv[7]! ^= label;
  const cipher = createCipheriv('aes-128-ctr', master.key, iv);
  return cipher.update(Buffer.alloc(length));
}

/** The session keys of SRTP (`rtp`) or SRTCP (`rtcp`) for one master key. */
export function deriveSessionKeys(master: SrtpMasterKey, suite: SrtpSuite, kind: 'rtp' | 'rtcp'): SessionKeys {
  const base = kind === 'rtp' ? LABEL.srtpEncryption : LABEL.srtcpEncryption;
  const encryption = deriveSessionKey(master, base, suite.keyLength);
  return {
    encryption,
    cipher: new AesCm(encryption),
    authentication: deriveSessionKey(master, base + 1, suite.authKeyLength),
    salt: deriveSessionKey(master, base + 2, suite.saltLength),
  };
}
