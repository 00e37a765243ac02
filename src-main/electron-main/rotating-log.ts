import { appendFileSync, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensurePrivateDir, ensurePrivateFile, restrictFiles } from '../common/private-files.js';

export interface RotatingLogOptions {
  /** Rotate when the file would grow past this (default 5 MiB). */
  maxBytes?: number;
  /** How many old files to keep: app.log.1 … app.log.N (default 3). */
  keep?: number;
}

/**
 * A log sink for the core's logger that writes to a file and rotates it by size
 * (app.log → app.log.1 → … → app.log.N, the oldest dropped). Synchronous appends: log
 * lines are rare and must survive a crash. The folder is 0700 and every file 0600 (logs
 * name callers and numbers); files an older LineDesk left are tightened at start, and a
 * rotation renames files, which keeps their mode.
 */
export function rotatingFileSink(file: string, opts: RotatingLogOptions = {}): (line: string) => void {
  const maxBytes = opts.maxBytes ?? 5 * 1024 * 1024;
  const keep = Math.max(1, opts.keep ?? 3);
  ensurePrivateDir(dirname(file));
  restrictFiles(Array.from({ length: keep }, (_, i) => `${file}.${i + 1}`));
  ensurePrivateFile(file);
  let size = statSync(file).size;
  return (line: string) => {
    const bytes = Buffer.byteLength(line) + 1;
    if (size > 0 && size + bytes > maxBytes) {
      rotate(file, keep);
      ensurePrivateFile(file);
      size = 0;
    }
    appendFileSync(file, line + '\n');
    size += bytes;
  };
}

function rotate(file: string, keep: number): void {
  rmSync(`${file}.${keep}`, { force: true });
  for (let i = keep - 1; i >= 1; i--) if (existsSync(`${file}.${i}`)) renameSync(`${file}.${i}`, `${file}.${i + 1}`);
  renameSync(file, `${file}.1`);
}
