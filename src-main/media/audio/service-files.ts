import { resolve as resolvePath } from 'node:path';
import { convertRate, readWavFile } from './wav-file.js';

/** What a "file" service line plays, at the file's own rate. */
export interface ServiceFile {
  pcm: Int16Array;
  rate: number;
}

/**
 * Reads the WAV file of each "file" service line once, at start. A missing or unreadable
 * file stops the start with the line and the path named.
 */
export async function loadServiceFiles(lines: readonly { id: string; media?: { mode?: string; file?: string } }[], baseDir: string): Promise<Map<string, ServiceFile>> {
  const files = new Map<string, ServiceFile>();
  for (const l of lines) {
    if (l.media?.mode !== 'file') continue;
    if (!l.media.file) throw new Error(`line ${l.id}: media mode "file" needs media.file`);
    const path = resolvePath(baseDir, l.media.file);
    try {
      const { samples, sampleRate } = await readWavFile(path);
      files.set(l.id, { pcm: samples, rate: sampleRate });
    } catch (error) {
      throw new Error(`line ${l.id}: cannot play ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
  return files;
}

/**
 * Each line's file converted once to every sample rate in `rates` (the codecs in use): line →
 * rate → PCM. `alloc` gives the PCM its memory (SharedArrayBuffers, for media workers to share).
 * Throws when a file cannot be converted; the message names the line.
 */
export function serviceFilesByRate(
  files: ReadonlyMap<string, ServiceFile>,
  rates: readonly number[],
  alloc?: (samples: number) => Int16Array,
): Map<string, ReadonlyMap<number, Int16Array>> {
  const out = new Map<string, ReadonlyMap<number, Int16Array>>();
  for (const [line, file] of files) {
    try {
      out.set(
        line,
        new Map(
          [...new Set(rates)].map((rate) => {
            const converted = convertRate(file.pcm, file.rate, rate);
            if (!alloc) return [rate, converted];
            const pcm = alloc(converted.length);
            pcm.set(converted);
            return [rate, pcm];
          }),
        ),
      );
    } catch (error) {
      throw new Error(`line ${line}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
  return out;
}
