import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { rotatingFileSink } from '../../../src-main/electron-main/rotating-log.js';
import { protectUserData, shellPaths } from '../../../src-main/electron-main/shell-paths.js';
import { WindowBoundsStore } from '../../../src-main/electron-main/window-bounds.js';

describe('rotating log file', () => {
  test('rotates by size and keeps the newest files only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linedesk-log-'));
    try {
      const file = join(dir, 'logs', 'linedesk.log');
      const sink = rotatingFileSink(file, { maxBytes: 100, keep: 2 });
      for (let i = 0; i < 20; i++) sink(`line ${String(i).padStart(2, '0')} ${'x'.repeat(30)}`);
      assert.deepEqual(readdirSync(join(dir, 'logs')).sort(), ['linedesk.log', 'linedesk.log.1', 'linedesk.log.2']);
      assert.match(readFileSync(file, 'utf8'), /line 19/);
      assert.doesNotMatch(readFileSync(`${file}.2`, 'utf8'), /line 00/, 'the oldest were dropped');
      for (const f of readdirSync(join(dir, 'logs'))) assert.ok(readFileSync(join(dir, 'logs', f)).length <= 100);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const posix = process.platform !== 'win32';
const modeOf = (path: string): number => statSync(path).mode & 0o777;

describe('per-user files are the user\'s alone', { skip: posix ? false : 'POSIX modes' }, () => {
  test('the log folder is 0700 and every log file 0600, before and after a rotation, under any umask; older looser logs are tightened', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linedesk-log-'));
    const old = process.umask(0);
    try {
      const logs = join(dir, 'logs');
      const file = join(logs, 'linedesk.log');
      mkdirSync(logs, { mode: 0o755 });
      writeFileSync(`${file}.1`, 'an older run\n', { mode: 0o644 });
      const sink = rotatingFileSink(file, { maxBytes: 100, keep: 2 });
      assert.equal(modeOf(logs), 0o700);
      assert.equal(modeOf(`${file}.1`), 0o600, 'a log an older LineDesk left');
      assert.equal(modeOf(file), 0o600, 'created before the first line');
      for (let i = 0; i < 12; i++) sink(`line ${i} ${'x'.repeat(30)}`);
      assert.deepEqual(readdirSync(logs).sort(), ['linedesk.log', 'linedesk.log.1', 'linedesk.log.2']);
      for (const f of readdirSync(logs)) assert.equal(modeOf(join(logs, f)), 0o600, f);
    } finally {
      process.umask(old);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('userData becomes 0700 and the files LineDesk keeps there 0600, also those left readable by others', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linedesk-userdata-'));
    try {
      const userData = join(dir, 'LineDesk');
      mkdirSync(userData, { mode: 0o755 });
      chmodSync(userData, 0o755);
      const paths = shellPaths(userData);
      for (const f of [paths.config, paths.secrets, paths.prefs]) {
        writeFileSync(f, '{}');
        chmodSync(f, 0o644);
      }
      protectUserData(paths);
      assert.equal(modeOf(userData), 0o700);
      assert.equal(modeOf(join(userData, 'logs')), 0o700);
      for (const f of [paths.config, paths.secrets, paths.prefs]) assert.equal(modeOf(f), 0o600, f);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('window positions are written 0600', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linedesk-bounds-'));
    const old = process.umask(0);
    try {
      const file = join(dir, 'window-bounds.json');
      const store = new WindowBoundsStore(file);
      store.set('dashboard', { x: 0, y: 0, width: 800, height: 600 });
      store.flush();
      assert.equal(modeOf(file), 0o600);
    } finally {
      process.umask(old);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('window positions', () => {
  test('are remembered per window and not reused off-screen', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linedesk-bounds-'));
    try {
      const file = join(dir, 'window-bounds.json');
      const screens = [{ x: 0, y: 0, width: 1920, height: 1080 }];
      const store = new WindowBoundsStore(file);
      store.set('line:l1', { x: 100, y: 100, width: 400, height: 500 });
      store.set('line:l2', { x: 2500, y: 100, width: 400, height: 500 });
      store.flush();
      const again = new WindowBoundsStore(file);
      assert.deepEqual(again.get('line:l1', screens), { x: 100, y: 100, width: 400, height: 500 });
      assert.equal(again.get('line:l2', screens), undefined, 'its monitor is gone');
      assert.deepEqual(again.get('line:l2', [...screens, { x: 1920, y: 0, width: 1920, height: 1080 }])?.x, 2500);
      writeFileSync(file, 'not json');
      assert.equal(new WindowBoundsStore(file).get('line:l1', screens), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
