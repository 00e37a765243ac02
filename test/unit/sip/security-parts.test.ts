import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CredentialGuard, defaultDigestPolicy } from '../../../src-main/sip/auth/credential-guard.js';
import { DigestCredentials } from '../../../src-main/sip/auth/digest-credentials.js';
import { requestDestinationHost } from '../../../src-main/sip/line/request-destination.js';
import { printable, RateLimitedLog } from '../../../src-main/sip/security/rate-limited-log.js';
import { plainAddress, SourceList } from '../../../src-main/sip/security/source-list.js';
import { FakeClock } from '../../support/fake-clock.js';

describe('SourceList', () => {
  test('addresses and CIDR ranges, IPv4 and IPv6; an IPv4-mapped address counts as IPv4', () => {
    const l = new SourceList(['192.0.2.10', '10.1.0.0/16', '2001:db8::/32']);
    assert.ok(l.has('192.0.2.10'));
    assert.ok(!l.has('192.0.2.11'));
    assert.ok(l.has('10.1.200.3'));
    assert.ok(!l.has('10.2.0.1'));
    assert.ok(l.has('2001:db8::5'));
    assert.ok(l.has('[2001:DB8::5]'));
    assert.ok(l.has('::ffff:10.1.0.9'));
    assert.ok(!l.has('pbx.example.com'));
    assert.ok(!new SourceList([]).has('127.0.0.1'));
    assert.equal(plainAddress('::FFFF:192.0.2.1'), '192.0.2.1');
  });
});

describe('RateLimitedLog', () => {
  test('once per key per interval, with the count held back; keys are capped', () => {
    const clock = new FakeClock();
    const log = new RateLimitedLog(clock, 60_000, 3);
    assert.equal(log.take('a'), 0);
    assert.equal(log.take('a'), undefined);
    assert.equal(log.take('a'), undefined);
    clock.advance(60_000);
    assert.equal(log.take('a'), 2);
    for (const k of ['b', 'c', 'd', 'e', 'f']) log.take(k);
    assert.ok(log.size <= 3);
  });

  test('printable cuts long wire text and shows control characters', () => {
    assert.equal(printable('a\x00b\r\n', 10), 'a\\x00b\\x0d\\x0a');
    assert.equal(printable('x'.repeat(50), 10), `${'x'.repeat(10)}…`);
  });
});

describe('CredentialGuard with DigestCredentials', () => {
  const register = { method: 'REGISTER', ruri: 'sip:pbx.example.com' };
  const byeViaPbx = { method: 'BYE', ruri: 'sip:far@192.0.2.99', toTag: 't', getHeader: (n: string) => (n === 'route' ? '<sip:192.0.2.1;lr>' : undefined) };
  const byeDirect = { method: 'BYE', ruri: 'sip:far@192.0.2.99', toTag: 't', getHeader: () => undefined };
  const pbxIs = (host: string | undefined): boolean => host === undefined || host === '192.0.2.1';
  const make = (policy = defaultDigestPolicy): { guard: CredentialGuard; creds: () => DigestCredentials; warnings: string[] } => {
    const warnings: string[] = [];
    const guard = new CredentialGuard(policy, (r) => pbxIs(requestDestinationHost(r, 'udp', false)));
    return { guard, warnings, creds: () => new DigestCredentials('220', 'pw', (m) => warnings.push(m), undefined, guard) };
  };

  test("the registrar's realm is learned on REGISTER; a BYE to the PBX in that realm is answered", () => {
    const { creds } = make();
    assert.ok(creds().authenticate(register, { realm: 'pbx', nonce: 'n1', qop: 'auth' }));
    assert.ok(creds().authenticate(byeViaPbx, { realm: 'pbx', nonce: 'n2', qop: 'auth' }));
  });

  test('another realm, or a request that goes elsewhere, gets no credentials', () => {
    const { creds, warnings } = make();
    assert.ok(creds().authenticate(register, { realm: 'pbx', nonce: 'n1', qop: 'auth' }));
    const evil = creds();
    assert.equal(evil.authenticate(byeViaPbx, { realm: 'evil', nonce: 'n3', qop: 'auth' }), false);
    assert.throws(() => evil.toString(), 'nothing was computed');
    assert.equal(creds().authenticate(byeDirect, { realm: 'pbx', nonce: 'n4', qop: 'auth' }), false, 'the far end reached directly may not use the PBX realm either');
    assert.match(warnings[0]!, /realm "evil", which the registrar never used/);
    assert.match(warnings[1]!, /not the registrar or outbound proxy/);
  });

  test('an INVITE before any REGISTER challenge gets no credentials (no realm learned)', () => {
    const { creds } = make();
    assert.equal(creds().authenticate({ method: 'INVITE', ruri: 'sip:300@pbx' }, { realm: 'pbx', nonce: 'n', qop: 'auth' }), false);
  });

  test('minAlgorithm SHA-256 refuses MD5; RFC 2069 (no qop) only with allowNoQop', () => {
    const strict = make({ minAlgorithm: 'SHA-256', allowNoQop: false });
    assert.equal(strict.creds().authenticate(register, { realm: 'pbx', nonce: 'n', qop: 'auth', algorithm: 'MD5' }), false);
    assert.equal(strict.creds().authenticate(register, { realm: 'pbx', nonce: 'n', qop: 'auth', algorithm: 'MD5-sess' }), false);
    assert.ok(strict.creds().authenticate(register, { realm: 'pbx', nonce: 'n', qop: 'auth', algorithm: 'SHA-256' }));
    assert.equal(strict.creds().authenticate(register, { realm: 'pbx', nonce: 'n', algorithm: 'SHA-256' }), false);
    assert.match(strict.warnings.join('\n'), /minAlgorithm is SHA-256[\s\S]*allowNoQop is off/);
    const lax = make({ minAlgorithm: 'MD5', allowNoQop: true });
    assert.ok(lax.creds().authenticate(register, { realm: 'pbx', nonce: 'n' }));
  });
});

describe('requestDestinationHost', () => {
  test('UDP in-dialog: the first Route, else the Request-URI; everything else goes to the next hop', () => {
    const r = { method: 'BYE', ruri: 'sip:far@[2001:db8::9]:5062', toTag: 't', getHeader: (): string | undefined => undefined };
    assert.equal(requestDestinationHost(r, 'udp', false), '2001:db8::9');
    assert.equal(requestDestinationHost({ ...r, getHeader: () => '<sip:10.0.0.1;lr>, <sip:10.0.0.2;lr>' }, 'udp', false), '10.0.0.1');
    assert.equal(requestDestinationHost(r, 'tcp', false), undefined);
    assert.equal(requestDestinationHost(r, 'udp', true), undefined);
    assert.equal(requestDestinationHost({ ...r, toTag: '' }, 'udp', false), undefined);
  });
});
