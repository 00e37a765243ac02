import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Grammar } from 'sip.js';
import { parseConfig } from '../../../src-main/config/load-config.js';
import { configIssues, minimalConfig } from '../../support/config-fixture.js';
import { lineSettings } from '../../../src-main/core/line-settings-from-config.js';

describe('config: dns and nat', () => {
  test('defaults: the system resolver, 30 s skip of a failed target; Contact from Via, 20 s keep-alive, no outbound', () => {
    const c = parseConfig(minimalConfig);
    assert.deepEqual(c.dns, { servers: [], failedTargetSkipSec: 30, maxCacheSec: 300 });
    assert.deepEqual(c.nat, { contactFromVia: true, outbound: false, keepAliveMs: 20_000 });
  });

  test('dns.servers takes IPv4 or IPv6 addresses with an optional port, and nothing else', () => {
    const servers = ['10.0.0.53', '10.0.0.53:5353', '2001:db8::53', '[2001:db8::53]:5353'];
    assert.deepEqual(parseConfig({ ...minimalConfig, dns: { servers } }).dns.servers, servers);
    for (const bad of ['dns.example.com', '10.0.0.300', '10.0.0.53:0', '10.0.0.53:99999', '[10.0.0.53]:x']) {
      const msgs = configIssues({ ...minimalConfig, dns: { servers: [bad] } });
      assert.equal(msgs.length, 1, `${bad}: ${msgs.join('; ')}`);
      assert.match(msgs[0]!, /^dns\.servers\[0\]: must be an IP address/);
    }
  });

  test("each line gets a stable RFC 5626 instance id that sip.js accepts", () => {
    const c = parseConfig({ ...minimalConfig, nat: { outbound: true }, lines: [...minimalConfig.lines, { id: 'l2', aor: 'sip:201@pbx.example.com', username: '201', password: 's' }] });
    const [a, b] = c.lines.map((l) => lineSettings(c, l).nat!.instanceId!);
    assert.match(a!, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(a, b);
    assert.equal(lineSettings(c, c.lines[0]!).nat!.instanceId, a, 'the same on every start');
    assert.notEqual(Grammar.parse(a!, 'uuid'), -1, 'sip.js takes it as a UUID');
    assert.deepEqual(lineSettings(c, c.lines[0]!).nat, { contactFromVia: true, outbound: true, instanceId: a });
  });
});
