import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startDnsmasq, type Dnsmasq } from '../support/dnsmasq.js';
import { HeadlessRunner } from '../support/headless-runner.js';
import { peerSkipReason, startKamailio, type Kamailio } from '../support/kamailio.js';
import { runSipp } from '../support/sipp.js';

const skip = peerSkipReason('kamailio', 'sipp', 'dnsmasq');

/**
 * RFC 3263 against real servers: a real DNS server (dnsmasq) serves pbx.test, whose NAPTR
 * and SRV records name two Kamailios (priority 10 and 20). LineDesk knows only the name
 * and the DNS server; the lines must register on the first, and move to the second when
 * the first dies.
 */
describe('registrar found by DNS (NAPTR → SRV → A) and failover between its SRV targets', { skip, timeout: 120_000 }, () => {
  let k1: Kamailio;
  let k2: Kamailio;
  let dns: Dnsmasq;
  let runner: HeadlessRunner;
  const lines = [
    { id: 'u1', ext: '205', transport: 'udp' },
    { id: 'u2', ext: '206', transport: 'udp' },
    { id: 't1', ext: '207', transport: 'tcp' },
  ];

  before(async () => {
    k1 = await startKamailio({ auth: true });
    k2 = await startKamailio({ auth: true });
    dns = await startDnsmasq({
      ttlSec: 2,
      naptr: [
        { name: 'pbx.test', order: 10, preference: 10, flags: 'S', service: 'SIP+D2U', replacement: '_sip._udp.pbx.test' },
        { name: 'pbx.test', order: 20, preference: 10, flags: 'S', service: 'SIP+D2T', replacement: '_sip._tcp.pbx.test' },
      ],
      srv: [
        { name: '_sip._udp.pbx.test', target: 'node1.pbx.test', port: k1.udpPort, priority: 10, weight: 100 },
        { name: '_sip._udp.pbx.test', target: 'node2.pbx.test', port: k2.udpPort, priority: 20, weight: 100 },
        { name: '_sip._tcp.pbx.test', target: 'node1.pbx.test', port: k1.tcpPort, priority: 10, weight: 100 },
        { name: '_sip._tcp.pbx.test', target: 'node2.pbx.test', port: k2.tcpPort, priority: 20, weight: 100 },
      ],
      hosts: { 'node1.pbx.test': ['127.0.0.1'], 'node2.pbx.test': ['127.0.0.1'] },
    });
    runner = new HeadlessRunner({
      transport: [
        // Any address, and no media.address: the local address is chosen toward the first DNS target.
        { protocol: 'udp', bind: '0.0.0.0:0' },
        { protocol: 'tcp', bind: '127.0.0.1:0' },
      ],
      registrar: { uri: 'sip:pbx.test' },
      dns: { servers: [dns.server] },
      lines: lines.map((l) => ({ id: l.id, aor: `sip:${l.ext}@127.0.0.1`, username: l.ext, password: 'secret', transport: l.transport, autoAnswerMs: 0 })),
      // A short heartbeat: a UDP registrar that dies says nothing, only silence tells.
      timers: { retryMinMs: 200, retryMaxMs: 2000, heartbeatMs: 500, heartbeatMisses: 2, unregisterTimeoutMs: 1000 },
      media: { rtpPortMin: 40000, rtpPortMax: 49999, audio: 'null' },
      agent: { wrapupSeconds: 0 },
      store: { path: ':memory:' },
    });
  });
  after(async () => {
    await runner?.stop();
    await k1?.stop();
    await k2?.stop();
    await dns?.stop();
  });

  test('lines register on the priority-10 target; when it dies they are registered on the second within 3 s, and calls arrive through it', async (t) => {
    await runner.registered(lines.map((l) => l.id), 15_000);
    for (const l of lines) {
      const e = runner.events.find((x) => x.event === 'line.state' && x.line === l.id && x.state === 'registered')!;
      assert.equal(e.registrar, 'sip:pbx.test');
      assert.equal(e.target, `${l.transport}:127.0.0.1:${l.transport === 'udp' ? k1.udpPort : k1.tcpPort}`, `${l.id} on the first SRV target`);
      assert.equal((await k1.contacts(l.ext)).length, 1);
      assert.deepEqual(await k2.contacts(l.ext), []);
    }
    const r0 = await runSipp({ scenario: 'uac-call.xml', target: `127.0.0.1:${k1.udpPort}`, service: '205', durationMs: 100, timeoutMs: 15_000 });
    assert.equal(r0.successful, 1, `a call through the first target: ${r0.errors}`);

    const mark = runner.events.length;
    const killedAt = Date.now();
    await k1.stop();
    const moved = await Promise.all(
      lines.map((l) =>
        runner.waitFor((e) => e.event === 'line.state' && e.line === l.id && e.state === 'registered' && e.target === `${l.transport}:127.0.0.1:${l.transport === 'udp' ? k2.udpPort : k2.tcpPort}`, 10_000, `${l.id} on node2`, mark),
      ),
    );
    const took = Math.max(...moved.map((e) => e.ts)) - killedAt;
    t.diagnostic(`failover: ${moved.map((e) => `${String(e.line)} +${e.ts - killedAt} ms`).join(', ')}`);
    assert.ok(took < 3_000, `every line registered on the second target ${took} ms after the first died`);
    for (const l of lines) assert.equal((await k2.contacts(l.ext)).length, 1, `${l.ext} is in the second registrar's location table`);

    for (const ext of ['205', '207']) {
      const r = await runSipp({ scenario: 'uac-call.xml', target: `127.0.0.1:${k2.udpPort}`, service: ext, durationMs: 100, timeoutMs: 15_000 });
      assert.equal(r.successful, 1, `a call to ${ext} through the second target is answered: ${r.errors}`);
    }
  });
});
