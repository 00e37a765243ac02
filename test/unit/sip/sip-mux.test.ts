import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '../../../src-main/common/logger.js';
import type { Peer } from '../../../src-main/sip/transport/flow.js';
import { localAddressToward, SipMux, type MuxLine } from '../../../src-main/sip/transport/sip-mux.js';
import { UdpChannel } from '../../../src-main/sip/transport/udp-channel.js';
import { FakeClock } from '../../support/fake-clock.js';
import { request, response } from '../../support/sip-text.js';
import { UdpPeer } from '../../support/udp-peer.js';

class FakeLine implements MuxLine {
  readonly protocol = 'udp' as const;
  readonly forceNextHop = false;
  readonly delivered: string[] = [];
  constructor(
    readonly id: string,
    private readonly contact: string,
    readonly aorUser: string,
    private readonly hop: () => Peer,
    readonly aorHost = '127.0.0.1',
  ) {}
  contactUser(): string {
    return this.contact;
  }
  nextHop(): Peer {
    return this.hop();
  }
  deliver(text: string): void {
    this.delivered.push(text);
  }
  flowClosed(): void {}
}

const settle = (ms = 50): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('SipMux over UDP', () => {
  const clock = new FakeClock();
  const udp = new UdpChannel({ host: '127.0.0.1', port: 0 }, silentLogger);
  const mux = new SipMux({ udp, connections: {}, clock, log: silentLogger });
  const pbx = new UdpPeer();
  let port = 0;
  const hop = (): Peer => ({ host: '127.0.0.1', port: pbx.port });
  const l1 = new FakeLine('l1', 'c0ntact1', '200', hop);
  const l2 = new FakeLine('l2', 'c0ntact2', '200', hop);
  const l3 = new FakeLine('l3', 'c0ntact3', '201', hop);

  before(async () => {
    await pbx.bind();
    port = (await udp.start()).port;
    for (const l of [l1, l2, l3]) mux.addLine(l);
  });
  after(() => {
    mux.dispose();
    udp.close();
    pbx.close();
  });
  const clear = (): void => {
    for (const l of [l1, l2, l3]) l.delivered.length = 0;
    pbx.received.length = 0;
  };

  test('a request reaches the line whose Contact user is in the Request-URI, and only that line', async () => {
    clear();
    await pbx.send(request('INVITE', { uri: `sip:c0ntact2@127.0.0.1:${port}`, branch: 'z9hG4bK-r1' }), port);
    await settle();
    assert.equal(l2.delivered.length, 1);
    assert.match(l2.delivered[0]!, /^INVITE sip:c0ntact2@/);
    assert.equal(l1.delivered.length + l3.delivered.length, 0);
  });

  test('a request to the AOR user reaches a line of that AOR', async () => {
    clear();
    await pbx.send(request('OPTIONS', { uri: 'sip:201@127.0.0.1', branch: 'z9hG4bK-r2' }), port);
    await settle();
    assert.equal(l3.delivered.length, 1);
  });

  test('a request for no line is answered 404 by the mux and touches no line', async () => {
    clear();
    await pbx.send(request('INVITE', { uri: 'sip:999@127.0.0.1', branch: 'z9hG4bK-r3' }), port);
    const res = await pbx.next((m) => m.startsWith('SIP/2.0 404'));
    assert.match(res, /branch=z9hG4bK-r3/);
    assert.match(res, /Warning: 399 linedesk "no line for sip:999@127.0.0.1"/);
    assert.equal(l1.delivered.length + l2.delivered.length + l3.delivered.length, 0);
    assert.equal(mux.stats.answeredNoSuchLine, 1);
  });

  test('an ACK for no line is dropped silently', async () => {
    clear();
    await pbx.send(request('ACK', { uri: 'sip:999@127.0.0.1', branch: 'z9hG4bK-r3' }), port);
    await settle();
    assert.equal(pbx.received.length, 0);
  });

  test('malformed requests are answered 400 (or 513) and never reach a line', async () => {
    clear();
    const truncated = request('INVITE', { uri: `sip:c0ntact1@127.0.0.1:${port}`, branch: 'z9hG4bK-m1' }).replace('Content-Length: 0', 'Content-Length: 500');
    await pbx.send(truncated, port);
    assert.match(await pbx.next((m) => m.includes('z9hG4bK-m1')), /^SIP\/2.0 400 /);
    const noCallId = request('OPTIONS', { uri: `sip:c0ntact1@127.0.0.1`, branch: 'z9hG4bK-m2' }).replace(/Call-ID: [^\r]*\r\n/, '');
    await pbx.send(noCallId, port);
    assert.match(await pbx.next((m) => m.includes('z9hG4bK-m2')), /^SIP\/2.0 400 /);
    const huge = request('OPTIONS', { uri: `sip:c0ntact1@127.0.0.1`, branch: 'z9hG4bK-m3' }).replace('Max-Forwards: 70', `X-Pad: ${'x'.repeat(40_000)}`);
    await pbx.send(huge, port);
    assert.match(await pbx.next((m) => m.includes('z9hG4bK-m3')), /^SIP\/2.0 513 /);
    await pbx.send('garbage \x00\x01', port);
    await pbx.send(Buffer.from([0x80, 0x00, 0x12, 0x34]), port); // an RTP-looking datagram
    await settle();
    assert.equal(l1.delivered.length, 0);
    assert.ok(mux.stats.malformed >= 5);
  });

  test('a line request goes to its next hop and the response comes back to that line by branch', async () => {
    clear();
    await mux.send('l3', request('REGISTER', { uri: 'sip:127.0.0.1', branch: 'z9hG4bK-out1', via: 'Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-out1;rport' }));
    const sent = await pbx.next((m) => m.startsWith('REGISTER'));
    assert.match(sent, /z9hG4bK-out1/);
    await pbx.send(response(200, 'REGISTER', { branch: 'z9hG4bK-out1' }), port);
    await settle();
    assert.equal(l3.delivered.length, 1);
    assert.equal(l1.delivered.length + l2.delivered.length, 0);
  });

  test('a response for a branch nobody sent is dropped', async () => {
    clear();
    await pbx.send(response(200, 'REGISTER', { branch: 'z9hG4bK-unknown' }), port);
    await settle();
    assert.equal(l1.delivered.length + l2.delivered.length + l3.delivered.length, 0);
    assert.ok(mux.stats.droppedResponses >= 1);
  });

  test("a line's response goes back to where the request came from", async () => {
    clear();
    const caller = new UdpPeer();
    await caller.bind();
    try {
      await caller.send(request('OPTIONS', { uri: 'sip:c0ntact1@127.0.0.1', branch: 'z9hG4bK-opt' }), port);
      await settle();
      assert.equal(l1.delivered.length, 1);
      await mux.send('l1', response(200, 'OPTIONS', { branch: 'z9hG4bK-opt', toTag: 'x' }));
      assert.match(await caller.next((m) => m.startsWith('SIP/2.0 200')), /z9hG4bK-opt/);
      assert.equal(pbx.received.length, 0, 'not sent to the next hop');
    } finally {
      caller.close();
    }
  });

  test('a retransmitted BYE is answered again without reaching the line twice', async () => {
    clear();
    const bye = request('BYE', { uri: `sip:c0ntact1@127.0.0.1:${port}`, branch: 'z9hG4bK-bye', toTag: 't' });
    await pbx.send(bye, port);
    await settle();
    assert.equal(l1.delivered.length, 1);
    await mux.send('l1', response(200, 'BYE', { branch: 'z9hG4bK-bye', toTag: 't' }));
    await pbx.next((m) => m.startsWith('SIP/2.0 200'));
    await pbx.send(bye, port);
    await pbx.next((m) => m.startsWith('SIP/2.0 200'));
    assert.equal(l1.delivered.length, 1);
  });

  test('an unanswered request from a line is retransmitted on the fake clock', async () => {
    clear();
    await mux.send('l2', request('OPTIONS', { uri: 'sip:127.0.0.1', branch: 'z9hG4bK-rt', via: 'Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-rt;rport' }));
    await pbx.next((m) => m.includes('z9hG4bK-rt'));
    clock.advance(500);
    await pbx.next((m) => m.includes('z9hG4bK-rt'));
    clock.advance(1000);
    await pbx.next((m) => m.includes('z9hG4bK-rt'));
    await pbx.send(response(200, 'OPTIONS', { branch: 'z9hG4bK-rt' }), port);
    await settle();
    clock.advance(10_000);
    await settle();
    assert.equal(pbx.received.filter((m) => m.includes('z9hG4bK-rt')).length, 0);
  });
});

describe('localAddressToward', () => {
  test('finds the local address that routes to a peer', async () => {
    assert.equal(await localAddressToward({ host: '127.0.0.1', port: 5060 }), '127.0.0.1');
  });

  test('rejects when the OS refuses the route instead of answering 0.0.0.0', async () => {
    // Linux refuses to connect a UDP socket without SO_BROADCAST to the broadcast address (EACCES).
    await assert.rejects(localAddressToward({ host: '255.255.255.255', port: 5060 }), (e: NodeJS.ErrnoException) => e.code === 'EACCES');
    await assert.rejects(localAddressToward({ host: '127.0.0.1', port: 0 }));
  });
});
