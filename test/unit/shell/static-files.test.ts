import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { resolveStaticFile } from '../../../src-main/desk/static-files.js';

describe('static files of the renderer', () => {
  let root: string;
  let outside: string;
  before(() => {
    outside = mkdtempSync(join(tmpdir(), 'linedesk-static-'));
    root = join(outside, 'renderer');
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html>');
    writeFileSync(join(root, 'assets', 'app.js'), '');
    writeFileSync(join(root, 'assets', 'app.css'), '');
    writeFileSync(join(root, 'favicon.svg'), '<svg/>');
    writeFileSync(join(root, '.secret'), 'x');
    writeFileSync(join(outside, 'config.json'), '{"password":"x"}');
  });
  after(() => rmSync(outside, { recursive: true, force: true }));

  test('"/" and a query string give index.html as HTML', () => {
    for (const url of ['/', '/?window=line&line=l1', '/index.html']) {
      const r = resolveStaticFile(root, url);
      assert.ok(r.ok, url);
      assert.equal(r.file, join(root, 'index.html'));
      assert.equal(r.type, 'text/html; charset=utf-8');
    }
  });

  test('scripts, styles and images get their MIME types', () => {
    const type = (url: string): string | undefined => {
      const r = resolveStaticFile(root, url);
      return r.ok ? r.type : undefined;
    };
    assert.equal(type('/assets/app.js'), 'text/javascript; charset=utf-8');
    assert.equal(type('/assets/app.css'), 'text/css; charset=utf-8');
    assert.equal(type('/favicon.svg'), 'image/svg+xml');
  });

  test('every way out of the folder is refused', () => {
    const attempts = [
      '/../config.json',
      '/assets/../../config.json',
      '/%2e%2e/config.json',
      '/%2E%2E%2Fconfig.json',
      '/..%2fconfig.json',
      '/..%5cconfig.json',
      '/assets\\..\\..\\config.json',
      '/index.html%00.js',
      '/.secret',
      '/%',
      'config.json',
    ];
    for (const url of attempts) {
      const r = resolveStaticFile(root, url);
      assert.equal(r.ok, false, url);
      assert.equal(r.ok ? 0 : r.status, 400, url);
    }
  });

  test('a missing file is 404', () => {
    const r = resolveStaticFile(root, '/assets/missing.js');
    assert.deepEqual(r, { ok: false, status: 404 });
  });
});
