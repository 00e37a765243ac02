import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '../../../src-main/common/logger.js';
import { Emitter } from '../../../src-main/common/emitter.js';
import type { ConnectionChannel, ConnectionChannelEvents } from '../../../src-main/sip/transport/connection-channel.js';
import type { Flow, Peer } from '../../../src-main/sip/transport/flow.js';
import { localAddressToward, SipMux } from '../../../src-main/sip/transport/sip-mux.js';
import { FakeClock } from '../../support/fake-clock.js';
import { request, response } from '../../support/sip-text.js';
import { UdpPeer } from '../../support/udp-peer.js';
import { FakeLine, settle, udpMux } from './mux-harness.js';

describe('SipMux over UDP', () => {
  const { clock, mux, ...udp } = udpMux();
  const pbx = new UdpPeer();
  let port = 0;
  const hop = (): Peer => ({ host: '127.0.0.1', port: pbx.port });
  const l1 = new FakeLine({ id: 'l1', aorUser: '200', contact: 'c0ntact1', hop });
  const l2 = new FakeLine({ id: 'l2', aorUser: '200', contact: 'c0ntact2', hop });
  const l3 = new FakeLine({ id: 'l3', aorUser: '201', contact: 'c0ntact3', hop });

  before(async () => {
    await pbx.bind();
    port = await udp.start(l1, l2, l3);
  });
  after(() => {
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

  test('a REGISTER goes to the registrar its Request-URI names: an un-REGISTER of the old registrar after a failover does not reach the new one', async () => {
    clear();
    const old = new UdpPeer();
    await old.bind();
    try {
      l3.registrars.set('sip:old-registrar', { host: '127.0.0.1', port: old.port });
      l3.registrars.set('sip:new-registrar', hop());
      await mux.send('l3', request('REGISTER', { uri: 'sip:old-registrar', branch: 'z9hG4bK-unreg', via: 'Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-unreg;rport' }));
      assert.match(await old.next((m) => m.startsWith('REGISTER')), /z9hG4bK-unreg/);
      await mux.send('l3', request('REGISTER', { uri: 'sip:new-registrar', branch: 'z9hG4bK-reg', via: 'Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-reg;rport' }));
      assert.match(await pbx.next((m) => m.startsWith('REGISTER')), /z9hG4bK-reg/);
      await settle();
      assert.equal(pbx.received.filter((m) => m.includes('z9hG4bK-unreg')).length, 0, 'the new registrar never saw the un-REGISTER');
      await old.send(response(200, 'REGISTER', { branch: 'z9hG4bK-unreg' }), port);
      await settle();
      assert.equal(l3.delivered.length, 1, 'its answer reaches the line');
    } finally {
      l3.registrars.clear();
      old.close();
    }
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

  test('the 200 OK to an INVITE that rang for minutes still reaches the line; the record goes 64*T1 after it', async () => {
    clear();
    const branch = 'z9hG4bK-ringing';
    await mux.send('l1', request('INVITE', { uri: 'sip:300@127.0.0.1', branch, via: `Via: SIP/2.0/UDP 127.0.0.1;branch=${branch};rport` }));
    await pbx.next((m) => m.includes(branch));
    await pbx.send(response(180, 'INVITE', { branch, toTag: 'callee' }), port);
    await settle();
    clock.advance(5 * 60_000); // a queued call: far beyond 64*T1
    await pbx.send(response(200, 'INVITE', { branch, toTag: 'callee' }), port);
    await settle();
    assert.deepEqual(l1.delivered.map((m) => m.slice(0, 11)), ['SIP/2.0 180', 'SIP/2.0 200']);
    const dropped = mux.stats.droppedResponses;
    clock.advance(64 * 500 - 1_000);
    await pbx.send(response(200, 'INVITE', { branch, toTag: 'callee' }), port);
    await settle();
    assert.equal(l1.delivered.length, 3, 'a retransmitted 200 within 64*T1 still reaches sip.js');
    clock.advance(64 * 500 + 15_000);
    await pbx.send(response(200, 'INVITE', { branch, toTag: 'callee' }), port);
    await settle();
    assert.equal(l1.delivered.length, 3);
    assert.equal(mux.stats.droppedResponses, dropped + 1);
  });

  test('an INVITE that never gets a final response is forgotten an hour after its last response', async () => {
    clear();
    const branch = 'z9hG4bK-forever';
    await mux.send('l2', request('INVITE', { uri: 'sip:300@127.0.0.1', branch, via: `Via: SIP/2.0/UDP 127.0.0.1;branch=${branch};rport` }));
    await pbx.next((m) => m.includes(branch));
    await pbx.send(response(183, 'INVITE', { branch, toTag: 'callee' }), port);
    await settle();
    clock.advance(50 * 60_000);
    await pbx.send(response(183, 'INVITE', { branch, toTag: 'callee' }), port);
    await settle();
    assert.equal(l2.delivered.length, 2, 'every response restarts the limit');
    clock.advance(61 * 60_000 + 64 * 500 + 15_000);
    const dropped = mux.stats.droppedResponses;
    await pbx.send(response(200, 'INVITE', { branch, toTag: 'callee' }), port);
    await settle();
    assert.equal(l2.delivered.length, 2);
    assert.equal(mux.stats.droppedResponses, dropped + 1);
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

/** A TCP connection that records what is written to it. */
class FakeStreamFlow implements Flow {
  readonly key = 'tcp#1';
  readonly protocol = 'tcp' as const;
  readonly remote = { host: '127.0.0.1', port: 5060 };
  readonly local = { host: '127.0.0.1', port: 40_000 };
  readonly reliable = true;
  readonly open = true;
  readonly sent: string[] = [];
  send(bytes: Buffer): Promise<void> {
    this.sent.push(bytes.toString('utf8'));
    return Promise.resolve();
  }
}

describe('SipMux over a stream transport', () => {
  const tcp = (text: string): string => text.replace('SIP/2.0/UDP', 'SIP/2.0/TCP');

  test('an inbound INVITE queued for minutes is answered on the connection it came in on', async () => {
    const clock = new FakeClock();
    const flow = new FakeStreamFlow();
    const channel: ConnectionChannel = { protocol: 'tcp', events: new Emitter<ConnectionChannelEvents>(), connect: () => Promise.resolve(flow), close: () => {} };
    const mux = new SipMux({ connections: { tcp: channel }, clock, log: silentLogger });
    const line = new FakeLine({ id: 't1', aorUser: '200', contact: 'c0ntactT', hop: () => flow.remote, protocol: 'tcp' });
    mux.addLine(line);
    try {
      const branch = 'z9hG4bK-queued';
      channel.events.emit('message', Buffer.from(tcp(request('INVITE', { uri: 'sip:c0ntactT@127.0.0.1', branch }))), flow);
      assert.equal(line.delivered.length, 1);
      await mux.send('t1', tcp(response(182, 'INVITE', { branch, toTag: 'us' })));
      clock.advance(10 * 60_000);
      await mux.send('t1', tcp(response(200, 'INVITE', { branch, toTag: 'us' })));
      assert.deepEqual(flow.sent.map((m) => m.slice(0, 11)), ['SIP/2.0 182', 'SIP/2.0 200']);
      clock.advance(64 * 500 + 15_000);
      await assert.rejects(mux.send('t1', tcp(response(200, 'INVITE', { branch, toTag: 'us' }))), /no open TCP flow/, 'the record goes 64*T1 after the final response');
    } finally {
      mux.dispose();
    }
  });

  test('a request for no line leaves no routing record behind', () => {
    const clock = new FakeClock();
    const flow = new FakeStreamFlow();
    const channel: ConnectionChannel = { protocol: 'tcp', events: new Emitter<ConnectionChannelEvents>(), connect: () => Promise.resolve(flow), close: () => {} };
    const mux = new SipMux({ connections: { tcp: channel }, clock, log: silentLogger });
    try {
      channel.events.emit('message', Buffer.from(tcp(request('INVITE', { uri: 'sip:nobody@127.0.0.1', branch: 'z9hG4bK-scan' }))), flow);
      assert.match(flow.sent[0] ?? '', /^SIP\/2.0 404/);
      assert.equal(mux.routingRecords.server, 0);
    } finally {
      mux.dispose();
    }
  });
});
