import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseSipMessage } from '../../../src-main/sip/message/parse-sip-message.js';
import type { SipResponse } from '../../../src-main/sip/message/sip-message.js';
import { topVia } from '../../../src-main/sip/message/via.js';
import { NatContact, reflexiveAddress } from '../../../src-main/sip/line/nat-contact.js';

function answer(status: number, via: string, extra = ''): SipResponse {
  const text = `SIP/2.0 ${status} X\r\nVia: ${via}\r\nFrom: <sip:200@pbx>;tag=a\r\nTo: <sip:200@pbx>\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\n${extra}Content-Length: 0\r\n\r\n`;
  const parsed = parseSipMessage(Buffer.from(text));
  assert.ok(parsed.ok && parsed.message.kind === 'response');
  return parsed.message;
}

const local = { host: '10.77.0.2', port: 5070 };
const nat = { contactFromVia: true, outbound: false };

describe('NAT: the Contact from Via received/rport (RFC 3581)', () => {
  test('reads received and rport; without rport nothing is learned', () => {
    assert.deepEqual(reflexiveAddress(topVia(answer(200, 'SIP/2.0/UDP 10.77.0.2;branch=z9hG4bK1;rport=40123;received=203.0.113.9'))!), { host: '203.0.113.9', port: 40123 });
    assert.deepEqual(reflexiveAddress(topVia(answer(200, 'SIP/2.0/UDP 10.77.0.2;branch=z9hG4bK1;rport=5070'))!), { host: '10.77.0.2', port: 5070 });
    assert.equal(reflexiveAddress(topVia(answer(200, 'SIP/2.0/UDP 10.77.0.2;branch=z9hG4bK1;received=203.0.113.9'))!), undefined);
    assert.equal(reflexiveAddress(topVia(answer(200, 'SIP/2.0/UDP 10.77.0.2;branch=z9hG4bK1;rport=1;received=evil.example'))!), undefined, 'received must be an address');
  });

  test('a 401 or 200 that shows another address moves the Contact; the same address does not', () => {
    const n = new NatContact(nat);
    const same = answer(401, 'SIP/2.0/UDP 10.77.0.2;branch=z9hG4bK1;rport=5070');
    assert.equal(n.observe(same, topVia(same), local), undefined);
    assert.deepEqual(n.contactAddress(local), local);
    const natted = answer(401, 'SIP/2.0/UDP 10.77.0.2;branch=z9hG4bK1;rport=40123;received=10.77.1.2');
    assert.deepEqual(n.observe(natted, topVia(natted), local), { host: '10.77.1.2', port: 40123 });
    assert.deepEqual(n.contactAddress(local), { host: '10.77.1.2', port: 40123 });
    assert.equal(n.observe(natted, topVia(natted), { host: '10.77.1.2', port: 40123 }), undefined, 'already there');
  });

  test('off by config, or a registrar keeping the flow (RFC 5626 Require: outbound): the Contact stays', () => {
    const natted = answer(200, 'SIP/2.0/UDP 10.77.0.2;branch=z9hG4bK1;rport=40123;received=10.77.1.2');
    assert.equal(new NatContact({ ...nat, contactFromVia: false }).observe(natted, topVia(natted), local), undefined);
    const ob = new NatContact({ ...nat, outbound: true });
    const withFlow = answer(200, 'SIP/2.0/UDP 10.77.0.2;branch=z9hG4bK1;rport=40123;received=10.77.1.2', 'Require: outbound\r\n');
    assert.equal(ob.observe(withFlow, topVia(withFlow), local), undefined);
    assert.equal(ob.outboundFlow, true);
    assert.equal(new NatContact({ ...nat, outbound: true }).observe(natted, topVia(natted), local)?.port, 40123, 'outbound asked for but not supported: rewrite');
  });
});
