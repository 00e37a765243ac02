import { createCipheriv } from 'node:crypto';

/**
 * RFC 3711 §4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16), with i the 48-bit
 * packet index (SRTP: ROC || SEQ; SRTCP: the 31-bit SRTCP index). `indexHigh` holds the
 * upper 32 bits of i (the ROC for SRTP), `indexLow` the lower 16 (the sequence number).
 */
export function counterIv(salt: Buffer, ssrc: number, indexHigh: number, indexLow: number): Buffer {
  const iv = Buffer.alloc(16);
  iv.writeUInt32BE(ssrc >>> 0, 4);
  iv.writeUInt32BE(indexHigh >>> 0, 8);
  iv.writeUInt16BE(indexLow & 0xffff, 12);
  for (let i = 0; i < 14; i++) iv[i]! ^= salt[i]!;
  return iv;
}

/**
 * XORs `data` with the AES-128-CM keystream starting at `iv`, into `out` at `outOffset`.
 * OpenSSL's CTR mode increments the whole 128-bit block, which equals RFC 3711's 16-bit
 * block counter as long as a packet stays under 2^16 blocks (1 MiB; a datagram is < 64 KiB).
 */
export function aesCmXor(key: Buffer, iv: Buffer, data: Uint8Array, out: Buffer, outOffset: number): void {
  const cipher = createCipheriv('aes-128-ctr', key, iv);
  const x = cipher.update(data);
  x.copy(out, outOffset);
}
