import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '../../../../src-main/common/logger.js';
import { PbxAddresses } from '../../../../src-main/sip/dns/pbx-addresses.js';
import { SipResolver } from '../../../../src-main/sip/dns/sip-resolver.js';
import { DnsResolutionError, targetKey, type SipTarget } from '../../../../src-main/sip/dns/sip-target.js';
import { peerSkipReason, startDnsmasq, type Dnsmasq } from '../../../support/dnsmasq.js';
import { FakeClock } from '../../../support/fake-clock.js';

const skip = peerSkipReason('dnsmasq');
const keys = (ts: SipTarget[]): string[] => ts.map(targetKey);

describe('RFC 3263 resolution against a real DNS server (dnsmasq)', { skip, timeout: 60_000 }, () => {
  let dns: Dnsmasq;
  before(async () => {
    dns = await startDnsmasq({
      ttlSec: 5,
      naptr: [
        { name: 'pbx.test', order: 10, preference: 10, flags: 'S', service: 'SIP+D2T', replacement: '_sip._tcp.nodes.pbx.test' },
        { name: 'pbx.test', order: 20, preference: 10, flags: 'S', service: 'SIP+D2U', replacement: '_sip._udp.nodes.pbx.test' },
        { name: 'pbx.test', order: 30, preference: 10, flags: 'S', service: 'SIPS+D2T', replacement: '_sips._tcp.nodes.pbx.test' },
      ],
      srv: [
        { name: '_sip._udp.nodes.pbx.test', target: 'b.pbx.test', port: 5072, priority: 20, weight: 10 },
        { name: '_sip._udp.nodes.pbx.test', target: 'a.pbx.test', port: 5071, priority: 10, weight: 10 },
        { name: '_sip._tcp.nodes.pbx.test', target: 'a.pbx.test', port: 5081, priority: 10, weight: 10 },
        { name: '_sips._tcp.nodes.pbx.test', target: 'a.pbx.test', port: 5091, priority: 10, weight: 10 },
        // no NAPTR for this name: straight to SRV
        { name: '_sip._udp.srv-only.test', target: 'b.pbx.test', port: 6000, priority: 1, weight: 0 },
      ],
      hosts: {
        'a.pbx.test': ['192.0.2.10'],
        'b.pbx.test': ['192.0.2.20', '2001:db8::20'],
        'plain.test': ['192.0.2.30'],
        'pbx.test': ['192.0.2.99'],
      },
    });
  });
  after(async () => {
    await dns?.stop();
  });

  const resolver = (clock = new FakeClock()): SipResolver => new SipResolver({ servers: [dns.server], clock, log: silentLogger, random: () => 0 });

  test('NAPTR picks the SRV name of our transport; SRV priority orders the nodes; each node gives its A then AAAA addresses', async () => {
    const r = resolver();
    assert.deepEqual(keys(await r.resolve({ host: 'pbx.test', protocol: 'udp' })), ['udp:192.0.2.10:5071', 'udp:192.0.2.20:5072', 'udp:[2001:db8::20]:5072']);
    assert.deepEqual(keys(await r.resolve({ host: 'pbx.test', protocol: 'tcp' })), ['tcp:192.0.2.10:5081']);
    assert.deepEqual(keys(await r.resolve({ host: 'pbx.test', protocol: 'tls' })), ['tls:192.0.2.10:5091']);
    const first = (await r.resolve({ host: 'pbx.test', protocol: 'udp' }))[0]!;
    assert.equal(first.name, 'a.pbx.test', 'a target remembers the SRV name it came from');
  });

  test('a UDP socket of one family gets only addresses of that family', async () => {
    const r = resolver();
    assert.deepEqual(keys(await r.resolve({ host: 'pbx.test', protocol: 'udp', family: 4 })), ['udp:192.0.2.10:5071', 'udp:192.0.2.20:5072']);
    assert.deepEqual(keys(await r.resolve({ host: 'pbx.test', protocol: 'udp', family: 6 })), ['udp:[2001:db8::20]:5072']);
  });

  test('without NAPTR, SRV; without SRV either, the A record on the default port', async () => {
    const r = resolver();
    assert.deepEqual(keys(await r.resolve({ host: 'srv-only.test', protocol: 'udp', family: 4 })), ['udp:192.0.2.20:6000']);
    assert.deepEqual(keys(await r.resolve({ host: 'plain.test', protocol: 'udp' })), ['udp:192.0.2.30:5060']);
    assert.deepEqual(keys(await r.resolve({ host: 'plain.test', protocol: 'tls' })), ['tls:192.0.2.30:5061']);
  });

  test('an explicit port or an IP literal skips NAPTR and SRV', async () => {
    const r = resolver();
    const before = dns.queries('NAPTR', 'pbx.test');
    assert.deepEqual(keys(await r.resolve({ host: 'pbx.test', port: 5999, protocol: 'udp' })), ['udp:192.0.2.99:5999']);
    assert.equal(dns.queries('NAPTR', 'pbx.test'), before, 'no NAPTR query for host:port');
    assert.deepEqual(keys(await r.resolve({ host: '198.51.100.7', protocol: 'tcp' })), ['tcp:198.51.100.7:5060']);
    assert.deepEqual(keys(await r.resolve({ host: '2001:db8::7', port: 5070, protocol: 'udp' })), ['udp:[2001:db8::7]:5070']);
  });

  test('an unknown name is a DnsResolutionError that names it', async () => {
    await assert.rejects(resolver().resolve({ host: 'nowhere.test', protocol: 'udp' }), (e: unknown) => e instanceof DnsResolutionError && /nowhere\.test/.test(e.message));
  });

  test('answers are cached for their TTL (5 s here), shared by concurrent callers, then asked again', async () => {
    const clock = new FakeClock();
    const r = resolver(clock);
    const n0 = dns.queries('SRV', '_sip._udp.srv-only.test');
    const many = await Promise.all(Array.from({ length: 20 }, () => r.resolve({ host: 'srv-only.test', protocol: 'udp' })));
    assert.ok(many.every((m) => m === many[0]));
    assert.equal(dns.queries('SRV', '_sip._udp.srv-only.test') - n0, 1, 'twenty lines, one query');
    clock.advance(4_000);
    await r.resolve({ host: 'srv-only.test', protocol: 'udp' });
    assert.equal(dns.queries('SRV', '_sip._udp.srv-only.test') - n0, 1, 'still fresh at 4 s');
    clock.advance(1_500);
    await r.resolve({ host: 'srv-only.test', protocol: 'udp' });
    assert.equal(dns.queries('SRV', '_sip._udp.srv-only.test') - n0, 2, 'asked again after the TTL');
  });

  test('the PBX address list holds every target of every destination', async () => {
    const clock = new FakeClock();
    const list = new PbxAddresses(resolver(clock), [{ host: 'pbx.test', protocol: 'udp' }, { host: 'plain.test', protocol: 'udp' }, { host: 'nowhere.test', protocol: 'udp' }], clock, silentLogger);
    await list.start();
    try {
      assert.deepEqual([...list.addresses()].sort(), ['192.0.2.10', '192.0.2.20', '192.0.2.30', '2001:db8::20']);
      assert.ok(list.has('[2001:DB8::20]'));
      assert.equal(list.has('192.0.2.99'), false, 'the A record of the SRV domain itself is not a target');
    } finally {
      list.stop();
    }
  });
});

describe('RFC 3263 resolution when the DNS server goes away', { skip, timeout: 30_000 }, () => {
  test('the last answer is kept rather than losing the PBX', async () => {
    const dns = await startDnsmasq({ ttlSec: 1, srv: [{ name: '_sip._tcp.pbx.test', target: 'a.pbx.test', port: 5081, priority: 1, weight: 1 }], hosts: { 'a.pbx.test': ['192.0.2.10'] } });
    const clock = new FakeClock();
    const r = new SipResolver({ servers: [dns.server], clock, log: silentLogger, timeoutMs: 200 });
    try {
      assert.deepEqual(keys(await r.resolve({ host: 'pbx.test', protocol: 'tcp' })), ['tcp:192.0.2.10:5081']);
    } finally {
      await dns.stop();
    }
    clock.advance(10_000);
    assert.deepEqual(keys(await r.resolve({ host: 'pbx.test', protocol: 'tcp' })), ['tcp:192.0.2.10:5081']);
    await assert.rejects(r.resolve({ host: 'other.test', protocol: 'tcp' }), DnsResolutionError, 'a name never resolved still fails');
  });
});
