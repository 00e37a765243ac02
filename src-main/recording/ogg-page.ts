/*
 * Ogg pages (RFC 3533): the container of Opus files (RFC 7845). A page carries whole or
 * partial packets laced into 255-byte segments, a granule position, the stream's serial, a
 * page sequence number and a CRC-32 over the page.
 */

/** The CRC of Ogg: polynomial 0x04c11db7, not reflected, initial value 0, no final xor. */
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    t[i] = r >>> 0;
  }
  return t;
})();

export function oggCrc(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ b) & 0xff]!) >>> 0;
  return crc;
}

export const OGG_CONTINUED = 0x01;
export const OGG_BOS = 0x02;
export const OGG_EOS = 0x04;

/** At most 255 segments per page; a packet of 255 × n bytes ends with a 0-length segment. */
const MAX_SEGMENTS = 255;

export interface OggPageInput {
  serial: number;
  sequence: number;
  /** The granule position after the last packet that ends on this page (−1: none ends here). */
  granule: bigint;
  flags: number;
  /** Whole packets: each must fit the page (see oggPacketsFit). */
  packets: readonly Uint8Array[];
}

/** The lacing values of whole packets. */
function lacing(packets: readonly Uint8Array[]): number[] {
  const out: number[] = [];
  for (const p of packets) {
    let left = p.byteLength;
    while (left >= 255) {
      out.push(255);
      left -= 255;
    }
    out.push(left);
  }
  return out;
}

/** True when `packets` fit one page whole. */
export function oggPacketsFit(packets: readonly Uint8Array[]): boolean {
  return lacing(packets).length <= MAX_SEGMENTS;
}

/** One page holding `packets` whole, with its CRC. */
export function oggPage(p: OggPageInput): Buffer {
  const segments = lacing(p.packets);
  if (segments.length > MAX_SEGMENTS) throw new Error(`${segments.length} segments do not fit one Ogg page`);
  const bodyBytes = p.packets.reduce((n, x) => n + x.byteLength, 0);
  const page = Buffer.alloc(27 + segments.length + bodyBytes);
  page.write('OggS', 0, 'ascii');
  page[4] = 0; // version
  page[5] = p.flags;
  page.writeBigInt64LE(p.granule, 6);
  page.writeUInt32LE(p.serial >>> 0, 14);
  page.writeUInt32LE(p.sequence >>> 0, 18);
  // 22..25: the CRC, zero while it is computed
  page[26] = segments.length;
  segments.forEach((s, i) => (page[27 + i] = s));
  let o = 27 + segments.length;
  for (const x of p.packets) {
    page.set(x, o);
    o += x.byteLength;
  }
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

export interface ParsedOggPage {
  flags: number;
  granule: bigint;
  serial: number;
  sequence: number;
  crcOk: boolean;
  /** Packets that end on this page (a continued first packet is given as its tail only). */
  packets: Buffer[];
  bytes: number;
}

/** Reads the pages of an Ogg file one after the other (tests and recovery); stops at the first damaged one. */
export function parseOggPages(file: Uint8Array): ParsedOggPage[] {
  const buf = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  const pages: ParsedOggPage[] = [];
  let o = 0;
  while (o + 27 <= buf.length && buf.toString('ascii', o, o + 4) === 'OggS') {
    const nseg = buf[o + 26]!;
    if (o + 27 + nseg > buf.length) break;
    const segs = [...buf.subarray(o + 27, o + 27 + nseg)];
    const body = segs.reduce((n, s) => n + s, 0);
    const end = o + 27 + nseg + body;
    if (end > buf.length) break;
    const page = Buffer.from(buf.subarray(o, end));
    const crc = page.readUInt32LE(22);
    page.writeUInt32LE(0, 22);
    const packets: Buffer[] = [];
    let start = 27 + nseg;
    let len = 0;
    for (const s of segs) {
      len += s;
      if (s < 255) {
        packets.push(page.subarray(start, start + len));
        start += len;
        len = 0;
      }
    }
    pages.push({ flags: page[5]!, granule: page.readBigInt64LE(6), serial: page.readUInt32LE(14), sequence: page.readUInt32LE(18), crcOk: oggCrc(page) === crc, packets, bytes: end - o });
    o = end;
  }
  return pages;
}
