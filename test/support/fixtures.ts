import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root: the nearest directory above this file holding package.json.
 * Works from the sources and from any compiled output folder (dist/, dist-media/, …).
 */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

/** Reads `test/fixtures/<relativePath>` as bytes. */
export function readFixture(relativePath: string): Buffer {
  return readFileSync(join(repoRoot(), 'test', 'fixtures', relativePath));
}
