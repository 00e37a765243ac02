import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bareHost, uriHost } from '../../../src-main/sip/message/uri-host.js';

describe('uriHost / bareHost', () => {
  test('an IPv6 address gets brackets in a URI or Via, and loses them again for a socket', () => {
    assert.equal(uriHost('::1'), '[::1]');
    assert.equal(uriHost('2001:db8::10'), '[2001:db8::10]');
    assert.equal(bareHost('[2001:db8::10]'), '2001:db8::10');
  });
  test('IPv4 addresses and host names are left as they are', () => {
    assert.equal(uriHost('192.0.2.1'), '192.0.2.1');
    assert.equal(uriHost('pbx.example.com'), 'pbx.example.com');
    assert.equal(uriHost('[::1]'), '[::1]', 'already a reference');
    assert.equal(bareHost('192.0.2.1'), '192.0.2.1');
  });
});
