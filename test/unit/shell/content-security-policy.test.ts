import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { withCsp } from '../../../src-main/electron-main/session-security.js';
import { contentSecurityPolicy, securityHeaders } from '../../../src-main/desk/content-security-policy.js';
import { repoRoot } from '../../support/paths.js';

const directives = (csp: string): Map<string, string> => new Map(csp.split(';').map((d) => d.trim().split(/\s+(.*)/s).slice(0, 2) as [string, string]));

describe('Content-Security-Policy', () => {
  test('nothing inline, no eval, nothing from elsewhere', () => {
    const csp = contentSecurityPolicy('header');
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|unsafe-hashes|wasm-unsafe-eval|\*|https?:|data:.*script/);
    const d = directives(csp);
    assert.equal(d.get('default-src'), "'none'");
    assert.equal(d.get('script-src'), "'self'");
    assert.equal(d.get('style-src'), "'self'");
    assert.equal(d.get('connect-src'), "'self'");
    assert.equal(d.get('object-src'), "'none'");
    assert.equal(d.get('base-uri'), "'none'");
    assert.equal(d.get('form-action'), "'none'");
    assert.equal(d.get('frame-ancestors'), "'none'");
  });

  test("index.html's <meta> carries the same policy, less what a meta tag cannot carry", () => {
    const html = readFileSync(join(repoRoot(), 'src-renderer', 'index.html'), 'utf8');
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
    assert.equal(meta, contentSecurityPolicy('meta'));
    assert.ok(!contentSecurityPolicy('meta').includes('frame-ancestors'));
  });

  test('the built renderer has no inline script or style (what the policy would block)', (t) => {
    let html: string;
    try {
      html = readFileSync(join(repoRoot(), 'dist', 'renderer', 'index.html'), 'utf8');
    } catch {
      t.skip('dist/renderer is not built (npm run build:renderer)');
      return;
    }
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/);
    assert.doesNotMatch(html, /<style[\s>]|\sstyle="/);
    assert.doesNotMatch(html, /\son[a-z]+="/);
  });

  test('the session adds the policy to every response and replaces a looser one', () => {
    const out = withCsp({ 'content-security-policy': ["default-src *; script-src 'unsafe-inline'"], 'Content-Type': ['text/html'] });
    assert.deepEqual(out['Content-Security-Policy'], [contentSecurityPolicy('header')]);
    assert.equal(out['content-security-policy'], undefined);
    assert.deepEqual(out['Content-Type'], ['text/html']);
    assert.deepEqual(withCsp(undefined)['Content-Security-Policy'], [contentSecurityPolicy('header')]);
  });

  test('pages are also served nosniff, without referrer, not framable, with no device permissions', () => {
    const h = securityHeaders();
    assert.equal(h['X-Content-Type-Options'], 'nosniff');
    assert.equal(h['Referrer-Policy'], 'no-referrer');
    assert.equal(h['X-Frame-Options'], 'DENY');
    assert.match(h['Permissions-Policy']!, /microphone=\(\)/);
  });
});
