import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../../../src-main/common/logger.js';
import { request, sipText } from '../../support/sip-text.js';
import { UdpPeer } from '../../support/udp-peer.js';
import { FakeLine, settle, udpMux } from './mux-harness.js';

describe('SipMux conformance and stateless answers', () => {
  const logged: string[] = [];
  const { clock, mux, ...udp } = udpMux({ log: createLogger('warn', (l) => logged.push(l)) });
  const pbx = new UdpPeer();
  const line = new FakeLine({ id: 'c1', aorUser: '230', contact: 'c0nf0rm', hop: () => ({ host: '127.0.0.1', port: pbx.port }) });
  let port = 0;
  let uri = '';

  before(async () => {
    await pbx.bind();
    port = await udp.start(line);
    uri = `sip:c0nf0rm@127.0.0.1:${port}`;
  });
  after(() => {
    udp.close();
    pbx.close();
  });
  const reset = (): void => {
    line.delivered.length = 0;
    pbx.received.length = 0;
    logged.length = 0;
  };

  for (const via of ['SIP/1.0/UDP', 'XXX/2.0/UDP']) {
    test(`an INVITE whose Via says ${via} is answered 400 and never reaches the line`, async () => {
      reset();
      const branch = `z9hG4bK-via-${via.slice(0, 3)}`;
      await pbx.send(request('INVITE', { uri, branch, via: `Via: ${via} 127.0.0.1:${pbx.port};branch=${branch}` }), port);
      assert.match(await pbx.next((m) => m.includes(branch)), /^SIP\/2\.0 400 /);
      assert.equal(line.delivered.length, 0);
    });
  }

  test('an unknown Require option gets 420 Bad Extension with Unsupported; a supported one passes', async () => {
    reset();
    const withRequire = (branch: string, req: string): string => request('INVITE', { uri, branch }).replace('Max-Forwards: 70', `Max-Forwards: 70\r\nRequire: ${req}`);
    await pbx.send(withRequire('z9hG4bK-req1', 'foo, 100rel, Bar'), port);
    const res = await pbx.next((m) => m.includes('z9hG4bK-req1'));
    assert.match(res, /^SIP\/2\.0 420 Bad Extension\r\n/);
    assert.match(res, /^Unsupported: foo, bar\r$/m);
    assert.equal(line.delivered.length, 0);
    await pbx.send(withRequire('z9hG4bK-req2', '100rel'), port);
    await settle();
    assert.equal(line.delivered.length, 1);
    assert.equal(mux.stats.answeredBadExtension, 1);
  });

  test('a stateless 404 to an INVITE is sent once and leaves no state (no reflection amplifier)', async () => {
    reset();
    const records = mux.routingRecords.server;
    await pbx.send(request('INVITE', { uri: `sip:nobody@127.0.0.1:${port}`, branch: 'z9hG4bK-once' }), port);
    await pbx.next((m) => m.startsWith('SIP/2.0 404'));
    assert.deepEqual(mux.reliability.size, { client: 0, server: 0 });
    assert.equal(mux.routingRecords.server, records);
    for (let i = 0; i < 8; i++) clock.advance(4_000);
    await settle();
    assert.equal(pbx.received.length, 0, 'no retransmission over 32 s');
  });

  test('a 513 for an oversized datagram is short; one whose copied headers are too big is not sent', async () => {
    reset();
    const padded = request('OPTIONS', { uri, branch: 'z9hG4bK-big1' }).replace('Max-Forwards: 70', `X-Pad: ${'x'.repeat(65_000)}`);
    await pbx.send(padded, port);
    const res = await pbx.next((m) => m.includes('z9hG4bK-big1'));
    assert.match(res, /^SIP\/2\.0 513 /);
    assert.ok(Buffer.byteLength(res) < 1300, `513 of ${Buffer.byteLength(res)} bytes`);
    const hugeFrom = sipText(`OPTIONS ${uri} SIP/2.0`, [
      `Via: SIP/2.0/UDP 127.0.0.1:${pbx.port};branch=z9hG4bK-big2`,
      `From: <sip:${'a'.repeat(65_000)}@127.0.0.2>;tag=x`,
      'To: <sip:230@127.0.0.1>',
      'Call-ID: big2',
      'CSeq: 1 OPTIONS',
    ]);
    const before = mux.stats.unanswerable;
    await pbx.send(hugeFrom, port);
    await settle(150);
    assert.equal(pbx.received.length, 0, 'nothing that would not fit in a datagram');
    assert.equal(mux.stats.unanswerable, before + 1);
  });

  test('warnings about malformed input are rate-limited per source and cut short', async () => {
    reset();
    clock.advance(61_000); // past the minute of the earlier tests' warnings
    for (let i = 0; i < 30; i++) await pbx.send(request('OPTIONS', { uri, branch: `z9hG4bK-mal${i}` }).replace('Content-Length: 0', `Content-Length: ${'9'.repeat(20)}`), port);
    await settle(150);
    const lines = logged.filter((l) => l.includes('malformed'));
    assert.equal(lines.length, 1);
    assert.ok(lines[0]!.length < 400, `a ${lines[0]!.length}-character line`);
  });
});
