import { createCipheriv, type Cipher } from 'node:crypto';

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
 * AES-128 in counter mode as RFC 3711 §4.1.1 defines it: block j of the keystream is
 * AES(k, IV + j), j < 2^16 (a datagram never needs more). One AES-128-ECB cipher per session
 * key encrypts the counter blocks of each packet: half the cost of a new CTR cipher per packet.
 */
export class AesCm {
  readonly #ecb: Cipher;
  #blocks = Buffer.alloc(16 * 64);

  constructor(key: Buffer) {
    this.#ecb = createCipheriv('aes-128-ecb', key, null);
    this.#ecb.setAutoPadding(false);
  }

  /** XORs `data` with the keystream from `iv` into `out` at `outOffset` (`out` may be `data`'s buffer). */
  xor(iv: Buffer, data: Uint8Array, out: Buffer, outOffset: number): void {
    const n = Math.ceil(data.length / 16);
    if (n === 0) return;
    if (n > 0x10000) throw new RangeError('AES-CM: more than 2^16 blocks in one packet');
    if (this.#blocks.length < n * 16) this.#blocks = Buffer.alloc(n * 16);
    const blocks = this.#blocks;
    // The low 16 bits of the IV are zero (k_s and i are shifted by 2^16): the counter sits there.
    for (let j = 0; j < n; j++) {
      iv.copy(blocks, j * 16, 0, 14);
      blocks[j * 16 + 14] = j >>> 8;
      blocks[j * 16 + 15] = j & 0xff;
    }
    const ks = this.#ecb.update(blocks.subarray(0, n * 16));
    for (let i = 0; i < data.length; i++) out[outOffset + i] = data[i]! ^ ks[i]!;
  }
}

/** One-shot AES-CM (key derivation, tests): XORs `data` with the keystream from `iv` into `out`. */
export function aesCmXor(key: Buffer, iv: Buffer, data: Uint8Array, out: Buffer, outOffset: number): void {
  new AesCm(key).xor(iv, data, out, outOffset);
}
