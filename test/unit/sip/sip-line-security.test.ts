import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { systemClock } from '../../../src-main/common/clock.js';
import { silentLogger } from '../../../src-main/common/logger.js';
import { parseSipMessage } from '../../../src-main/sip/message/parse-sip-message.js';
import { header } from '../../../src-main/sip/message/sip-message.js';
import type { SipResolver } from '../../../src-main/sip/dns/sip-resolver.js';
import type { SipDestination, SipTarget } from '../../../src-main/sip/dns/sip-target.js';
import { TargetBlacklist } from '../../../src-main/sip/dns/target-blacklist.js';
import { SipLine } from '../../../src-main/sip/line/sip-line.js';
import type { LineStateDetail } from '../../../src-main/sip/line/sip-line.js';
import { SipMux } from '../../../src-main/sip/transport/sip-mux.js';
import { UdpChannel } from '../../../src-main/sip/transport/udp-channel.js';
import { FakeClock } from '../../support/fake-clock.js';
import { sipText } from '../../support/sip-text.js';
import { UdpPeer } from '../../support/udp-peer.js';
import { testLineDeps, testLineSettings } from './line-fixture.js';

describe('SipLine: TLS names and the digest policy', () => {
  test('over TLS the next hop and each registrar carry their URI host as the name to check (SNI)', () => {
    const clock = new FakeClock();
    const mux = new SipMux({ connections: {}, clock, log: silentLogger });
    const line = new SipLine(
      testLineSettings({
        id: 't',
        aor: 'sip:200@pbx.example.com',
        protocol: 'tls',
        registrars: [
          { uri: 'sips:pbx-a.example.com', address: { host: 'pbx-a.example.com', port: 5061 } },
          { uri: 'sips:10.0.0.2:5062', address: { host: '10.0.0.2', port: 5062 } },
        ],
      }),
      testLineDeps(mux, clock),
    );
    try {
      assert.deepEqual(line.nextHop(), { host: 'pbx-a.example.com', port: 5061, servername: 'pbx-a.example.com' });
      assert.deepEqual(line.registrarAddress('sips:10.0.0.2:5062'), { host: '10.0.0.2', port: 5062, servername: '10.0.0.2' });
    } finally {
      mux.dispose();
    }
  });

  test('a registrar found by DNS SRV: the address is the SRV target\'s, the certificate name stays the domain (RFC 5922)', async () => {
    const clock = new FakeClock();
    const mux = new SipMux({ connections: {}, clock, log: silentLogger });
    const asked: SipDestination[] = [];
    const resolver = {
      resolve: (d: SipDestination): Promise<SipTarget[]> => {
        asked.push(d);
        return Promise.resolve([{ host: '192.0.2.21', port: 5061, protocol: 'tls', name: 'node1.pbx.example.com' }]);
      },
    } as unknown as SipResolver;
    const line = new SipLine(
      testLineSettings({ id: 's', aor: 'sip:200@pbx.example.com', protocol: 'tls', registrars: [{ uri: 'sips:pbx.example.com', address: { host: 'pbx.example.com', port: 5061 } }] }),
      testLineDeps(mux, clock, { dns: { resolver, blacklist: new TargetBlacklist(clock, 30_000) } }),
    );
    // Where the line asks the mux to connect (then it fails: no TLS transport in this mux).
    let hop: unknown;
    const flowFor = mux.flowFor.bind(mux);
    mux.flowFor = (id: string) => {
      hop = line.nextHop();
      return flowFor(id);
    };
    try {
      const failed = new Promise<LineStateDetail>((resolve) => line.events.on('state', (st, d) => st === 'failed' && resolve(d)));
      line.start();
      assert.match((await failed).reason ?? '', /no tls transport/);
      assert.equal(asked[0]?.host, 'pbx.example.com');
      assert.deepEqual(hop, { host: '192.0.2.21', port: 5061, servername: 'pbx.example.com' });
    } finally {
      await line.stop(10);
      mux.dispose();
    }
  });

  test("a registrar's MD5 challenge refused by minAlgorithm SHA-256: the line fails with that reason, and no credentials went out", async () => {
    const udp = new UdpChannel({ host: '127.0.0.1', port: 0 }, silentLogger);
    const mux = new SipMux({ udp, connections: {}, clock: systemClock, log: silentLogger });
    const registrar = new UdpPeer();
    await registrar.bind();
    const localPort = (await udp.start()).port;
    const line = new SipLine(
      testLineSettings({
        id: 'd',
        aor: 'sip:200@127.0.0.1',
        protocol: 'udp',
        registrars: [{ uri: `sip:127.0.0.1:${registrar.port}`, address: { host: '127.0.0.1', port: registrar.port } }],
        refreshPercent: 50,
      }),
      testLineDeps(mux, systemClock, {
        timers: { retryMinMs: 60_000, retryMaxMs: 60_000, heartbeatMs: 0, heartbeatMisses: 2 },
        digestPolicy: { minAlgorithm: 'SHA-256', allowNoQop: false },
      }),
    );
    try {
      const failed = new Promise<LineStateDetail>((resolve) => line.events.on('state', (s, d) => s === 'failed' && resolve(d)));
      line.start();
      const text = await registrar.next((m) => m.startsWith('REGISTER'), 5_000);
      const p = parseSipMessage(Buffer.from(text));
      assert.ok(p.ok && p.message.kind === 'request');
      const req = p.message;
      await registrar.send(
        sipText('SIP/2.0 401 Unauthorized', [
          `Via: ${header(req, 'via')!}`,
          `From: ${header(req, 'from')!}`,
          `To: ${header(req, 'to')!};tag=reg`,
          `Call-ID: ${header(req, 'call-id')!}`,
          `CSeq: ${header(req, 'cseq')!}`,
          'WWW-Authenticate: Digest realm="pbx", nonce="n1", qop="auth", algorithm=MD5',
        ]),
        localPort,
      );
      const d = await failed;
      assert.equal(d.status, 401);
      assert.match(d.reason ?? '', /^401 Unauthorized: digest MD5 refused \(security\.digest\.minAlgorithm is SHA-256\)$/);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(registrar.received.filter((m) => /^Authorization:/im.test(m)).length, 0);
    } finally {
      await line.stop(100);
      mux.dispose();
      udp.close();
      registrar.close();
    }
  });
});
