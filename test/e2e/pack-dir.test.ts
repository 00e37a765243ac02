import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot } from '../support/paths.js';

const run = promisify(execFile);
const root = repoRoot();
const require = createRequire(import.meta.url);
const asar = require('@electron/asar') as { listPackage(file: string, opts?: object): string[]; extractFile(file: string, path: string): Buffer };
const fuses = require('@electron/fuses') as typeof import('@electron/fuses');

/** Where @electron/fuses finds the fuse wire in an Electron binary. */
const fuseSentinel = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';

const built = existsSync(join(root, 'dist', 'shell', 'main.js')) && existsSync(join(root, 'dist', 'renderer', 'index.html'));
const skip = built ? undefined : 'the app is not built (npm run build:app)';
if (skip && process.env.LINEDESK_REQUIRE_PEERS === '1') throw new Error(`${skip} (LINEDESK_REQUIRE_PEERS=1)`);

/**
 * electron-builder --dir with a stand-in Electron (shared/research/electron.md §5): checks
 * electron-builder.yml, the `files` globs, the asar layout and the fuses flipped in the
 * executable (the stand-in carries a fuse wire like Electron's), not the runtime. Installers
 * (AppImage, deb, NSIS, dmg) need tools downloaded from GitHub, so they are not built here.
 */
describe('packaging: electron-builder --dir with a stand-in Electron', { skip, timeout: 90_000 }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'linedesk-pack-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('the unpacked app holds the shell, the renderer, the tray icons and the runtime dependencies, and nothing else of ours', async () => {
    const dist = join(tmp, 'electron-dist');
    mkdirSync(join(dist, 'locales'), { recursive: true });
    mkdirSync(join(dist, 'resources'));
    // The fuse wire as Electron 45 ships it, after its sentinel: version 1, 8 fuses, in
    // @electron/fuses' order (RunAsNode on, cookie encryption off, NODE_OPTIONS on, --inspect
    // on, asar integrity off, only-from-asar off, browser V8 snapshot off, file: privileges on).
    writeFileSync(join(dist, 'electron'), Buffer.concat([Buffer.from(`#!/bin/sh\necho stand-in electron\nexit 0\n${fuseSentinel}`), Buffer.from([1, 8]), Buffer.from('10110001')]));
    chmodSync(join(dist, 'electron'), 0o755);
    writeFileSync(join(dist, 'version'), '45.5.0');
    writeFileSync(join(dist, 'LICENSE'), 'stand-in');
    writeFileSync(join(dist, 'chrome-sandbox'), '');
    writeFileSync(join(dist, 'locales', 'en-US.pak'), '');
    const out = join(tmp, 'out');
    const cli = join(root, 'node_modules', 'electron-builder', 'cli.js');
    await run(process.execPath, [cli, '--linux', 'dir', `-c.electronDist=${dist}`, `-c.directories.output=${out}`, '-c.npmRebuild=false', '--publish', 'never'], { cwd: root, timeout: 80_000 });

    const app = join(out, 'linux-unpacked');
    assert.ok(existsSync(join(app, 'linedesk')), 'the executable is named linedesk');
    const archive = join(app, 'resources', 'app.asar');
    const files = asar.listPackage(archive);
    for (const f of ['/package.json', '/dist/shell/main.js', '/dist/shell/preload.cjs', '/dist/renderer/index.html', '/assets/tray/tray-ringing.png', '/assets/icon/icon.png']) {
      assert.ok(files.includes(f), `${f} is packaged`);
    }
    for (const dep of ['sip.js', 'zod', 'ws', 'better-sqlite3', 'rtp.js']) assert.ok(files.includes(`/node_modules/${dep}`), `dependency ${dep}`);
    const ours = files.filter((f) => !f.startsWith('/node_modules/'));
    assert.deepEqual(ours.filter((f) => /\.(map|ts)$/.test(f) || /^\/(src-main|src-renderer|test|bench|scripts|dist\/src-main|dist\/test|dist-)/.test(f)), [], 'no sources, tests, maps or tsc output');
    for (const dev of ['vite', 'svelte', 'electron', 'electron-builder', 'playwright-core', 'typescript']) assert.ok(!files.includes(`/node_modules/${dev}`), `dev dependency ${dev} left out`);
    const manifest = JSON.parse(asar.extractFile(archive, 'package.json').toString()) as { main: string };
    assert.equal(manifest.main, 'dist/shell/main.js');
    assert.ok(existsSync(join(app, 'resources', 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node')), 'native addons are unpacked');

    // electron-builder.yml's electronFuses, read back from the packed executable.
    const wire = await fuses.getCurrentFuseWire(join(app, 'linedesk'));
    const { FuseV1Options: F } = fuses;
    const [off, on] = ['0'.charCodeAt(0), '1'.charCodeAt(0)]; // a fuse is the byte '0' or '1'
    assert.deepEqual(
      {
        runAsNode: wire[F.RunAsNode],
        nodeOptions: wire[F.EnableNodeOptionsEnvironmentVariable],
        inspectArguments: wire[F.EnableNodeCliInspectArguments],
        asarIntegrity: wire[F.EnableEmbeddedAsarIntegrityValidation],
        onlyLoadAppFromAsar: wire[F.OnlyLoadAppFromAsar],
        fileProtocolPrivileges: wire[F.GrantFileProtocolExtraPrivileges],
        cookieEncryption: wire[F.EnableCookieEncryption],
      },
      { runAsNode: off, nodeOptions: off, inspectArguments: off, asarIntegrity: on, onlyLoadAppFromAsar: on, fileProtocolPrivileges: off, cookieEncryption: off },
    );
  });
});
