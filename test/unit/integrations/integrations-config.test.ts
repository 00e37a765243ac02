import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError, parseConfig } from '../../../src-main/config/load-config.js';
import { displayUrl, webhookSecret } from '../../../src-main/integrations/webhook-secret.js';

const base = {
  transport: { protocol: 'udp', bind: '127.0.0.1:0' },
  registrar: { uri: 'sip:127.0.0.1:5060', backups: [] },
  lines: [{ id: 'l1', aor: 'sip:200@127.0.0.1', username: '200', password: 'secret' }],
};
const secret = '0123456789abcdef';

function issues(integrations: unknown): string[] {
  try {
    parseConfig({ ...base, integrations });
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e.issues.map((i) => `${i.path}: ${i.message}`);
  }
  assert.fail('expected a ConfigError');
}

describe('integrations config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'linedesk-integrations-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('absent: no webhooks, no screen pop', () => {
    const c = parseConfig(base);
    assert.deepEqual(c.integrations, { webhooks: [] });
  });

  test('a webhook gets its defaults', () => {
    const c = parseConfig({ ...base, integrations: { webhooks: [{ url: 'https://crm.example.com/hook?token=x', events: ['call.offered', 'call.ended'], secret }], screenPop: { url: 'https://crm/p?n={from}' } } });
    assert.deepEqual(c.integrations.webhooks[0], { url: 'https://crm.example.com/hook?token=x', events: ['call.offered', 'call.ended'], secret, timeoutMs: 5_000, maxPending: 10_000, retryMinMs: 1_000, retryMaxMs: 60_000 });
    assert.deepEqual(c.integrations.screenPop, { url: 'https://crm/p?n={from}', on: 'offered' });
  });

  test('webhook URLs are http(s) only, without credentials, each once', () => {
    const hook = (url: string): object => ({ url, events: ['*'], secret });
    assert.deepEqual(issues({ webhooks: [hook('ftp://crm/hook')] }), ['integrations.webhooks[0].url: must be an http:// or https:// URL, not ftp:']);
    assert.deepEqual(issues({ webhooks: [hook('javascript:alert(1)')] }), ['integrations.webhooks[0].url: must be an http:// or https:// URL, not javascript:']);
    assert.deepEqual(issues({ webhooks: [hook('/relative')] }), ['integrations.webhooks[0].url: must be an absolute http:// or https:// URL']);
    assert.match(issues({ webhooks: [hook('https://u:p@crm/hook')] })[0]!, /must not hold a user name or password/);
    assert.deepEqual(issues({ webhooks: [hook('http://crm/h'), hook('http://crm/h')] }), ['integrations.webhooks[1].url: is configured twice']);
  });

  test('events must be known webhook events; exactly one of secret and secretFile; sane retry bounds', () => {
    assert.match(issues({ webhooks: [{ url: 'http://crm/h', events: ['call.ofered'], secret }] })[0]!, /^integrations\.webhooks\[0\]\.events\[0\]: must be "\*" or one of ready, line\.state/);
    assert.match(issues({ webhooks: [{ url: 'http://crm/h', events: ['stats'], secret }] })[0]!, /events\[0\]/);
    assert.match(issues({ webhooks: [{ url: 'http://crm/h', events: [], secret }] })[0]!, /needs at least one event/);
    assert.match(issues({ webhooks: [{ url: 'http://crm/h', events: ['*'] }] })[0]!, /secret: needs exactly one of secret or secretFile/);
    assert.match(issues({ webhooks: [{ url: 'http://crm/h', events: ['*'], secret, secretFile: 'x' }] })[0]!, /needs exactly one/);
    assert.match(issues({ webhooks: [{ url: 'http://crm/h', events: ['*'], secret: 'short' }] })[0]!, /at least 16 characters/);
    assert.match(issues({ webhooks: [{ url: 'http://crm/h', events: ['*'], secret, retryMinMs: 5_000, retryMaxMs: 1_000 }] })[0]!, /retryMaxMs: must not be smaller than retryMinMs/);
  });

  test('a screen-pop template must be http(s) with known placeholders; the scheme and host cannot come from one', () => {
    assert.match(issues({ screenPop: { url: 'https://crm/p?n={number}' } })[0]!, /unknown placeholder \{number\}/);
    assert.match(issues({ screenPop: { url: 'javascript:open("{from}")' } })[0]!, /not javascript:/);
    assert.match(issues({ screenPop: { url: 'file:///home/{agent}' } })[0]!, /not file:/);
    assert.match(issues({ screenPop: { url: '{from}' } })[0]!, /absolute http/);
    assert.match(issues({ screenPop: { url: 'https://crm/p', on: 'ringing' } })[0]!, /screenPop\.on/);
  });

  test('secretFile is read relative to the config folder, without its final newline', () => {
    writeFileSync(join(dir, 'hook.secret'), 'from-a-file-0123456789\n');
    writeFileSync(join(dir, 'short.secret'), 'abc\n');
    const w = (secretFile: string) => parseConfig({ ...base, integrations: { webhooks: [{ url: 'http://crm/h', events: ['*'], secretFile }] } }).integrations.webhooks[0]!;
    assert.equal(webhookSecret(w('hook.secret'), dir), 'from-a-file-0123456789');
    assert.throws(() => webhookSecret(w('short.secret'), dir), /must be at least 16 characters/);
    assert.throws(() => webhookSecret(w('missing.secret'), dir), /cannot read secretFile .*missing\.secret/);
  });

  test('logs and events show a webhook URL without its query', () => {
    assert.equal(displayUrl('https://crm.example.com:8443/hook?token=s3cret#x'), 'https://crm.example.com:8443/hook');
  });
});
