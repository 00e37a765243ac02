import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { silentLogger } from '../../../src-main/common/logger.js';
import { UdpReliability } from '../../../src-main/sip/transport/udp-reliability.js';
import { FakeClock } from '../../support/fake-clock.js';
import { RecordingFlow } from '../../support/recording-flow.js';
import { parsed, request, response } from '../../support/sip-text.js';

const timers = { t1: 500, t2: 4000, t4: 5000 };

function setup() {
  const clock = new FakeClock();
  const flow = new RecordingFlow(clock);
  const rel = new UdpReliability(clock, timers, silentLogger);
  const send = (text: string): void => {
    flow.sent.push({ at: clock.now(), text });
    rel.outgoing(parsed(text), Buffer.from(text), flow);
  };
  return { clock, flow, rel, send };
}

describe('UdpReliability — client transactions', () => {
  test('Timer A: an unanswered INVITE is retransmitted at T1, 2T1, 4T1 … and given up at 64*T1 (Timer B)', () => {
    const { clock, flow, rel, send } = setup();
    send(request('INVITE'));
    clock.advance(40_000);
    assert.deepEqual(flow.times(), [0, 500, 1500, 3500, 7500, 15500, 31500]);
    assert.equal(rel.stats.requestRetransmissions, 6);
    assert.equal(rel.stats.clientTimeouts, 1);
    assert.deepEqual(rel.size, { client: 0, server: 0 });
  });

  test('Timer A stops at the first provisional response', () => {
    const { clock, flow, rel, send } = setup();
    send(request('INVITE'));
    clock.advance(600);
    assert.equal(rel.incoming(parsed(response(100, 'INVITE')), flow), true);
    clock.advance(10_000);
    assert.deepEqual(flow.times(), [0, 500]);
  });

  test('after a provisional, Timer B no longer runs: a final response minutes later still gets Timer D', () => {
    const { clock, flow, rel, send } = setup();
    send(request('INVITE'));
    rel.incoming(parsed(response(180, 'INVITE', { toTag: 't' })), flow);
    clock.advance(5 * 60_000); // a queued call
    assert.equal(rel.stats.clientTimeouts, 0);
    assert.deepEqual(rel.size, { client: 1, server: 0 });
    assert.equal(rel.incoming(parsed(response(486, 'INVITE', { toTag: 't' })), flow), true);
    send(request('ACK', { toTag: 't' }));
    assert.equal(rel.incoming(parsed(response(486, 'INVITE', { toTag: 't' })), flow), false, 'the retransmitted 486 is absorbed');
    assert.match(flow.sent.at(-1)!.text, /^ACK /, 'and ACKed again');
  });

  test('an INVITE that rings without end is forgotten an hour after its last provisional, not counted as a timeout', () => {
    const { clock, flow, rel, send } = setup();
    send(request('INVITE'));
    rel.incoming(parsed(response(180, 'INVITE', { toTag: 't' })), flow);
    clock.advance(50 * 60_000);
    rel.incoming(parsed(response(182, 'INVITE', { toTag: 't' })), flow);
    clock.advance(50 * 60_000);
    assert.deepEqual(rel.size, { client: 1, server: 0 }, 'each provisional restarts the limit');
    clock.advance(10 * 60_000);
    assert.deepEqual(rel.size, { client: 0, server: 0 });
    assert.equal(rel.stats.clientTimeouts, 0);
    assert.equal(clock.pendingCount, 0);
  });

  test('Timer E: a non-INVITE request doubles up to T2, and continues every T2 after a 1xx', () => {
    const { clock, flow, rel, send } = setup();
    send(request('REGISTER'));
    clock.advance(12_000);
    assert.deepEqual(flow.times(), [0, 500, 1500, 3500, 7500, 11500]);
    rel.incoming(parsed(response(100, 'REGISTER')), flow);
    clock.advance(9_000);
    assert.deepEqual(flow.times().slice(6), [16000, 20000]);
    rel.incoming(parsed(response(200, 'REGISTER')), flow);
    clock.advance(30_000);
    assert.equal(flow.sent.length, 8, 'a final response stops Timer E');
  });

  test('a retransmitted 486 to our INVITE is ACKed again from the cache and not passed on (Timer D)', () => {
    const { clock, flow, rel, send } = setup();
    send(request('INVITE'));
    assert.equal(rel.incoming(parsed(response(486, 'INVITE', { toTag: 't' })), flow), true, 'the first final goes to sip.js');
    send(request('ACK', { toTag: 't' }));
    const before = flow.sent.length;
    assert.equal(rel.incoming(parsed(response(486, 'INVITE', { toTag: 't' })), flow), false);
    assert.equal(flow.sent.length, before + 1);
    assert.match(flow.sent.at(-1)!.text, /^ACK /);
    assert.equal(rel.stats.duplicateResponsesAbsorbed, 1);
    clock.advance(40_000);
    assert.equal(rel.incoming(parsed(response(486, 'INVITE', { toTag: 't' })), flow), true, 'after Timer D the cache is gone');
  });

  test('2xx to INVITE always reaches sip.js (it re-ACKs 2xx itself)', () => {
    const { flow, rel, send } = setup();
    send(request('INVITE'));
    assert.equal(rel.incoming(parsed(response(200, 'INVITE', { toTag: 'a' })), flow), true);
    assert.equal(rel.incoming(parsed(response(200, 'INVITE', { toTag: 'a' })), flow), true);
    assert.equal(rel.incoming(parsed(response(200, 'INVITE', { toTag: 'b' })), flow), true, 'a second fork answering');
  });

  test('CANCEL is its own transaction on the INVITE branch', () => {
    const { clock, flow, rel, send } = setup();
    send(request('INVITE'));
    rel.incoming(parsed(response(180, 'INVITE', { toTag: 'x' })), flow);
    send(request('CANCEL'));
    clock.advance(600);
    assert.equal(flow.sent.filter((s) => s.text.startsWith('CANCEL')).length, 2, 'the CANCEL is retransmitted');
    rel.incoming(parsed(response(200, 'CANCEL')), flow);
    clock.advance(5_000);
    assert.equal(flow.sent.filter((s) => s.text.startsWith('CANCEL')).length, 2);
  });
});

describe('UdpReliability — server transactions', () => {
  test('Timer G: our 486 to an INVITE is retransmitted until the ACK arrives', () => {
    const { clock, flow, rel, send } = setup();
    assert.equal(rel.incoming(parsed(request('INVITE')), flow), true);
    send(response(486, 'INVITE', { toTag: 'us' }));
    clock.advance(4_000);
    assert.deepEqual(flow.times(), [0, 500, 1500, 3500]);
    assert.equal(rel.incoming(parsed(request('ACK', { toTag: 'us' })), flow), true, 'the ACK still reaches sip.js');
    clock.advance(30_000);
    assert.equal(flow.sent.length, 4);
  });

  test('Timer G caps at T2 and stops at Timer H (64*T1)', () => {
    const { clock, flow, send } = setup();
    send(response(603, 'INVITE', { toTag: 'us' }));
    clock.advance(40_000);
    const gaps = flow.times().slice(1).map((t, i) => t - flow.times()[i]!);
    assert.deepEqual(gaps.slice(0, 4), [500, 1000, 2000, 4000]);
    assert.ok(gaps.every((g) => g <= 4000));
    assert.ok(flow.times().at(-1)! < 32_000);
  });

  test('Timer J: a retransmitted BYE is answered from the cache and never processed twice', () => {
    const { clock, flow, rel, send } = setup();
    const bye = parsed(request('BYE', { toTag: 'us', cseq: 2 }));
    assert.equal(rel.incoming(bye, flow), true);
    send(response(200, 'BYE', { toTag: 'us', cseq: 2 }));
    clock.advance(20);
    assert.equal(rel.incoming(bye, flow), false, 'the retransmission is absorbed');
    assert.equal(flow.sent.length, 2);
    assert.match(flow.sent[1]!.text, /^SIP\/2.0 200/);
    assert.equal(rel.stats.duplicateRequestsAbsorbed, 1);
    clock.advance(40_000);
    assert.equal(rel.incoming(bye, flow), true, 'after 64*T1 the cache is gone');
  });

  test('the same branch from another source is a different transaction', () => {
    const { clock, rel, send } = setup();
    send(response(200, 'OPTIONS'));
    const other = new RecordingFlow(clock, 'udp:127.0.0.9:5060');
    assert.equal(rel.incoming(parsed(request('OPTIONS')), other), true);
  });

  test('provisional responses and INVITE retransmissions are left to sip.js', () => {
    const { clock, flow, rel, send } = setup();
    send(response(180, 'INVITE', { toTag: 'us' }));
    clock.advance(10_000);
    assert.equal(flow.sent.length, 1);
    assert.equal(rel.incoming(parsed(request('INVITE')), flow), true);
  });

  test('dispose cancels every timer', () => {
    const { clock, flow, rel, send } = setup();
    send(request('INVITE', { branch: 'z9hG4bK-a' }));
    send(response(486, 'INVITE', { branch: 'z9hG4bK-b' }));
    rel.dispose();
    clock.advance(40_000);
    assert.equal(flow.sent.length, 2);
    assert.equal(clock.pendingCount, 0);
  });
});
