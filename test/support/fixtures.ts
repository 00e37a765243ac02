import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

/** Reads `test/fixtures/<relativePath>` as bytes. */
export function readFixture(relativePath: string): Buffer {
  return readFileSync(join(repoRoot(), 'test', 'fixtures', relativePath));
}
