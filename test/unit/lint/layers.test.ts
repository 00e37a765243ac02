import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot } from '../../support/paths.js';

const run = promisify(execFile);

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

/**
 * `npm run lint` checks the layers with dependency-cruiser and LineDesk's own rules
 * (.dependency-cruiser.cjs). Here those rules run on a small tree of forbidden imports, to
 * show that each one really fails the lint (a rule that never fires would let the layers rot).
 */
describe('the layer rules of npm run lint', { timeout: 60_000 }, () => {
  let dir: string;
  let violations: Violation[];
  let exitCode: number;

  const file = (path: string, text: string): void => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };

  before(async () => {
    const root = repoRoot();
    dir = mkdtempSync(join(tmpdir(), 'linedesk-layers-'));
    copyFileSync(join(root, 'tsconfig.json'), join(dir, 'tsconfig.json'));
    // A stand-in electron package: what matters is that the import resolves to one.
    file('node_modules/electron/package.json', '{ "name": "electron", "main": "index.js" }\n');
    file('node_modules/electron/index.js', 'module.exports = { app: {} };\n');
    // The fixture's import is assembled, so this test file itself holds no import of it.
    const shellPackage = ['elec', 'tron'].join('');
    file('src-main/core/composition.ts', `import { app } from '${shellPackage}';\nexport const shell = app;\n`);
    file('src-main/media/reaches-up.ts', "import { shell } from '../core/composition.js';\nexport const up = shell;\n");
    file('src-main/web/server.ts', 'export const server = 1;\n');
    file('src-renderer/src/window.ts', "import { server } from '../../src-main/web/server.js';\nexport const w = server;\n");
    file('src-main/calls/a.ts', "import { b } from './b.js';\nexport const a = (): number => b() + 1;\n");
    file('src-main/calls/b.ts', "import { a } from './a.js';\nexport const b = (): number => a() - 1;\n");
    file('src-main/gadgets/new-folder.ts', "import { a } from '../calls/a.js';\nexport const g = a;\n");
    file('src-main/contract/clean.ts', 'export const fine = true;\n');
    const cli = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
    const args = [cli, 'src-main', 'src-renderer', '--config', join(root, '.dependency-cruiser.cjs')];
    const { stdout } = await run(process.execPath, [...args, '--output-type', 'json'], { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
    violations = (JSON.parse(stdout) as { summary: { violations: Violation[] } }).summary.violations;
    // The way npm run lint calls it (the default reporter): the exit code is the number of errors.
    exitCode = await run(process.execPath, args, { cwd: dir }).then(
      () => 0,
      (error: { code?: number }) => error.code ?? -1,
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const fired = (rule: string): string[] => violations.filter((v) => v.rule.name === rule).map((v) => `${v.from} → ${v.to}`);

  test('the run fails (non-zero exit) when a rule is broken', () => {
    assert.notEqual(exitCode, 0);
  });

  test('electron imported outside src-main/electron-* fails', () => {
    assert.deepEqual(fired('electron-only-in-the-shell'), ['src-main/core/composition.ts → node_modules/electron/index.js']);
  });

  test('a lower layer importing a higher one fails (media → core)', () => {
    assert.deepEqual(fired('layer-media'), ['src-main/media/reaches-up.ts → src-main/core/composition.ts']);
  });

  test('the renderer importing anything of src-main but the contract fails', () => {
    assert.deepEqual(fired('renderer-imports-the-contract-only'), ['src-renderer/src/window.ts → src-main/web/server.ts']);
  });

  test('an import cycle between files fails', () => {
    assert.ok(fired('no-circular').some((v) => v.includes('src-main/calls/a.ts') || v.includes('src-main/calls/b.ts')), JSON.stringify(violations));
  });

  test('a new src-main folder without a place in the layers fails', () => {
    assert.deepEqual(fired('no-unknown-src-main-folder'), ['src-main/gadgets/new-folder.ts → src-main/calls/a.ts']);
  });

  test('nothing else is reported (the clean file passes)', () => {
    assert.ok(violations.every((v) => !v.from.startsWith('src-main/contract/')), JSON.stringify(violations));
  });
});
