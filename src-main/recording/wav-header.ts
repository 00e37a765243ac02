import { open } from 'node:fs/promises';

/** The size of the canonical header LineDesk writes: RIFF, a 16-byte fmt chunk, the data chunk's header. */
export const WAV_HEADER_BYTES = 44;

export interface WavLayout {
  sampleRate: number;
  channels: number;
  /** Bytes of PCM in the data chunk. */
  dataBytes: number;
}

/** A 16-bit PCM WAV header (RIFF/WAVE, fmt, data) for `dataBytes` of samples. */
export function wavHeader(sampleRate: number, channels: number, dataBytes: number): Buffer {
  const h = Buffer.alloc(WAV_HEADER_BYTES);
  const blockAlign = channels * 2;
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(Math.min(0xffffffff, 36 + dataBytes), 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * blockAlign, 28);
  h.writeUInt16LE(blockAlign, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(Math.min(0xffffffff, dataBytes), 40);
  return h;
}

/** The layout of a header LineDesk wrote (canonical, 16-bit PCM); undefined for anything else. */
export function parseWavHeader(h: Uint8Array): WavLayout | undefined {
  if (h.byteLength < WAV_HEADER_BYTES) return undefined;
  const b = Buffer.from(h.buffer, h.byteOffset, WAV_HEADER_BYTES);
  if (b.toString('ascii', 0, 4) !== 'RIFF' || b.toString('ascii', 8, 12) !== 'WAVE' || b.toString('ascii', 12, 16) !== 'fmt ' || b.toString('ascii', 36, 40) !== 'data') return undefined;
  if (b.readUInt16LE(20) !== 1 || b.readUInt16LE(34) !== 16) return undefined;
  const channels = b.readUInt16LE(22);
  const sampleRate = b.readUInt32LE(24);
  if (channels < 1 || channels > 8 || sampleRate < 1000 || sampleRate > 192_000) return undefined;
  return { sampleRate, channels, dataBytes: b.readUInt32LE(40) };
}

/**
 * Makes a WAV LineDesk was writing when it stopped (a media worker or the process died
 * before the close fixed the sizes) readable: cuts a half-written sample frame off the end
 * and writes the sizes the file really holds. Returns the layout, or undefined when the file
 * is not such a WAV (it is left untouched).
 */
export async function repairWav(file: string): Promise<(WavLayout & { changed: boolean }) | undefined> {
  const fh = await open(file, 'r+');
  try {
    const head = Buffer.alloc(WAV_HEADER_BYTES);
    const { bytesRead } = await fh.read(head, 0, WAV_HEADER_BYTES, 0);
    const layout = parseWavHeader(head.subarray(0, bytesRead));
    if (!layout) return undefined;
    const { size } = await fh.stat();
    const block = layout.channels * 2;
    const dataBytes = Math.floor((size - WAV_HEADER_BYTES) / block) * block;
    const cut = WAV_HEADER_BYTES + dataBytes !== size;
    if (cut) await fh.truncate(WAV_HEADER_BYTES + dataBytes);
    const resized = dataBytes !== layout.dataBytes;
    if (resized) await fh.write(wavHeader(layout.sampleRate, layout.channels, dataBytes), 0, WAV_HEADER_BYTES, 0);
    return { ...layout, dataBytes, changed: cut || resized };
  } finally {
    await fh.close();
  }
}
