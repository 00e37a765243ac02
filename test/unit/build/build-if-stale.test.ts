import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { repoRoot } from '../../support/paths.js';

/** What scripts/build-if-stale.mjs exports (plain JavaScript: it runs before anything is compiled). */
interface Target {
  inputs: string[];
  exts?: string[];
  outputs: string[];
  steps: (string[] | ((root: string) => Promise<string[]>))[];
}
interface BuildIfStale {
  staleReason(root: string, name: string, targets: Record<string, Target>): string | undefined;
  ensureBuilt(root: string, names: string[], opts: { force?: boolean; targets: Record<string, Target>; log: (s: string) => void }): Promise<boolean>;
}

/**
 * The staleness check behind `npm run headless`, `web`, `start`, `bench` and the `linedesk`
 * command, on a small project of its own: a target builds when its sources changed since
 * its last build, and only then.
 */
describe('build-if-stale', () => {
  let mod: BuildIfStale;
  let root: string;
  let builds = 0;
  const logs: string[] = [];
  let madeFrom: string[] = [];
  let targets: Record<string, Target>;
  const file = (path: string, text = 'x'): string => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
    return join(root, path);
  };
  /** Moves a file's modification time by `s` seconds. */
  const shift = (path: string, s: number): void => {
    const st = statSync(join(root, path));
    utimesSync(join(root, path), st.atime, new Date(st.mtimeMs + s * 1000));
  };
  const ensure = (force = false): Promise<boolean> => mod.ensureBuilt(root, ['app'], { force, targets, log: (s) => logs.push(s) });

  before(async () => {
    mod = (await import(pathToFileURL(join(repoRoot(), 'scripts', 'build-if-stale.mjs')).href)) as BuildIfStale;
    root = mkdtempSync(join(tmpdir(), 'linedesk-stale-'));
    file('src/a.ts');
    file('src/deep/b.ts');
    file('src/notes.md');
    file('lib/dep.js');
    file('tsconfig.json', '{}');
    // Every file of the project is a second older than now, as after a checkout.
    for (const f of ['src/a.ts', 'src/deep/b.ts', 'src/notes.md', 'lib/dep.js', 'tsconfig.json', 'src/deep', 'src', 'lib']) shift(f, -1);
    targets = {
      app: {
        inputs: ['src', 'tsconfig.json', 'missing-optional.json'],
        exts: ['.ts'],
        outputs: ['out/app.js'],
        steps: [
          (r: string) => {
            builds++;
            mkdirSync(join(r, 'out'), { recursive: true });
            writeFileSync(join(r, 'out', 'app.js'), `build ${builds}`);
            return Promise.resolve(madeFrom);
          },
        ],
      },
    };
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('builds a target never built, then not again while nothing changed', async () => {
    assert.match(mod.staleReason(root, 'app', targets) ?? '', /out\/app\.js is missing/);
    assert.equal(await ensure(), true);
    assert.equal(builds, 1);
    assert.equal(mod.staleReason(root, 'app', targets), undefined);
    assert.equal(await ensure(), true);
    assert.equal(builds, 1, 'current: no build');
  });

  test('a source newer than the last build makes it build again, once', async () => {
    shift('src/deep/b.ts', 5);
    assert.match(mod.staleReason(root, 'app', targets) ?? '', /src\/deep\/b\.ts changed/);
    await ensure();
    assert.equal(builds, 2);
    await ensure();
    assert.equal(builds, 2);
  });

  test('a file put back with an older time counts as a change too', async () => {
    shift('src/deep/b.ts', -5);
    assert.ok(mod.staleReason(root, 'app', targets));
    await ensure();
    assert.equal(builds, 3);
  });

  test('an added or removed source makes it stale; a file of another kind does not', async () => {
    file('src/c.ts');
    assert.ok(mod.staleReason(root, 'app', targets), 'added');
    await ensure();
    assert.equal(builds, 4);
    unlinkSync(join(root, 'src/c.ts'));
    assert.ok(mod.staleReason(root, 'app', targets), 'removed');
    await ensure();
    assert.equal(builds, 5);
    // Editing a .md in place changes neither a .ts nor a folder.
    writeFileSync(join(root, 'src/notes.md'), 'edited');
    shift('src/notes.md', 10);
    assert.equal(mod.staleReason(root, 'app', targets), undefined);
  });

  test('a missing output makes it stale', async () => {
    unlinkSync(join(root, 'out/app.js'));
    assert.match(mod.staleReason(root, 'app', targets) ?? '', /missing/);
    await ensure();
    assert.equal(builds, 6);
  });

  test('the files a build says it was made from are checked too, and one that is gone makes it stale', async () => {
    madeFrom = ['lib/dep.js'];
    await ensure(true);
    assert.equal(builds, 7);
    assert.equal(mod.staleReason(root, 'app', targets), undefined);
    shift('lib/dep.js', 3);
    assert.match(mod.staleReason(root, 'app', targets) ?? '', /lib\/dep\.js changed/);
    await ensure();
    unlinkSync(join(root, 'lib/dep.js'));
    assert.match(mod.staleReason(root, 'app', targets) ?? '', /gone/);
    madeFrom = [];
    await ensure();
    assert.equal(mod.staleReason(root, 'app', targets), undefined);
  });

  test('--force builds a current target', async () => {
    const before = builds;
    await ensure(true);
    assert.equal(builds, before + 1);
  });

  test('a failed step reports false, names the command, and leaves the target stale', async () => {
    const failing: Record<string, Target> = { app: { ...targets.app!, steps: [[process.execPath, '-e', 'process.exit(3)']] } };
    shift('src/a.ts', 7);
    logs.length = 0;
    assert.equal(await mod.ensureBuilt(root, ['app'], { targets: failing, log: (s) => logs.push(s) }), false);
    assert.match(logs.join('\n'), /building app failed: .*exit 3/);
    assert.ok(mod.staleReason(root, 'app', targets), 'still stale');
    const before = builds;
    await ensure();
    assert.equal(builds, before + 1);
  });
});
