import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, parseConfig } from '../../../src-main/config/load-config.js';
import { parseReferPattern, ReferAllowList } from '../../../src-main/config/refer-patterns.js';

function pattern(text: string) {
  const p = parseReferPattern(text);
  if (typeof p === 'string') assert.fail(`"${text}" should parse: ${p}`);
  return p;
}

describe('allowReferTo patterns', () => {
  test('an exact URI matches that URI only (user exactly, host in any case, parameters ignored)', () => {
    const p = pattern('sip:200@pbx.example.com');
    assert.ok(p.matches('sip:200@pbx.example.com'));
    assert.ok(p.matches('sip:200@PBX.Example.com'));
    assert.ok(p.matches('sip:200@pbx.example.com;user=phone'));
    for (const t of ['sip:2000@pbx.example.com', 'sip:20@pbx.example.com', 'sip:200@pbx.example.org', 'sip:200@evil.pbx.example.com', 'sips:200@pbx.example.com', 'sip:200@pbx.example.com:5060']) {
      assert.equal(p.matches(t), false, t);
    }
  });

  test('* in the user part matches any run of characters, none included', () => {
    const p = pattern('sip:1*@pbx.example.com');
    for (const t of ['sip:1@pbx.example.com', 'sip:100@pbx.example.com', 'sip:1999@pbx.example.com', 'sip:1abc@pbx.example.com']) assert.ok(p.matches(t), t);
    for (const t of ['sip:21@pbx.example.com', 'sip:@pbx.example.com', 'sip:100@pbx.example.org']) assert.equal(p.matches(t), false, t);
    const any = pattern('sip:*@10.0.0.1');
    assert.ok(any.matches('sip:+4930123@10.0.0.1'));
    assert.equal(any.matches('sip:1@10.0.0.2'), false);
    const middle = pattern('sip:9*0@h');
    assert.ok(middle.matches('sip:90@h') && middle.matches('sip:9123450@h'));
    assert.equal(middle.matches('sip:9123@h'), false);
  });

  test('regular-expression characters in a pattern are literal', () => {
    const p = pattern("sip:a.b+(c)@h");
    assert.ok(p.matches("sip:a.b+(c)@h"));
    assert.equal(p.matches('sip:aXb+(c)@h'), false);
    assert.equal(p.matches('sip:a.bb(c)@h'), false);
  });

  test('a port in the pattern must be the target\'s; none matches only none; IPv6 hosts work', () => {
    const p = pattern('sip:*@pbx:5070');
    assert.ok(p.matches('sip:1@pbx:5070'));
    assert.equal(p.matches('sip:1@pbx'), false);
    assert.equal(p.matches('sip:1@pbx:5060'), false);
    const v6 = pattern('sips:200@[2001:db8::1]:5061');
    assert.ok(v6.matches('sips:200@[2001:db8::1]:5061'));
    assert.equal(v6.matches('sip:200@[2001:db8::1]:5061'), false);
  });

  test('anything else is not a pattern, and the message shows how to write one', () => {
    for (const bad of ['200', 'sip:pbx.example.com', 'tel:+4930123', 'sip:1*@*.example.com', 'sip:200@pbx;transport=tcp', 'sip:2 0@pbx', 'sip:200@pbx:0', 'sip:200@pbx:99999', '<sip:200@pbx>', 'sip:200@-pbx']) {
      const p = parseReferPattern(bad);
      assert.equal(typeof p, 'string', bad);
      assert.match(p as string, /is not a REFER target pattern: write sip:USER@HOST|the port must be 1-65535/, bad);
    }
  });

  test('an allow list names the first pattern that matches; an empty one matches nothing', () => {
    const list = new ReferAllowList(['sip:200@pbx', 'sip:2*@pbx']);
    assert.equal(list.match('sip:200@pbx')?.text, 'sip:200@pbx');
    assert.equal(list.match('sip:201@pbx')?.text, 'sip:2*@pbx');
    assert.equal(list.match('sip:300@pbx'), undefined);
    assert.equal(new ReferAllowList().match('sip:200@pbx'), undefined);
    assert.throws(() => new ReferAllowList(['bogus']), /not a REFER target pattern/);
  });

  test('the config schema checks each pattern and allows the list on service lines only', () => {
    const base = {
      transport: { protocol: 'udp' },
      registrar: { uri: 'sip:127.0.0.1' },
      lines: [
        { id: 'agent', aor: 'sip:200@127.0.0.1', username: '200', password: 'x' },
        { id: 'svc', aor: 'sip:201@127.0.0.1', username: '201', password: 'x', autoAnswerMs: 0, allowReferTo: ['sip:3*@127.0.0.1'] },
      ],
    };
    assert.deepEqual(parseConfig(base).lines[1]!.allowReferTo, ['sip:3*@127.0.0.1']);
    const messages = (raw: unknown): string[] => {
      try {
        parseConfig(raw);
      } catch (e) {
        assert.ok(e instanceof ConfigError);
        return e.issues.map((i) => `${i.path}: ${i.message}`);
      }
      return [];
    };
    const bad = structuredClone(base);
    bad.lines[1]!.allowReferTo = ['sip:3*@127.0.0.1', '3*'];
    assert.match(messages(bad).join('\n'), /^lines\[1\]\.allowReferTo\[1\]: "3\*" is not a REFER target pattern/m);
    const onAgent = structuredClone(base) as { lines: Record<string, unknown>[] };
    onAgent.lines[0]!.allowReferTo = ['sip:3*@127.0.0.1'];
    assert.match(messages(onAgent).join('\n'), /^lines\[0\]\.allowReferTo: applies to service lines \(autoAnswerMs\) only/m);
  });
});
