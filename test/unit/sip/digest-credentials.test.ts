import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { preferStrongestChallenge } from '../../../src-main/sip/auth/challenge-order.js';
import { DigestCredentials } from '../../../src-main/sip/auth/digest-credentials.js';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

describe('DigestCredentials', () => {
  test('RFC 2617 §3.5 example (MD5, qop=auth) gives the published response', () => {
    const d = new DigestCredentials('Mufasa', 'Circle Of Life', undefined, () => '0a4f113b');
    const ok = d.authenticate(
      { method: 'GET', ruri: '/dir/index.html' },
      { realm: 'testrealm@host.com', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', opaque: '5ccc069c403ebaf9f0171e9517f40e41', qop: 'auth,auth-int', algorithm: 'MD5' },
    );
    assert.ok(ok);
    assert.match(d.toString(), /response="6629fae49393a05397450978507c4ef1"/);
    assert.match(d.toString(), /nc=00000001/);
    assert.match(d.toString(), /opaque="5ccc069c403ebaf9f0171e9517f40e41"/);
  });

  test('RFC 7616 §3.9.1 example (SHA-256, qop=auth) gives the published response', () => {
    const d = new DigestCredentials('Mufasa', 'Circle of Life', undefined, () => 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ');
    assert.ok(
      d.authenticate(
        { method: 'GET', ruri: '/dir/index.html' },
        { realm: 'http-auth@example.org', nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v', opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS', qop: ['auth'], algorithm: 'SHA-256' },
      ),
    );
    assert.match(d.toString(), /response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"/);
    assert.match(d.toString(), /algorithm=SHA-256/);
  });

  test('no qop uses the RFC 2069 form; the nonce count grows per request', () => {
    const d = new DigestCredentials('200', 'secret', undefined, () => 'c');
    const ch = { realm: 'r', nonce: 'n' };
    assert.ok(d.authenticate({ method: 'REGISTER', ruri: 'sip:127.0.0.1' }, ch));
    const expected = md5(`${md5('200:r:secret')}:n:${md5('REGISTER:sip:127.0.0.1')}`);
    assert.match(d.toString(), new RegExp(`response="${expected}"`));
    const d2 = new DigestCredentials('200', 'secret', undefined, () => 'c');
    d2.authenticate({ method: 'REGISTER', ruri: 'sip:x' }, { realm: 'r', nonce: 'n', qop: 'auth' });
    d2.authenticate({ method: 'REGISTER', ruri: 'sip:x' }, { realm: 'r', nonce: 'n', qop: 'auth' });
    assert.match(d2.toString(), /nc=00000002/);
  });

  test('SHA-256-sess hashes the nonce and cnonce into HA1', () => {
    const d = new DigestCredentials('u', 'p', undefined, () => 'cn');
    d.authenticate({ method: 'INVITE', ruri: 'sip:a@b' }, { realm: 'r', nonce: 'n', qop: 'auth', algorithm: 'SHA-256-sess' });
    const ha1 = sha256(`${sha256('u:r:p')}:n:cn`);
    const expected = sha256(`${ha1}:n:00000001:cn:auth:${sha256('INVITE:sip:a@b')}`);
    assert.match(d.toString(), new RegExp(`response="${expected}"`));
  });

  test('qop=auth-int hashes the body of the request being authenticated (sip.js passes no body argument)', () => {
    const d = new DigestCredentials('u', 'p', undefined, () => 'cn');
    const sdp = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n';
    assert.ok(d.authenticate({ method: 'INVITE', ruri: 'sip:a@b', body: { body: sdp } }, { realm: 'r', nonce: 'n', qop: 'auth-int' }));
    const ha2 = md5(`INVITE:sip:a@b:${md5(sdp)}`);
    const expected = md5(`${md5('u:r:p')}:n:00000001:cn:auth-int:${ha2}`);
    assert.match(d.toString(), new RegExp(`response="${expected}"`));
    assert.match(d.toString(), /qop=auth-int/);
  });

  test('refuses unknown algorithms and challenges without realm or nonce', () => {
    const warnings: string[] = [];
    const d = new DigestCredentials('u', 'p', (m) => warnings.push(m));
    assert.equal(d.authenticate({ method: 'X', ruri: 'sip:a' }, { realm: 'r', nonce: 'n', algorithm: 'SHA-512-256' }), false);
    assert.equal(d.authenticate({ method: 'X', ruri: 'sip:a' }, { nonce: 'n' }), false);
    assert.equal(d.authenticate({ method: 'X', ruri: 'sip:a' }, { realm: 'r', nonce: 'n', qop: 'auth-conf' }), false);
    assert.equal(warnings.length, 3);
  });
});

describe('preferStrongestChallenge', () => {
  const head = (lines: string[]): string => ['SIP/2.0 401 Unauthorized', 'Via: SIP/2.0/UDP h;branch=z9hG4bK1', ...lines, 'Content-Length: 0', '', ''].join('\r\n');
  test('moves the SHA-256 challenge in front of MD5', () => {
    const text = head(['WWW-Authenticate: Digest realm="r", nonce="1", algorithm=MD5', 'WWW-Authenticate: Digest realm="r", nonce="2", algorithm=SHA-256']);
    const out = preferStrongestChallenge(text).split('\r\n');
    assert.match(out[2]!, /SHA-256/);
    assert.match(out[3]!, /MD5/);
  });
  test('leaves single challenges, unsupported-only lists and other messages alone', () => {
    const single = head(['WWW-Authenticate: Digest realm="r", nonce="1"']);
    assert.equal(preferStrongestChallenge(single), single);
    const unknownFirst = head(['WWW-Authenticate: Digest realm="r", nonce="1", algorithm=MD5', 'WWW-Authenticate: Digest realm="r", nonce="2", algorithm=SHA-512-256']);
    assert.equal(preferStrongestChallenge(unknownFirst), unknownFirst);
    const ok = 'SIP/2.0 200 OK\r\n\r\n';
    assert.equal(preferStrongestChallenge(ok), ok);
  });
});
