import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ControlEvent } from '../../../src-main/contract/control-events.js';
import { openScreenPop } from '../../../src-main/electron-main/screen-pop-opener.js';
import { ScreenPopTrigger } from '../../../src-main/integrations/screen-pop-trigger.js';
import { screenPopUrl } from '../../../src-main/integrations/screen-pop.js';

const values = { from: '+49 30 123', to: '200', call: 'abc@10.0.0.1', agent: 'alice', line: 'l1' };

describe('screen pop URL template', () => {
  test('fills every placeholder, URL-encoded', () => {
    const r = screenPopUrl('https://crm.example.com/pop?from={from}&to={to}&call={call}&agent={agent}&line={line}', values);
    assert.deepEqual(r, { ok: true, url: 'https://crm.example.com/pop?from=%2B49%2030%20123&to=200&call=abc%4010.0.0.1&agent=alice&line=l1' });
  });

  test('a hostile caller number cannot add parameters, a fragment, a path or another host', () => {
    const r = screenPopUrl('https://crm.example.com/c/{from}?x={from}', { ...values, from: '1&admin=1#/../../evil.example//x y?z=ü' });
    assert.ok(r.ok);
    const u = new URL(r.url);
    assert.equal(u.host, 'crm.example.com');
    assert.deepEqual([...u.searchParams.keys()], ['x']);
    assert.equal(u.searchParams.get('x'), '1&admin=1#/../../evil.example//x y?z=ü');
    assert.equal(u.hash, '');
    assert.equal(decodeURIComponent(u.pathname.slice(3)), '1&admin=1#/../../evil.example//x y?z=ü');
  });

  test('refuses anything that is not http(s) after the substitution', () => {
    for (const template of ['{from}', '{from}:alert(1)', 'javascript:alert({from})', 'file:///etc/{from}', 'data:text/html,{from}']) {
      const r = screenPopUrl(template, { ...values, from: 'javascript:alert(1)//' });
      assert.equal(r.ok, false, template);
      assert.match(r.ok ? '' : r.reason, /http/);
    }
    // Encoded, a value cannot become a scheme either.
    assert.equal(screenPopUrl('{from}', { ...values, from: 'https://evil.example/' }).ok, false);
  });
});

describe('screen pop trigger', () => {
  const offered = (call: string, line: string): ControlEvent => ({ event: 'call.offered', call, line, from: '100', to: '200', attempt: 1 });

  test('on offered: once per call, even when ringall offers it on every line', () => {
    const refused: string[] = [];
    const t = new ScreenPopTrigger({ template: 'https://crm/p?c={call}&l={line}&a={agent}', on: 'offered', agent: 'alice', refused: (_c, r) => refused.push(r) });
    assert.deepEqual(t.onEvent(offered('c1', 'l1')), { event: 'screenpop', url: 'https://crm/p?c=c1&l=l1&a=alice', call: 'c1', line: 'l1' });
    assert.equal(t.onEvent(offered('c1', 'l2')), undefined);
    assert.equal(t.onEvent({ event: 'call.answered', call: 'c1', line: 'l2' }), undefined);
    t.onEvent({ event: 'call.ended', call: 'c1', reason: 'remote-hangup', code: 200 });
    assert.equal(t.onEvent(offered('c2', 'l2'))?.url, 'https://crm/p?c=c2&l=l2&a=alice');
    assert.deepEqual(refused, []);
  });

  test('on answered: when an offered call is answered, with the answering line; outbound calls pop nothing', () => {
    const t = new ScreenPopTrigger({ template: 'https://crm/p?from={from}&line={line}', on: 'answered', agent: 'a', refused: () => {} });
    assert.equal(t.onEvent(offered('c1', 'l1')), undefined);
    assert.equal(t.onEvent(offered('c1', 'l2')), undefined);
    assert.deepEqual(t.onEvent({ event: 'call.answered', call: 'c1', line: 'l2' }), { event: 'screenpop', url: 'https://crm/p?from=100&line=l2', call: 'c1', line: 'l2' });
    assert.equal(t.onEvent({ event: 'call.dialing', call: 'o1', line: 'l1', to: '300' }), undefined);
    assert.equal(t.onEvent({ event: 'call.answered', call: 'o1', line: 'l1' }), undefined);
  });
});

describe('the desktop app opens a screen pop', () => {
  test('in the browser, http(s) only, checked again before openExternal', async () => {
    const opened: string[] = [];
    const warned: string[] = [];
    const log = { warn: (m: string) => warned.push(m) };
    const open = (u: string): Promise<void> => {
      opened.push(u);
      return Promise.resolve();
    };
    assert.equal(openScreenPop('https://crm.example.com/p?x=1', open, log), true);
    for (const bad of ['javascript:alert(1)', 'file:///etc/passwd', 'smb://host/share', 'not a url', 'https://user:pw@crm/']) assert.equal(openScreenPop(bad, open, log), false, bad);
    assert.deepEqual(opened, ['https://crm.example.com/p?x=1']);
    assert.equal(warned.length, 5);
    assert.equal(openScreenPop('https://crm/', () => Promise.reject(new Error('no browser')), log), true);
    await new Promise((r) => setImmediate(r));
    assert.equal(warned.at(-1), 'could not open a screen pop');
  });
});
