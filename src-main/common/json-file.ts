import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

/**
 * Writes `value` as indented JSON to a temporary file beside `file`, then renames it over
 * `file`: a reader (or a crash) sees the old file or the new one, never half of one. With
 * `mode`, the file has exactly that mode (also when a temporary file was left behind).
 */
export function writeJsonAtomic(file: string, value: unknown, opts: { mode?: number } = {}): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n', opts.mode === undefined ? {} : { mode: opts.mode });
  if (opts.mode !== undefined) chmodSync(tmp, opts.mode);
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
