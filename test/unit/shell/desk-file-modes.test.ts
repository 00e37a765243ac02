import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigFileStore } from '../../../src-main/desk/config-file-store.js';
import { JsonPrefsStore } from '../../../src-main/desk/prefs-store.js';
import { defaultPrefs } from '../../../src-main/desk/settings-schema.js';
import { sampleConfig } from './fake-desk.js';

const modeOf = (f: string): number => statSync(f).mode & 0o777;

describe('browser mode\'s own files', { skip: process.platform === 'win32' ? 'POSIX modes' : false }, () => {
  test('a settings save writes the config file (passwords in it) 0600, even over a file that was 0644, under any umask', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linedesk-modes-'));
    const umask = process.umask(0);
    try {
      const file = join(dir, 'config.json');
      writeFileSync(file, JSON.stringify(sampleConfig));
      chmodSync(file, 0o644);
      const store = new ConfigFileStore(file);
      store.save(store.load().raw);
      assert.equal(modeOf(file), 0o600);
      assert.equal(store.passwordOf('l1'), 'one', 'without a vault the password stays in the file');
    } finally {
      process.umask(umask);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the prefs file (--prefs) is written 0600', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linedesk-modes-'));
    const umask = process.umask(0);
    try {
      const file = join(dir, 'prefs.json');
      new JsonPrefsStore(file).write({ ...defaultPrefs, locale: 'zh-CN' });
      assert.equal(modeOf(file), 0o600);
      assert.equal(new JsonPrefsStore(file).read().locale, 'zh-CN');
    } finally {
      process.umask(umask);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
