import { randomBytes } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { RecordingFormat, RecordingMode } from './recording-types.js';

/** The extension of each format's files. */
export const recordingExtension: Record<RecordingFormat, string> = { wav: '.wav', opus: '.opus' };

/** A recording's file name as LineDesk makes it: letters, digits, "-", "_" and "." only, one of the extensions. */
const RECORDING_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}\.(wav|opus)$/;

/** Two digits. */
const two = (n: number): string => String(n).padStart(2, '0');

/**
 * A new recording's file name: when it started (UTC), the line, part of the Call-ID (which
 * the far end chose: anything but safe characters is replaced) and a random tail, so two
 * recordings never share a name.
 */
export function recordingFileName(at: number, line: string, callId: string, format: RecordingFormat): string {
  const d = new Date(at);
  const stamp = `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}-${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}`;
  const safe = (s: string, n: number): string => s.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, n) || 'x';
  return `${stamp}_${safe(line, 32)}_${safe(callId, 24)}_${randomBytes(3).toString('hex')}${recordingExtension[format]}`;
}

/**
 * The recording `name` names, when it is one of LineDesk's recordings inside `dir`: a plain
 * file name (no folder, no "..", no absolute path) of the form LineDesk writes, that is not a
 * link out of the folder. Anything else (a path a window or a browser sent) is refused with
 * undefined. `name` may also be an absolute path, which must then lie directly in `dir`.
 */
export async function recordingInside(dir: string, name: string): Promise<string | undefined> {
  if (typeof name !== 'string' || name.length === 0 || name.length > 4096 || name.includes('\0')) return undefined;
  // A name, or an absolute path: nothing relative with folders in it ("sub/../x.wav").
  if (!isAbsolute(name) && /[\\/]/.test(name)) return undefined;
  const root = resolve(dir);
  const candidate = isAbsolute(name) ? resolve(name) : resolve(root, name);
  const rel = relative(root, candidate);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.includes(sep) || rel !== basename(candidate)) return undefined;
  if (!RECORDING_NAME.test(rel)) return undefined;
  try {
    // A link inside the folder must not lead out of it.
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(candidate)]);
    if (relative(realRoot, realFile) !== rel) return undefined;
  } catch {
    return undefined;
  }
  return join(root, rel);
}

/** The mode of a line: its own `recording`, else the global `recording.mode`. */
export function recordingModeFor(line: string, global: RecordingMode, perLine: ReadonlyMap<string, RecordingMode | undefined>): RecordingMode {
  return perLine.get(line) ?? global;
}
