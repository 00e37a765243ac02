import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Core, Messager, UserAgent } from 'sip.js';
import { silentLogger } from '../../../src-main/common/logger.js';
import type { SipMessage } from '../../../src-main/sip/message/sip-message.js';
import type { Peer } from '../../../src-main/sip/transport/flow.js';
import { LineTransport, type LineTransportOptions } from '../../../src-main/sip/transport/line-transport.js';
import { SipMux, type MuxLine } from '../../../src-main/sip/transport/sip-mux.js';
import { UdpChannel } from '../../../src-main/sip/transport/udp-channel.js';
import { FakeClock } from '../../support/fake-clock.js';
import { sipText } from '../../support/sip-text.js';
import { UdpPeer } from '../../support/udp-peer.js';

/**
 * The real delivery path: a datagram → SipMux (parses it) → LineTransport → a sip.js
 * UserAgent, which must get the message built from the mux's parse and never parse the
 * text itself (Core.Parser.parseMessage is counted).
 */
describe('parse once: from the socket to sip.js', () => {
  const clock = new FakeClock();
  const udp = new UdpChannel({ host: '127.0.0.1', port: 0 }, silentLogger);
  const mux = new SipMux({ udp, connections: {}, clock, log: silentLogger });
  const pbx = new UdpPeer();
  let transport: LineTransport | undefined;
  let port = 0;
  let ua: UserAgent;
  const realParse = Core.Parser.parseMessage.bind(Core.Parser);
  let textParses = 0;

  before(async () => {
    await pbx.bind();
    port = (await udp.start()).port;
    const line: MuxLine = {
      id: 'l1',
      protocol: 'udp',
      aorUser: '300',
      aorHost: '127.0.0.1',
      forceNextHop: false,
      contactUser: () => 'c0ntact1',
      nextHop: (): Peer => ({ host: '127.0.0.1', port: pbx.port }),
      registrarAddress: () => undefined,
      deliver: (text: string, message?: SipMessage) => transport?.deliver(text, message),
      flowClosed: () => {},
    };
    mux.addLine(line);
    const transportOptions: LineTransportOptions = { mux, lineId: 'l1', protocol: 'udp', attach: (t) => (transport = t) };
    ua = new UserAgent({
      uri: UserAgent.makeURI('sip:300@127.0.0.1'),
      contactName: 'c0ntact1',
      viaHost: '127.0.0.1',
      forceRport: true,
      transportConstructor: LineTransport,
      transportOptions,
      logBuiltinEnabled: false,
      logConfiguration: false,
      delegate: { onInvite: (inv) => void inv.reject({ statusCode: 486 }) },
    });
    await ua.start();
    Core.Parser.parseMessage = (data, logger) => {
      textParses++;
      return realParse(data, logger);
    };
  });
  after(async () => {
    Core.Parser.parseMessage = realParse;
    await ua.stop();
    mux.dispose();
    udp.close();
    pbx.close();
  });

  const req = (method: string, branch: string, extra: string[] = [], toTag = ''): string =>
    sipText(`${method} sip:c0ntact1@127.0.0.1:${port} SIP/2.0`, [
      `Via: SIP/2.0/UDP 127.0.0.1:${pbx.port};branch=${branch};rport`,
      'Max-Forwards: 70',
      'From: "Peer" <sip:peer@127.0.0.1>;tag=p1',
      `To: <sip:300@127.0.0.1>${toTag}`,
      `Call-ID: ${branch}@127.0.0.1`,
      `CSeq: 1 ${method}`,
      `Contact: <sip:peer@127.0.0.1:${pbx.port}>`,
      ...extra,
    ]);

  test('OPTIONS, INVITE (refused, then its ACK) and an out-of-dialog BYE are answered without parsing text', async () => {
    textParses = 0;
    await pbx.send(req('OPTIONS', 'z9hG4bK-o1'), port);
    assert.match(await pbx.next((m) => m.includes('z9hG4bK-o1')), /^SIP\/2\.0 200 /);
    await pbx.send(req('INVITE', 'z9hG4bK-i1'), port);
    const busy = await pbx.next((m) => m.startsWith('SIP/2.0 486') && m.includes('z9hG4bK-i1'));
    const toTag = /^To:.*?(;tag=[^;\r\n]+)/m.exec(busy)![1]!;
    await pbx.send(req('ACK', 'z9hG4bK-i1', [], toTag), port);
    await pbx.send(req('BYE', 'z9hG4bK-b1', [], ';tag=nodialog'), port);
    assert.match(await pbx.next((m) => m.includes('z9hG4bK-b1')), /^SIP\/2\.0 481 /);
    assert.equal(textParses, 0);
  });

  test('a response to our request arrives built too', async () => {
    textParses = 0;
    const accepted = new Promise<number>((resolve) => {
      void new Messager(ua, UserAgent.makeURI(`sip:peer@127.0.0.1:${pbx.port}`)!, 'hello').message({ requestDelegate: { onAccept: (r) => resolve(r.message.statusCode ?? 0) } });
    });
    const sent = await pbx.next((m) => m.startsWith('MESSAGE '));
    const head = sent.slice(0, sent.indexOf('\r\n\r\n')).split('\r\n');
    const keep = head.filter((l) => /^(Via|From|To|Call-ID|CSeq):/i.test(l));
    await pbx.send(sipText('SIP/2.0 200 OK', keep.map((l) => (l.startsWith('To:') ? `${l};tag=r1` : l))), port);
    assert.equal(await accepted, 200);
    assert.equal(textParses, 0);
  });

  test('the patched merged-request check: a second INVITE fork gets 482 while the first transaction lives, not after it ended', async () => {
    const fork = (branch: string): string => req('INVITE', branch).replace(/Call-ID: [^\r]+/, 'Call-ID: merged@127.0.0.1');
    await pbx.send(fork('z9hG4bK-m1'), port);
    const busy = await pbx.next((m) => m.includes('z9hG4bK-m1') && m.startsWith('SIP/2.0 486'));
    await pbx.send(fork('z9hG4bK-m2'), port);
    assert.match(await pbx.next((m) => m.includes('z9hG4bK-m2') && !/^SIP\/2\.0 1/.test(m)), /^SIP\/2\.0 482 /);
    // The ACK ends the first server transaction (Timer I is 0): the same fork is new again.
    const toTag = /^To:.*?(;tag=[^;\r\n]+)/m.exec(busy)![1]!;
    await pbx.send(req('ACK', 'z9hG4bK-m1', [], toTag).replace(/Call-ID: [^\r]+/, 'Call-ID: merged@127.0.0.1'), port);
    await new Promise((r) => setTimeout(r, 50));
    await pbx.send(fork('z9hG4bK-m3'), port);
    assert.match(await pbx.next((m) => m.includes('z9hG4bK-m3') && !/^SIP\/2\.0 1/.test(m)), /^SIP\/2\.0 486 /);
  });

  test('a message the adapter does not reproduce (folded lines) goes to sip.js as text, and still works', async () => {
    textParses = 0;
    await pbx.send(req('OPTIONS', 'z9hG4bK-f1', ['Subject: folded', ' onto two lines']), port);
    assert.match(await pbx.next((m) => m.includes('z9hG4bK-f1')), /^SIP\/2\.0 200 /);
    assert.equal(textParses, 1);
  });
});
