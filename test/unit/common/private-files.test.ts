import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { writeJsonAtomic } from '../../../src-main/common/json-file.js';
import { ensurePrivateDir, ensurePrivateFile, readableByOthers, restrictFiles } from '../../../src-main/common/private-files.js';

const posix = process.platform !== 'win32';
const modeOf = (path: string): number => statSync(path).mode & 0o777;

/** Runs `fn` with the loosest umask, so a mode that comes out right is not the umask's doing. */
function underUmask<T>(mask: number, fn: () => T): T {
  const old = process.umask(mask);
  try {
    return fn();
  } finally {
    process.umask(old);
  }
}

describe('owner-only files and folders', { skip: posix ? false : 'POSIX modes' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'linedesk-private-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a folder is created 0700 whatever the umask, and an existing looser one is tightened', () => {
    const fresh = join(dir, 'a', 'b');
    underUmask(0, () => ensurePrivateDir(fresh));
    assert.equal(modeOf(fresh), 0o700);
    const loose = join(dir, 'loose');
    mkdirSync(loose);
    chmodSync(loose, 0o755);
    ensurePrivateDir(loose);
    assert.equal(modeOf(loose), 0o700);
  });

  test('a file is created empty and 0600, or tightened to 0600 with its content kept', () => {
    const fresh = join(dir, 'fresh.db');
    underUmask(0, () => ensurePrivateFile(fresh));
    assert.equal(modeOf(fresh), 0o600);
    assert.equal(statSync(fresh).size, 0);
    const old = join(dir, 'old.log');
    writeFileSync(old, 'kept\n', { mode: 0o644 });
    chmodSync(old, 0o644);
    assert.equal(readableByOthers(old), true);
    ensurePrivateFile(old);
    assert.equal(modeOf(old), 0o600);
    assert.equal(readFileSync(old, 'utf8'), 'kept\n');
    assert.equal(readableByOthers(old), false);
  });

  test('restrictFiles tightens the files that exist and skips the missing ones', () => {
    const present = join(dir, 'present.json');
    writeFileSync(present, '{}');
    chmodSync(present, 0o666);
    restrictFiles([present, join(dir, 'missing.json')]);
    assert.equal(modeOf(present), 0o600);
  });

  test('an atomic JSON write with a mode gives exactly it under any umask, and over a leftover temporary file', () => {
    const file = join(dir, 'secrets.json');
    writeFileSync(`${file}.${process.pid}.tmp`, 'leftover', { mode: 0o666 });
    chmodSync(`${file}.${process.pid}.tmp`, 0o666);
    underUmask(0, () => writeJsonAtomic(file, { s: 'x' }, { mode: 0o600 }));
    assert.equal(modeOf(file), 0o600);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { s: 'x' });
    underUmask(0o277, () => writeJsonAtomic(file, { s: 'y' }, { mode: 0o600 }));
    assert.equal(modeOf(file), 0o600, 'a umask that strips the owner\'s write bit does not leave the file read-only');
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { s: 'y' });
  });
});
