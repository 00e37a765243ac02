import { open } from 'node:fs/promises';
import { OGG_EOS, oggCrc } from './ogg-page.js';

/** How much of the file's end is searched for its last whole page (pages are about a second of Opus). */
const TAIL_BYTES = 256 * 1024;

/** The last whole page (capture pattern, sizes, CRC) in `tail`: its offset and length. */
function lastWholePage(tail: Buffer): { at: number; length: number } | undefined {
  for (let at = tail.lastIndexOf('OggS'); at >= 0; at = at > 0 ? tail.lastIndexOf('OggS', at - 1) : -1) {
    if (at + 27 > tail.length) continue;
    const segments = tail[at + 26]!;
    if (at + 27 + segments > tail.length) continue;
    let body = 0;
    for (let i = 0; i < segments; i++) body += tail[at + 27 + i]!;
    const length = 27 + segments + body;
    if (at + length > tail.length) continue;
    const page = Buffer.from(tail.subarray(at, at + length));
    const crc = page.readUInt32LE(22);
    page.writeUInt32LE(0, 22);
    if (oggCrc(page) === crc) return { at, length };
  }
  return undefined;
}

/**
 * Ends an Ogg file a writer left unfinished (its media worker died): cuts a half-written page
 * off the end and marks the last whole page end-of-stream (its CRC rewritten), so that a
 * stream chained after it is legal (RFC 3533: a new stream starts after every earlier one
 * ended). Returns true when it changed the file, false when it was already whole; throws
 * when no page is found in its last 256 KB.
 */
export async function repairOgg(file: string): Promise<boolean> {
  const fh = await open(file, 'r+');
  try {
    const { size } = await fh.stat();
    const start = Math.max(0, size - TAIL_BYTES);
    const tail = Buffer.alloc(size - start);
    await fh.read(tail, 0, tail.length, start);
    const last = lastWholePage(tail);
    if (!last) throw new Error(`${file}: no whole Ogg page at its end`);
    let changed = false;
    const end = start + last.at + last.length;
    if (end !== size) {
      await fh.truncate(end);
      changed = true;
    }
    if ((tail[last.at + 5]! & OGG_EOS) === 0) {
      const page = Buffer.from(tail.subarray(last.at, last.at + last.length));
      page[5] = page[5]! | OGG_EOS;
      page.writeUInt32LE(0, 22);
      page.writeUInt32LE(oggCrc(page), 22);
      await fh.write(page, 0, page.length, start + last.at);
      changed = true;
    }
    return changed;
  } finally {
    await fh.close();
  }
}
