import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { readJsonOr, writeJsonAtomic } from '../../../src-main/common/json-file.js';

describe('JSON files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'linedesk-json-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a write replaces the file whole and leaves no temporary file', () => {
    const file = join(dir, 'a.json');
    writeJsonAtomic(file, { a: 1 });
    writeJsonAtomic(file, { b: [1, 2] });
    assert.equal(readFileSync(file, 'utf8'), '{\n  "b": [\n    1,\n    2\n  ]\n}\n');
    assert.deepEqual(readdirSync(dir), ['a.json']);
  });

  test('with a mode the file has exactly it, even over a temporary file left with another', { skip: process.platform === 'win32' }, () => {
    const file = join(dir, 'secret.json');
    writeFileSync(`${file}.${process.pid}.tmp`, 'junk', { mode: 0o644 });
    writeJsonAtomic(file, { s: 'x' }, { mode: 0o600 });
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  test('reading gives the fallback for a missing or broken file', () => {
    assert.deepEqual(readJsonOr(join(dir, 'missing.json'), {}), {});
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ not json');
    assert.equal(readJsonOr(broken, undefined), undefined);
    writeJsonAtomic(broken, [1]);
    assert.deepEqual(readJsonOr(broken, undefined), [1]);
  });
});
