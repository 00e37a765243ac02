import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensurePrivateFile, restrictFiles } from '../common/private-files.js';

/**
 * The statistics database holds every caller's number and name, so its files are
 * owner-only (0600). SQLite creates the database with 0644 minus the umask, and gives its
 * -wal, -shm and -journal files the mode of the database file; so the database file is
 * created here first with 0600 (SQLite takes an empty file for a new database), and files
 * an older LineDesk left with a looser mode are tightened. Called before the database is
 * opened, and again once WAL is on.
 */
export function protectDatabaseFiles(filename: string): void {
  // A missing folder is left to SQLite, whose error says so.
  if (!onDisk(filename) || !existsSync(dirname(filename))) return;
  ensurePrivateFile(filename);
  restrictFiles(['-wal', '-shm', '-journal'].map((suffix) => filename + suffix));
}

/** ":memory:", "" (a temporary database) and file: URIs are not plain paths to protect. */
function onDisk(filename: string): boolean {
  return filename !== ':memory:' && filename !== '' && !filename.startsWith('file:');
}
