import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request, response } from '../../support/sip-text.js';
import { UdpPeer } from '../../support/udp-peer.js';
import { FakeLine, settle, udpMux } from './mux-harness.js';

describe('SipMux: NAT keep-alives and REGISTER answers', () => {
  const { clock, mux, ...udp } = udpMux({ udpKeepAliveMs: 15_000 });
  const pbx1 = new UdpPeer();
  const pbx2 = new UdpPeer();
  const a = new FakeLine({ id: 'a', aorUser: '200', hop: () => ({ host: '127.0.0.1', port: pbx1.port }) });
  const b = new FakeLine({ id: 'b', aorUser: '201', hop: () => ({ host: '127.0.0.1', port: pbx1.port }) });
  const c = new FakeLine({ id: 'c', aorUser: '202', hop: () => ({ host: '127.0.0.1', port: pbx2.port }) });
  const t = new FakeLine({ id: 't', aorUser: '203', hop: () => ({ host: '127.0.0.1', port: pbx2.port }), protocol: 'tcp' });
  let port = 0;

  before(async () => {
    await pbx1.bind();
    await pbx2.bind();
    port = await udp.start(a, b, c, t);
  });
  after(() => {
    udp.close();
    pbx1.close();
    pbx2.close();
  });

  test('one CRLF keep-alive per distinct UDP next hop and period, from the shared socket', async () => {
    clock.advance(15_000);
    await settle();
    assert.deepEqual(pbx1.received, ['\r\n\r\n'], 'two lines, one registrar: one keep-alive');
    assert.deepEqual(pbx2.received, ['\r\n\r\n'], 'the TCP line sends none here');
    clock.advance(15_000);
    await settle();
    assert.equal(pbx1.received.length, 2);
    assert.equal(mux.keepAlivesSent, 4);
    pbx1.received.length = pbx2.received.length = 0;
  });

  test('a CRLF keep-alive from a peer is ignored (no 400, no malformed count)', async () => {
    const before = { ...mux.stats };
    await pbx1.send('\r\n\r\n', port);
    await settle();
    assert.deepEqual(mux.stats, before);
    assert.deepEqual(pbx1.received, []);
  });

  test("a REGISTER answer shows the line its top Via (received/rport) before the user agent sees it", async () => {
    await mux.send('a', request('REGISTER', { uri: 'sip:127.0.0.1', branch: 'z9hG4bKnat1', via: 'Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKnat1;rport' }));
    await pbx1.next((m) => m.startsWith('REGISTER'));
    const answer = response(200, 'REGISTER', { branch: 'z9hG4bKnat1' }).replace(/;rport=5070;received=127\.0\.0\.1/, ';received=203.0.113.9;rport=40123');
    await pbx1.send(answer, port);
    await settle();
    assert.equal(a.answers.length, 1);
    assert.equal(a.answers[0]!.status, 200);
    assert.equal(a.answers[0]!.via?.params.get('received'), '203.0.113.9');
    assert.equal(a.answers[0]!.via?.params.get('rport'), '40123');
    assert.equal(a.delivered.length, 1);
  });
});
