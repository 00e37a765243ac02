import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Grammar, type NameAddrHeader } from 'sip.js';
import { printable, referTargetOf } from '../../../src-main/calls/refer-target.js';

/** A Refer-To header value as sip.js parses it off the wire. */
function referTo(value: string): NameAddrHeader | undefined {
  const parsed = Grammar.parse(value, 'Refer_To') as NameAddrHeader | -1;
  return parsed === -1 ? undefined : parsed;
}
const target = (value: string) => referTargetOf(referTo(value));

describe('what a Refer-To asks LineDesk to call', () => {
  test('a plain SIP URI is called as scheme:user@host[:port], keeping only user=phone', () => {
    assert.deepEqual(target('<sip:999@pbx.example.com>'), { ok: true, target: 'sip:999@pbx.example.com' });
    assert.deepEqual(target('"Sales" <sip:+4930123@PBX.example.com:5070;user=phone;transport=tcp;lr>'), { ok: true, target: 'sip:+4930123@pbx.example.com:5070;user=phone' });
    assert.deepEqual(target('sips:alice.smith@[2001:db8::1]:5061'), { ok: true, target: 'sips:alice.smith@[2001:db8::1]:5061' });
    assert.deepEqual(target('<sip:200@pbx;method=INVITE>'), { ok: true, target: 'sip:200@pbx' });
    // escapes are decoded before anything looks at the user
    assert.deepEqual(target('<sip:%39%399@pbx>'), { ok: true, target: 'sip:999@pbx' });
  });

  test('what LineDesk would not show the agent as it would act is refused, with the reason', () => {
    const problem = (value: string): string => {
      const t = target(value);
      assert.equal(t.ok, false, value);
      return (t as { problem: string }).problem;
    };
    assert.match(problem('<sip:200@pbx?Replaces=abc%40h%3Bto-tag%3D1%3Bfrom-tag%3D2>'), /carries headers for the INVITE \(Replaces\)/);
    assert.match(problem('<sip:200@pbx?X-Evil=1&Subject=hi>'), /headers/);
    assert.match(problem('<sip:200@pbx;method=BYE>'), /asks for a BYE request, not a call/);
    assert.match(problem('<sip:200@pbx;method=SUBSCRIBE>'), /SUBSCRIBE/);
    assert.match(problem('<sip:200@pbx;maddr=evil.example.com>'), /maddr/);
    assert.match(problem('<sip:pbx.example.com>'), /no user part/);
    assert.match(problem('<sip:a%0d%0aX-Injected:%201@pbx>'), /user part "a\?\?X-Injected: 1" has characters LineDesk does not call/);
    assert.match(problem('<sip:a%40b@pbx>'), /characters/);
    assert.match(problem('<sip:1;x=y@pbx>'), /characters|not a host/);
    assert.equal(referTargetOf(undefined).ok, false);
  });

  test('text from the wire is shown without control or direction characters, bounded', () => {
    assert.equal(printable('a\r\nb\u202ec'), 'a??b?c');
    assert.equal(printable('x'.repeat(100), 10), `${'x'.repeat(10)}…`);
  });
});
