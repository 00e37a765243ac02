import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseConfig } from '../../../src-main/config/load-config.js';
import { configIssues, minimalConfig } from '../../support/config-fixture.js';
import { TeamConfigError, teamClientConfig } from '../../../src-main/team/team-connection.js';

describe('team config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'linedesk-team-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'alice.pw'), 's3cret-pass\n');
  writeFileSync(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');

  test('without team nothing changes; with it, defaults for role, service level and retries', () => {
    assert.equal(parseConfig(minimalConfig).team, undefined);
    const c = parseConfig({ ...minimalConfig, store: { path: 'x.sqlite' }, team: { database: 'postgres://alice@db.example.com/linedesk' } });
    assert.deepEqual({ role: c.team?.role, sl: c.team?.serviceLevelSeconds, retry: c.team?.retryMaxMs }, { role: 'agent', sl: 20, retry: 5_000 });
    assert.equal(c.agent.id, undefined, 'the module falls back to the first line’s username');
  });

  test('bad team settings are refused with the field named', () => {
    assert.deepEqual(configIssues({ ...minimalConfig, store: { path: ':memory:' }, team: { database: 'postgres://a@h/d' } }), [
      'store.path: team replication ships from the store file: store.path must be a file, not ":memory:"',
    ]);
    assert.match(configIssues({ ...minimalConfig, team: { database: 'mysql://a@h/d' } }).join('\n'), /team\.database/);
    assert.match(configIssues({ ...minimalConfig, team: { database: 'postgres://a@h/d', role: 'boss' } }).join('\n'), /team\.role/);
    assert.match(configIssues({ ...minimalConfig, team: { database: { host: 'h', user: 'u', password: 'inline' } } }).join('\n'), /team\.database/);
    assert.match(configIssues({ ...minimalConfig, agent: { id: 'has space' } }).join('\n'), /agent\.id/);
  });

  test('a URL becomes node-postgres settings, TLS verified by default, the password from its file', () => {
    const c = teamClientConfig({ url: 'postgres://alice@db.example.com:6432/team', passwordFile: 'alice.pw' }, dir);
    assert.equal(c.host, 'db.example.com');
    assert.equal(c.port, 6432);
    assert.equal(c.user, 'alice');
    assert.equal(c.database, 'team');
    assert.equal(c.password, 's3cret-pass');
    assert.deepEqual(c.ssl, { rejectUnauthorized: true });
    const withCa = teamClientConfig({ host: 'db', user: 'bob', ssl: { caFile: 'ca.pem', rejectUnauthorized: true } }, dir);
    assert.match(String((withCa.ssl as { ca?: string }).ca), /BEGIN CERTIFICATE/);
    assert.equal(teamClientConfig({ host: '127.0.0.1', user: 'bob', ssl: false }, dir).ssl, false);
  });

  test('passwords and TLS settings never ride in the URL; missing files are named', () => {
    assert.throws(() => teamClientConfig('postgres://alice:pw@db/linedesk', dir), (e: unknown) => e instanceof TeamConfigError && /must not hold a password/.test(e.message));
    assert.throws(() => teamClientConfig('postgres://alice@db/linedesk?sslmode=disable', dir), /URL parameter "sslmode" is not accepted/);
    assert.throws(() => teamClientConfig({ host: 'db', user: 'a', passwordFile: 'missing.pw' }, dir), (e: unknown) => e instanceof TeamConfigError && e.message.includes(join(dir, 'missing.pw')));
    assert.throws(() => teamClientConfig('postgres://db/linedesk', dir), /no user/);
  });
});
