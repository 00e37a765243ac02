import { chmodSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';

/**
 * Writes `value` as indented JSON to a temporary file beside `file`, then renames it over
 * `file`: a reader (or a crash) sees the old file or the new one, never half of one. With
 * `mode`, the temporary file is created afresh with it (a leftover from a crash is removed
 * first, so the content never sits in a file with a looser mode) and set to exactly it,
 * whatever the umask; the rename keeps it.
 */
export function writeJsonAtomic(file: string, value: unknown, opts: { mode?: number } = {}): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const text = JSON.stringify(value, null, 2) + '\n';
  if (opts.mode === undefined) {
    writeFileSync(tmp, text);
  } else {
    rmSync(tmp, { force: true });
    writeFileSync(tmp, '', { mode: opts.mode, flag: 'wx' });
    chmodSync(tmp, opts.mode);
    writeFileSync(tmp, text);
  }
  renameSync(tmp, file);
}

/** The JSON in `file`, for the caller to check; `fallback` when the file is missing, unreadable or not JSON. */
export function readJsonOr(file: string, fallback: unknown): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch {
    return fallback;
  }
}
