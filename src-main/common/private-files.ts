import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';

/**
 * Owner-only permissions for LineDesk's per-user files: the config (browser mode keeps
 * line passwords in it), the encrypted secrets, the call records and the logs (numbers,
 * names). A mode given to mkdir or open passes through the umask and leaves an existing
 * file as it was, so each helper sets the mode again afterwards: the result does not
 * depend on the umask nor on what an older LineDesk left. (On Windows chmod only toggles
 * read-only; the profile folder's ACL protects these files there.)
 */
export const privateDirMode = 0o700;
export const privateFileMode = 0o600;

/** `dir` exists (with any missing parents) and is 0700. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: privateDirMode });
  chmodSync(dir, privateDirMode);
}

/** `file` exists (empty if it was missing) and is 0600, before anything is written to it. */
export function ensurePrivateFile(file: string): void {
  closeSync(openSync(file, 'a', privateFileMode));
  chmodSync(file, privateFileMode);
}

/** Each of `files` that exists becomes 0600; missing ones are skipped. */
export function restrictFiles(files: readonly string[]): void {
  for (const file of files) {
    try {
      chmodSync(file, privateFileMode);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

/** True when users other than the owner may read `file` (false when it is missing). */
export function readableByOthers(file: string): boolean {
  try {
    return (statSync(file).mode & 0o044) !== 0;
  } catch {
    return false;
  }
}
