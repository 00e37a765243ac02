import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StreamFramer } from '../../../src-main/sip/transport/stream-framer.js';
import { request } from '../../support/sip-text.js';

const msg = (body = ''): Buffer => Buffer.from(request('MESSAGE', { body }), 'utf8');

describe('StreamFramer', () => {
  test('splits back-to-back messages and keeps a partial one', () => {
    const f = new StreamFramer();
    const a = msg('one');
    const b = msg('two-two');
    const joined = Buffer.concat([a, b]);
    const ev = f.push(joined.subarray(0, a.length + 10));
    assert.equal(ev.length, 1);
    assert.ok(ev[0]!.type === 'message' && ev[0]!.bytes.equals(a));
    assert.equal(f.buffered, 10);
    const ev2 = f.push(joined.subarray(a.length + 10));
    assert.equal(ev2.length, 1);
    assert.ok(ev2[0]!.type === 'message' && ev2[0]!.bytes.equals(b));
  });

  test('reassembles a message fed one byte at a time, body counted in bytes', () => {
    const f = new StreamFramer();
    const m = msg('ünïcödé ✓');
    const out = [];
    for (const byte of m) out.push(...f.push(Buffer.from([byte])));
    assert.equal(out.length, 1);
    assert.ok(out[0]!.type === 'message' && out[0]!.bytes.equals(m));
  });

  test('double CRLF is a ping, a lone CRLF a pong, CRLFs between messages are skipped', () => {
    const f = new StreamFramer();
    assert.deepEqual(f.push(Buffer.from('\r\n\r\n')), [{ type: 'ping' }]);
    assert.deepEqual(f.push(Buffer.from('\r\n')), [{ type: 'pong' }]);
    const ev = f.push(Buffer.concat([Buffer.from('\r\n'), msg()]));
    assert.equal(ev.length, 1);
    assert.equal(ev[0]!.type, 'message');
  });

  test('the pong to our ping counts even when the next message follows it in the same read', () => {
    const f = new StreamFramer();
    f.awaitPong();
    const ev = f.push(Buffer.concat([Buffer.from('\r\n'), msg()]));
    assert.deepEqual(ev.map((e) => e.type), ['pong', 'message']);
    const later = f.push(Buffer.concat([Buffer.from('\r\n'), msg()]));
    assert.deepEqual(later.map((e) => e.type), ['message'], 'with no ping outstanding a CRLF before a message is padding');
  });

  test('no Content-Length on a stream is fatal for the connection', () => {
    const f = new StreamFramer();
    const text = request('OPTIONS').replace('Content-Length: 0\r\n', '');
    const ev = f.push(Buffer.from(text));
    assert.deepEqual(ev, [{ type: 'error', reason: 'no Content-Length on a stream transport' }]);
    assert.deepEqual(f.push(msg()), [], 'a failed stream ignores further input');
  });

  test('oversized headers and bodies are refused before buffering them', () => {
    const f = new StreamFramer({ maxHeaderBytes: 1024, maxBodyBytes: 100 });
    const ev = f.push(Buffer.from('INVITE sip:x SIP/2.0\r\nX: ' + 'a'.repeat(2000)));
    assert.equal(ev[0]?.type, 'error');
    const g = new StreamFramer({ maxHeaderBytes: 1024, maxBodyBytes: 100 });
    assert.equal(g.push(msg('x'.repeat(101)))[0]?.type, 'error');
  });

  test('a bad Content-Length is fatal', () => {
    const f = new StreamFramer();
    assert.equal(f.push(Buffer.from(request('OPTIONS').replace('Content-Length: 0', 'Content-Length: 1e3')))[0]?.type, 'error');
  });
});
