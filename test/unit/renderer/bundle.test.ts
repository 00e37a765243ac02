import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { repoRoot } from '../../support/paths.js';

describe('the renderer bundle', () => {
  test('carries no zod: what it shares with the main side comes from the zod-free contract', (t) => {
    const assets = join(repoRoot(), 'dist', 'renderer', 'assets');
    let files: string[];
    try {
      files = readdirSync(assets).filter((f) => f.endsWith('.js'));
    } catch {
      t.skip('dist/renderer is not built (npm run build:renderer)');
      return;
    }
    assert.ok(files.length > 0);
    for (const f of files) assert.doesNotMatch(readFileSync(join(assets, f), 'utf8'), /\$Zod|ZodError/, f);
  });
});
