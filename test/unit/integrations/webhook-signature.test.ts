import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { signWebhook, verifyWebhook } from '../../../src-main/integrations/webhook-signature.js';

const secret = 'whsec-0123456789abcdef';
const body = '{"event":"call.offered","call":"a@b","from":"+4930123","ts":1795671911512}';

describe('webhook signature (X-LineDesk-Signature)', () => {
  test('is t=<seconds>,v1=<HMAC-SHA256 of "t.body"> in hex, which any HMAC implementation reproduces', () => {
    const header = signWebhook(secret, body, 1_795_671_911);
    const expected = createHmac('sha256', secret).update(`1795671911.${body}`).digest('hex');
    assert.equal(header, `t=1795671911,v1=${expected}`);
  });

  test('verifies with the same secret, body and a timestamp within the tolerance', () => {
    const header = signWebhook(secret, body, 1_000_000);
    assert.deepEqual(verifyWebhook(secret, body, header, 1_000_000), { ok: true, timestampSec: 1_000_000 });
    assert.equal(verifyWebhook(secret, body, header, 1_000_299).ok, true);
    assert.equal(verifyWebhook(secret, body, header, 999_701).ok, true);
  });

  test('refuses a changed body, another secret, a moved timestamp, and a missing or garbled header', () => {
    const header = signWebhook(secret, body, 1_000_000);
    const bad = (b: string, h: string | undefined, s = secret): string => {
      const r = verifyWebhook(s, b, h, 1_000_000);
      assert.equal(r.ok, false);
      return r.ok ? '' : r.reason;
    };
    assert.match(bad(body.replace('+4930123', '+4930124'), header), /does not match/);
    assert.match(bad(body + ' ', header), /does not match/);
    assert.match(bad(body, header, 'another-secret-0123456'), /does not match/);
    // The same v1 with another timestamp: the timestamp is signed too.
    assert.match(bad(body, header.replace('t=1000000', 't=1000001')), /does not match/);
    assert.match(bad(body, undefined), /no signature header/);
    assert.match(bad(body, 'v1=abc'), /no timestamp/);
    assert.match(bad(body, 't=1000000'), /no v1 signature/);
    assert.match(bad(body, 't=1000000,v1=zz'), /no v1 signature/);
  });

  test('refuses a replay: a valid signature whose timestamp is outside the tolerance', () => {
    const header = signWebhook(secret, body, 1_000_000);
    const late = verifyWebhook(secret, body, header, 1_000_301);
    assert.equal(late.ok, false);
    assert.match(late.ok ? '' : late.reason, /replay/);
    assert.equal(verifyWebhook(secret, body, header, 1_000_000 + 3_600, 7_200).ok, true, 'a receiver may choose a wider window');
  });

  test('accepts the header when one of several v1 values matches (a receiver during a secret change)', () => {
    const header = signWebhook(secret, body, 1_000_000);
    const other = signWebhook('old-secret-0123456789', body, 1_000_000).split('v1=')[1]!;
    assert.equal(verifyWebhook(secret, body, `${header},v1=${other}`, 1_000_000).ok, true);
  });
});
