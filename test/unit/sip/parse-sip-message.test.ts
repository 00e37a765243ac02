import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseSipMessage, serializeSipMessage } from '../../../src-main/sip/message/parse-sip-message.js';
import { callIdOf, cseqOf, header, headerValues, parseSipUri, tagOf } from '../../../src-main/sip/message/sip-message.js';
import { statelessResponse } from '../../../src-main/sip/message/stateless-response.js';
import { topVia, viaEntries } from '../../../src-main/sip/message/via.js';
import { asRequest, parsed, request, sipText } from '../../support/sip-text.js';

const buf = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('parseSipMessage', () => {
  test('parses a request with compact headers, folded lines and a body', () => {
    const text = [
      'INVITE sip:200@127.0.0.1:5060;transport=udp SIP/2.0',
      'v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa,SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKb',
      'f: "Alice" <sip:alice@example.com>;tag=1',
      't: <sip:200@example.com>',
      'i: abc@10.0.0.1',
      'CSeq: 7 INVITE',
      'Subject: first',
      '  continued',
      'c: application/sdp',
      'l: 4',
      '',
      'v=0\r\n',
    ].join('\r\n');
    const r = parseSipMessage(buf(text));
    assert.ok(r.ok, !r.ok ? r.reason : '');
    const m = asRequest(r.message);
    assert.equal(m.method, 'INVITE');
    assert.equal(callIdOf(m), 'abc@10.0.0.1');
    assert.deepEqual(cseqOf(m), { seq: 7, method: 'INVITE' });
    assert.equal(header(m, 'subject'), 'first continued');
    assert.equal(m.body.toString(), 'v=0\r');
    assert.equal(viaEntries(m).length, 2);
    assert.equal(topVia(m)?.branch, 'z9hG4bKa');
    assert.equal(topVia(m)?.port, 5060);
    assert.equal(tagOf(header(m, 'from')), '1');
    assert.equal(r.wire.length, Buffer.byteLength(text) - 1, 'bytes past Content-Length are not part of the message');
  });

  test('counts Content-Length in bytes, not characters', () => {
    const body = 'é€😀';
    const ok = parseSipMessage(buf(sipText('MESSAGE sip:a@b SIP/2.0', ['Via: SIP/2.0/UDP h;branch=z9hG4bK1', 'From: <sip:x@y>;tag=1', 'To: <sip:a@b>', 'Call-ID: 1', 'CSeq: 1 MESSAGE'], body)));
    assert.ok(ok.ok);
    assert.equal(ok.message.body.toString('utf8'), body);
  });

  test('a body shorter than Content-Length is a truncated message: 400 with the partial request', () => {
    const text = request('INVITE').replace('Content-Length: 0', 'Content-Length: 120');
    const r = parseSipMessage(buf(text));
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.status === 400 && r.partial?.method === 'INVITE');
    assert.match(!r.ok ? r.reason : '', /exceeds the 0 body bytes/);
  });

  test('a non-numeric or conflicting Content-Length is refused', () => {
    for (const cl of ['Content-Length: abc', 'Content-Length: -1', 'Content-Length: 0\r\nl: 5']) {
      const r = parseSipMessage(buf(request('OPTIONS').replace('Content-Length: 0', cl)));
      assert.equal(r.ok, false, cl);
      assert.equal(!r.ok && r.status, 400, cl);
    }
  });

  test('a missing Call-ID or a CSeq of the wrong method gives 400', () => {
    const noCallId = request('OPTIONS').replace(/Call-ID: [^\r]*\r\n/, '');
    const r1 = parseSipMessage(buf(noCallId));
    assert.ok(!r1.ok && r1.status === 400 && /call-id/.test(r1.reason));
    const wrongMethod = request('BYE').replace('CSeq: 1 BYE', 'CSeq: 1 INVITE');
    const r2 = parseSipMessage(buf(wrongMethod));
    assert.ok(!r2.ok && r2.status === 400);
  });

  test('a message without the blank line is truncated: 400', () => {
    const text = request('OPTIONS');
    const r = parseSipMessage(buf(text.slice(0, text.indexOf('\r\n\r\n'))));
    assert.ok(!r.ok && r.status === 400 && /truncated/.test(r.reason));
  });

  test('huge headers give 513 and too many lines are refused', () => {
    const huge = request('OPTIONS').replace('Max-Forwards: 70', `X-Junk: ${'a'.repeat(40_000)}`);
    const r = parseSipMessage(buf(huge));
    assert.ok(!r.ok && r.status === 513);
    const many = request('OPTIONS').replace('Max-Forwards: 70', Array.from({ length: 300 }, (_, i) => `X-${i}: v`).join('\r\n'));
    const r2 = parseSipMessage(buf(many));
    assert.ok(!r2.ok && r2.status === 400);
  });

  test('garbage, binary and empty input never throw', () => {
    for (const input of [Buffer.alloc(0), buf('hello'), Buffer.from([0xff, 0x00, 0x13, 0x37]), buf('SIP/2.0 999 Nope\r\n\r\n'), buf('INVITE sip:x SIP/3.0\r\nVia: SIP/2.0/UDP h;branch=1\r\n\r\n'), buf('\r\n\r\n')]) {
      const r = parseSipMessage(input);
      assert.equal(r.ok, false);
    }
  });

  test('SIP/3.0 with a Via is answered 505', () => {
    const r = parseSipMessage(buf('OPTIONS sip:x SIP/3.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\r\n'));
    assert.ok(!r.ok && r.status === 505);
  });

  test('a request without Via cannot be answered: no partial', () => {
    const r = parseSipMessage(buf('OPTIONS sip:x SIP/2.0\r\nFrom: <sip:a@b>\r\n\r\n'));
    assert.ok(!r.ok && r.partial === undefined);
  });

  test('serialize writes a correct Content-Length', () => {
    const r = parseSipMessage(buf(request('MESSAGE', { body: 'hi there' })));
    assert.ok(r.ok);
    const again = parseSipMessage(serializeSipMessage(r.message));
    assert.ok(again.ok && again.message.body.toString() === 'hi there');
  });
});

describe('parseSipMessage transaction keys', () => {
  test('hands back the top Via and CSeq it read, so the transport need not read them again', () => {
    const r = parseSipMessage(buf(request('INVITE', { branch: 'z9hG4bK-k', cseq: 7 })));
    assert.ok(r.ok);
    assert.equal(r.keys.via?.branch, 'z9hG4bK-k');
    assert.deepEqual(r.keys.cseq, { seq: 7, method: 'INVITE' });
    assert.deepEqual(r.keys.via, topVia(r.message));
  });
});

describe('statelessResponse', () => {
  test('copies Via, From, Call-ID, CSeq and adds a To tag', () => {
    const r = parseSipMessage(buf(request('INVITE')));
    assert.ok(r.ok);
    const res = statelessResponse(asRequest(r.message), 404);
    assert.equal(res.status, 404);
    assert.equal(res.reason, 'Not Found');
    assert.ok(tagOf(header(res, 'to')));
    assert.equal(callIdOf(res), 'call-1');
    assert.equal(headerValues(res, 'via').length, 1);
  });
});

describe('statelessResponse To tag', () => {
  test('is the same for every copy of a request (RFC 3261 §8.2.7), and differs between requests', () => {
    const tag = (text: string): string | undefined => tagOf(header(statelessResponse(asRequest(parsed(text)), 404), 'to'));
    assert.equal(tag(request('INVITE', { branch: 'z9hG4bK-a' })), tag(request('INVITE', { branch: 'z9hG4bK-a' })));
    assert.notEqual(tag(request('INVITE', { branch: 'z9hG4bK-a' })), tag(request('INVITE', { branch: 'z9hG4bK-b' })));
    assert.notEqual(tag(request('INVITE', { callId: 'x' })), tag(request('INVITE', { callId: 'y' })));
  });
});

describe('parseSipUri', () => {
  test('name-addr, params, IPv6, tel', () => {
    assert.deepEqual(
      { ...parseSipUri('"Bob" <sip:bob@Example.COM:5070;transport=tcp>;tag=1'), params: undefined },
      { scheme: 'sip', user: 'bob', host: 'example.com', port: 5070, params: undefined },
    );
    assert.equal(parseSipUri('sip:alice@[2001:db8::1]:5060')?.host, '[2001:db8::1]');
    assert.equal(parseSipUri('tel:+4930123')?.user, '+4930123');
    assert.equal(parseSipUri('http://x'), undefined);
    assert.equal(parseSipUri('sip:a@b:99999'), undefined);
  });
});
