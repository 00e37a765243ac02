import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseSipMessage } from '../../../src-main/sip/message/parse-sip-message.js';
import { scanOutgoing } from '../../../src-main/sip/message/scan-outgoing.js';
import { header, headerValues, splitHeaderList } from '../../../src-main/sip/message/sip-message.js';
import { sipCorpus } from '../../support/sip-corpus.js';

describe('scanOutgoing: what the mux routes a message we send by', () => {
  for (const c of sipCorpus) {
    test(`the same as a full parse: ${c.name}`, () => {
      const full = parseSipMessage(Buffer.from(c.text, 'utf8'));
      assert.ok(full.ok);
      const scan = scanOutgoing(c.text);
      assert.ok(scan);
      const a = scan.message;
      const b = full.message;
      assert.equal(a.kind, b.kind);
      if (a.kind === 'request' && b.kind === 'request') {
        assert.equal(a.method, b.method);
        assert.equal(a.uri, b.uri);
      }
      if (a.kind === 'response' && b.kind === 'response') assert.equal(a.status, b.status);
      assert.deepEqual(scan.keys, full.keys);
      assert.equal(header(a, 'to'), header(b, 'to'));
      assert.equal(headerValues(a, 'route').flatMap(splitHeaderList)[0], headerValues(b, 'route').flatMap(splitHeaderList)[0]);
    });
  }

  test('the first Route line only, and the top Via of a line holding two', () => {
    const text = 'BYE sip:a@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-a;rport, SIP/2.0/UDP x;branch=b\r\nVia: SIP/2.0/UDP y;branch=c\r\nRoute: <sip:p1;lr>, <sip:p2;lr>\r\nRoute: <sip:p3;lr>\r\nTo: <sip:a@h>;tag=1\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n';
    const scan = scanOutgoing(text);
    assert.equal(scan?.keys.via?.branch, 'z9hG4bK-a');
    assert.deepEqual(headerValues(scan.message, 'route'), ['<sip:p1;lr>, <sip:p2;lr>']);
    assert.deepEqual(scan?.keys.cseq, { seq: 2, method: 'BYE' });
  });

  test('no top Via or no CSeq: undefined (the mux refuses to send it)', () => {
    assert.equal(scanOutgoing('BYE sip:a@h SIP/2.0\r\nCSeq: 1 BYE\r\n\r\n'), undefined);
    assert.equal(scanOutgoing('BYE sip:a@h SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=x\r\n\r\n'), undefined);
    assert.equal(scanOutgoing('garbage\r\nVia: SIP/2.0/UDP h;branch=x\r\nCSeq: 1 BYE\r\n\r\n'), undefined);
  });
});
