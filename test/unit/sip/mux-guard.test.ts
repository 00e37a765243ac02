import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../../../src-main/common/logger.js';
import { SignallingGuard } from '../../../src-main/sip/security/signalling-guard.js';
import { FakeClock } from '../../support/fake-clock.js';
import { request, response } from '../../support/sip-text.js';
import { UdpPeer } from '../../support/udp-peer.js';
import { FakeLine, settle, udpMux } from './mux-harness.js';

/**
 * The PBX is 127.0.0.1 (the line's next hop), a trusted cluster node 127.0.0.4, a stranger
 * on the LAN 127.0.0.3: what each may make the mux do.
 */
describe('SipMux with a signalling guard (UDP)', () => {
  const clock = new FakeClock();
  const warnings: string[] = [];
  const log = createLogger('warn', (l) => warnings.push(l));
  const guard = new SignallingGuard({ pbx: { has: (a) => a === '127.0.0.1' }, trustedSources: ['127.0.0.4/32'], clock, log });
  const { mux, ...udp } = udpMux({ clock, log, guard });
  const pbx = new UdpPeer();
  const stranger = new UdpPeer();
  const clusterNode = new UdpPeer();
  let port = 0;
  const line = new FakeLine({ id: 'l1', aorUser: '220', contact: 'rNd0mC0ntact', hop: () => ({ host: '127.0.0.1', port: pbx.port }) });

  before(async () => {
    await pbx.bind('127.0.0.1');
    await stranger.bind('127.0.0.3');
    await clusterNode.bind('127.0.0.4');
    port = await udp.start(line);
  });
  after(() => {
    udp.close();
    for (const p of [pbx, stranger, clusterNode]) p.close();
  });
  const reset = (): void => {
    line.delivered.length = 0;
    for (const p of [pbx, stranger, clusterNode]) p.received.length = 0;
    warnings.length = 0;
  };

  test("a stranger's INVITE to the line's Contact is dropped: no answer, the line sees nothing, counted, logged once", async () => {
    reset();
    const before = mux.stats.droppedUntrusted;
    for (let i = 0; i < 20; i++) await stranger.send(request('INVITE', { uri: `sip:rNd0mC0ntact@127.0.0.1:${port}`, branch: `z9hG4bK-s${i}` }), port);
    await stranger.send(request('OPTIONS', { uri: `sip:220@127.0.0.1:${port}`, branch: 'z9hG4bK-s-opt' }), port);
    await stranger.send('garbage\r\n\r\n', port);
    await settle(150);
    assert.equal(line.delivered.length, 0);
    assert.equal(stranger.received.length, 0, 'not even a 404 or 400: a scanner learns nothing');
    assert.equal(mux.stats.droppedUntrusted - before, 22);
    assert.equal(guard.dropped, mux.stats.droppedUntrusted);
    assert.equal(warnings.filter((w) => w.includes('127.0.0.3')).length, 1, 'one log line per source per minute');
    assert.match(warnings[0]!, /dropped INVITE sip:rNd0mC0ntact@.* from 127\.0\.0\.3: not the PBX/);
    clock.advance(61_000);
    await stranger.send(request('INVITE', { uri: `sip:rNd0mC0ntact@127.0.0.1:${port}`, branch: 'z9hG4bK-s-late' }), port);
    await settle();
    assert.equal(warnings.filter((w) => w.includes('127.0.0.3')).length, 2, 'a minute later it is logged again');
    assert.match(warnings[1]!, /and 21 more since the last report/);
  });

  test("the PBX's INVITE to the Contact user reaches the line", async () => {
    reset();
    await pbx.send(request('INVITE', { uri: `sip:rNd0mC0ntact@127.0.0.1:${port}`, branch: 'z9hG4bK-p1' }), port);
    await settle();
    assert.equal(line.delivered.length, 1);
  });

  test('the PBX addressing the AOR user gets 404 (only trusted sources may); a trusted source reaches the line by AOR', async () => {
    reset();
    await pbx.send(request('INVITE', { uri: `sip:220@127.0.0.1:${port}`, branch: 'z9hG4bK-aor1' }), port);
    assert.match(await pbx.next((m) => m.includes('z9hG4bK-aor1')), /^SIP\/2\.0 404 /);
    assert.equal(line.delivered.length, 0);
    await clusterNode.send(request('INVITE', { uri: `sip:220@127.0.0.1:${port}`, branch: 'z9hG4bK-aor2' }), port);
    await settle();
    assert.equal(line.delivered.length, 1);
  });

  test('a response over UDP counts only from the PBX or from where its request went', async () => {
    reset();
    const branch = 'z9hG4bK-ours';
    await mux.send('l1', request('OPTIONS', { uri: 'sip:127.0.0.1', branch, via: `Via: SIP/2.0/UDP 127.0.0.1;branch=${branch};rport` }));
    await pbx.next((m) => m.includes(branch));
    await stranger.send(response(401, 'OPTIONS', { branch }), port);
    await settle();
    assert.equal(line.delivered.length, 0, "a stranger who guessed the branch is not heard");
    await pbx.send(response(200, 'OPTIONS', { branch }), port);
    await settle();
    assert.equal(line.delivered.length, 1);
    // In a dialog without Record-Route, the far end is reached directly: its answer counts.
    const inDialog = 'z9hG4bK-direct';
    await mux.send('l1', request('BYE', { uri: `sip:far@127.0.0.3:${stranger.port}`, branch: inDialog, toTag: 'far', via: `Via: SIP/2.0/UDP 127.0.0.1;branch=${inDialog};rport` }));
    await stranger.next((m) => m.startsWith('BYE'));
    await stranger.send(response(200, 'BYE', { branch: inDialog, toTag: 'far' }), port);
    await settle();
    assert.equal(line.delivered.length, 2);
  });

  test('CRLF keep-alives from anyone are ignored without a word (NAT bindings)', async () => {
    reset();
    const before = mux.stats.droppedUntrusted;
    await stranger.send('\r\n\r\n', port);
    await pbx.send('\r\n\r\n', port);
    await settle();
    assert.equal(mux.stats.droppedUntrusted, before);
    assert.equal(stranger.received.length + pbx.received.length, 0);
  });
});
