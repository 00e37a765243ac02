import { lstat, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { repairOgg } from './ogg-repair.js';
import { repairWav } from './wav-header.js';

const DAY_MS = 86_400_000;
const RECORDING_FILE = /\.(wav|opus)$/;

export interface SweepResult {
  deleted: string[];
  repaired: string[];
  failed: { file: string; error: string }[];
}

/**
 * Deletes the recordings in `dir` last written more than `days` days before `now` (0 keeps
 * them all). Only regular files with a recording's extension are touched: no links, no
 * folders, nothing else someone keeps there. With `repair`, WAVs left with wrong sizes by a
 * run that did not stop cleanly are fixed (repairWav); only while nothing records into them.
 */
export async function sweepRecordings(dir: string, days: number, now: number, opts: { repair?: boolean; skip?: ReadonlySet<string> } = {}): Promise<SweepResult> {
  const result: SweepResult = { deleted: [], repaired: [], failed: [] };
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return result;
    throw error;
  }
  for (const name of names) {
    if (!RECORDING_FILE.test(name)) continue;
    const file = join(dir, name);
    if (opts.skip?.has(file)) continue;
    try {
      const st = await lstat(file);
      if (!st.isFile()) continue;
      if (days > 0 && now - st.mtimeMs > days * DAY_MS) {
        await unlink(file);
        result.deleted.push(file);
        continue;
      }
      if (opts.repair && (name.endsWith('.wav') ? (await repairWav(file))?.changed : await repairOgg(file))) result.repaired.push(file);
    } catch (error) {
      result.failed.push({ file, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return result;
}
