import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { systemClock } from '../../../src-main/common/clock.js';
import { silentLogger } from '../../../src-main/common/logger.js';
import { parseSipMessage } from '../../../src-main/sip/message/parse-sip-message.js';
import { header, headerValues, splitHeaderList, type SipRequest } from '../../../src-main/sip/message/sip-message.js';
import { SipLine } from '../../../src-main/sip/line/sip-line.js';
import { SipMux } from '../../../src-main/sip/transport/sip-mux.js';
import { UdpChannel } from '../../../src-main/sip/transport/udp-channel.js';
import { sipText } from '../../support/sip-text.js';
import { UdpPeer } from '../../support/udp-peer.js';

/** A scripted registrar on a real UDP socket: answers each REGISTER 200 with the Via received/rport we choose. */
class NatRegistrar {
  readonly peer = new UdpPeer();
  /** What the registrar "sees" as our source (received, rport). */
  seen = { host: '203.0.113.9', port: 40000 };

  async next(): Promise<{ req: SipRequest; contacts: string[] }> {
    const text = await this.peer.next((m) => m.startsWith('REGISTER'), 5_000);
    const p = parseSipMessage(Buffer.from(text));
    assert.ok(p.ok && p.message.kind === 'request');
    const req = p.message;
    return { req, contacts: headerValues(req, 'contact').flatMap(splitHeaderList) };
  }

  async answer(req: SipRequest, contact: string, localPort: number, expires: number): Promise<void> {
    const via = `${header(req, 'via')!};received=${this.seen.host}`.replace(/;rport(?=;|$)/, `;rport=${this.seen.port}`);
    const res = sipText('SIP/2.0 200 OK', [
      `Via: ${via}`,
      `From: ${header(req, 'from')!}`,
      `To: ${header(req, 'to')!};tag=reg`,
      `Call-ID: ${header(req, 'call-id')!}`,
      `CSeq: ${header(req, 'cseq')!}`,
      `Contact: ${contact.replace(/;expires=\d+/, '')};expires=${expires}`,
    ]);
    await this.peer.send(res, localPort);
  }
}

describe('SipLine behind a NAT (scripted registrar on loopback)', () => {
  const udp = new UdpChannel({ host: '127.0.0.1', port: 0 }, silentLogger);
  const mux = new SipMux({ udp, connections: {}, clock: systemClock, log: silentLogger });
  const reg = new NatRegistrar();
  let line: SipLine;
  let localPort = 0;

  before(async () => {
    await reg.peer.bind();
    localPort = (await udp.start()).port;
    const uri = `sip:127.0.0.1:${reg.peer.port}`;
    line = new SipLine(
      {
        id: 'n',
        aor: 'sip:200@127.0.0.1',
        username: '200',
        password: 'x',
        protocol: 'udp',
        registrars: [{ uri, address: { host: '127.0.0.1', port: reg.peer.port } }],
        expiresSec: 600,
        refreshPercent: 50,
        maxCalls: 1,
        nat: { contactFromVia: true, outbound: false },
      },
      { mux, clock: systemClock, log: silentLogger, timers: { retryMinMs: 200, retryMaxMs: 1000, heartbeatMs: 0, heartbeatMisses: 2 }, localHost: '127.0.0.1', sessionDescriptionHandlerFactory: (() => undefined) as never, userAgentString: 't' },
    );
  });
  after(async () => {
    // Answer the un-REGISTER, so no sip.js transaction is left waiting.
    const unregister = reg.next().then(({ req, contacts }) => reg.answer(req, contacts[0]!, localPort, 0)).catch(() => undefined);
    await line?.stop(1_000);
    await unregister;
    mux.dispose();
    udp.close();
    reg.peer.close();
  });

  test('the Contact moves to received/rport and the private one is removed; a NAT that remaps on a refresh is followed', async () => {
    line.start();
    // 1. The first REGISTER carries our own address; the registrar sees another.
    const first = await reg.next();
    assert.equal(first.contacts.length, 1);
    assert.match(first.contacts[0]!, new RegExp(`@127\\.0\\.0\\.1:${localPort};transport=udp`));
    await reg.answer(first.req, first.contacts[0]!, localPort, 600);
    // 2. At once a REGISTER of the public Contact, removing the private one.
    const second = await reg.next();
    const pub = second.contacts.find((c) => c.includes('@203.0.113.9:40000'));
    const removed = second.contacts.find((c) => c.includes(`@127.0.0.1:${localPort}`));
    assert.ok(pub && /expires=600/.test(pub), second.contacts.join(' | '));
    assert.ok(removed && /expires=0/.test(removed), second.contacts.join(' | '));
    // A short expiry, so sip.js refreshes within a second (at 50 %).
    await reg.answer(second.req, pub, localPort, 2);
    await waitFor(() => line.state === 'registered');
    // 3. The refresh is answered from a new NAT mapping: the line registers that, dropping the old one.
    const refresh = await reg.next();
    assert.equal(refresh.contacts.length, 1, 'a plain refresh carries only the current Contact');
    reg.seen = { host: '203.0.113.9', port: 40001 };
    await reg.answer(refresh.req, refresh.contacts[0]!, localPort, 600);
    const moved = await reg.next();
    assert.ok(moved.contacts.some((c) => c.includes('@203.0.113.9:40001') && /expires=600/.test(c)), moved.contacts.join(' | '));
    assert.ok(moved.contacts.some((c) => c.includes('@203.0.113.9:40000') && /expires=0/.test(c)), moved.contacts.join(' | '));
    await reg.answer(moved.req, moved.contacts.find((c) => c.includes(':40001'))!, localPort, 600);
    // The line stays registered throughout: let sip.js take that last answer before stopping.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(line.state, 'registered');
    assert.equal(line.ua.contact.uri.port, 40001);
  });
});

async function waitFor(cond: () => boolean, ms = 3_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
