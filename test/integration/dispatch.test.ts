import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HeadlessRunner } from '../support/headless-runner.js';
import { peerSkipReason, startKamailio, type Kamailio } from '../support/kamailio.js';
import { runnerConfig } from '../support/linedesk-config.js';
import { LossyRelay } from '../support/lossy-relay.js';
import { captureSkipReason, WireCapture } from '../support/wire-capture.js';
import { runSipp, startSipp } from '../support/sipp.js';
import { cancellingCallerScenario } from '../support/sipp-pcap-scenario.js';

const skip = peerSkipReason('kamailio', 'sipp');

describe('dispatcher through Kamailio: one AOR, three lines', { skip, timeout: 240_000 }, () => {
  let k: Kamailio;
  let runner: HeadlessRunner;
  const lines = ['q1', 'q2', 'q3'];

  before(async () => {
    k = await startKamailio({ auth: true });
    runner = new HeadlessRunner(
      runnerConfig(
        k,
        lines.map((id) => ({ id, ext: '206', autoAnswerMs: 0, maxCalls: 1 })),
        { dispatch: { strategy: 'rrmemory', offerTimeoutMs: 15_000, queue: { maxLength: 10, maxWaitMs: 60_000, overflowUri: null } } },
      ),
    );
    await runner.registered(lines);
  });
  after(async () => {
    await runner?.stop();
    await k?.stop();
  });

  test('30 calls under rrmemory spread evenly over the lines, and every fork that loses gets 486 with a Reason naming the line that holds it', async () => {
    const mark = runner.events.length;
    // The Reason header is checked on the wire (tshark) where capturing is allowed.
    const cap = captureSkipReason() ? undefined : new WireCapture(`udp port ${k.udpPort}`);
    await cap?.start();
    const r = await runSipp({ scenario: 'uac-call.xml', target: `127.0.0.1:${k.udpPort}`, service: '206', calls: 30, rate: 5, limit: 1, durationMs: 100, timeoutMs: 60_000 });
    assert.equal(r.successful, 30, r.errors);
    if (cap) {
      await cap.stop();
      const refusals = await cap.fields('sip.Status-Code == 486', ['sip.Reason']);
      cap.dispose();
      assert.ok(refusals.length >= 60, `${refusals.length} 486 answers on the wire`);
      for (const [reason] of refusals) assert.match(reason ?? '', /^SIP;cause=486;text="taken by line q[123]"$/);
    }
    const evs = runner.eventsSince(mark);
    const answered = evs.filter((e) => e.event === 'call.answered');
    const perLine = Object.fromEntries(lines.map((l) => [l, answered.filter((e) => e.line === l).length]));
    assert.deepEqual(perLine, { q1: 10, q2: 10, q3: 10 });
    // In order, round robin: q1, q2, q3, q1, …
    assert.deepEqual(answered.slice(0, 6).map((e) => e.line), ['q1', 'q2', 'q3', 'q1', 'q2', 'q3']);
    assert.equal(evs.filter((e) => e.event === 'call.rejected' && e.reason === 'fork' && e.code === 486).length, 60, 'two forks of every call refused');
    assert.equal(new Set(answered.map((e) => e.call)).size, 30, 'no call answered twice');
  });
});

describe('dispatcher through Kamailio: re-offer, queue, cancel, failed registration', { skip, timeout: 240_000 }, () => {
  let k: Kamailio;
  let runner: HeadlessRunner;

  before(async () => {
    k = await startKamailio({ auth: true });
    runner = new HeadlessRunner(
      runnerConfig(k, [
        { id: 'a1', ext: '207' },
        { id: 'a2', ext: '207' },
      ], { dispatch: { strategy: 'linear', offerTimeoutMs: 1_500, queue: { maxLength: 5, maxWaitMs: 20_000, overflowUri: null } } }),
    );
    await runner.registered(['a1', 'a2']);
  });
  after(async () => {
    await runner?.stop();
    await k?.stop();
  });

  test('a decline moves the call to the next line at once; a timeout does too; the caller never hears it', async () => {
    const sipp = startSipp({ scenario: 'uac-final.xml', target: `127.0.0.1:${k.udpPort}`, service: '207', durationMs: 100, timeoutMs: 20_000 });
    const first = await runner.waitForEvent('call.offered', { line: 'a1' });
    runner.send({ cmd: 'decline', line: 'a1', reason: 'wrap-up' });
    const second = await runner.waitForEvent('call.offered', { call: first.call, line: 'a2' });
    assert.equal(second.attempt, 2);
    assert.ok((second.ts) - (first.ts) < 1_000, 'offered to the next line at once');
    runner.send({ cmd: 'accept', line: 'a2' });
    await runner.waitForEvent('call.answered', { call: first.call, line: 'a2' });
    const r = await sipp.done;
    assert.ok(r.log.some((l) => /FINAL \S+ 200/.test(l)), r.log.join('\n'));

    const mark = runner.events.length;
    const sipp2 = startSipp({ scenario: 'uac-final.xml', target: `127.0.0.1:${k.udpPort}`, service: '207', durationMs: 100, timeoutMs: 20_000 });
    const o1 = await runner.waitForEvent('call.offered', { line: 'a1' }, 10_000, mark);
    const timedOut = await runner.waitForEvent('call.offer.ended', { call: o1.call, line: 'a1' }, 5_000);
    assert.equal(timedOut.reason, 'timeout');
    const o2 = await runner.waitForEvent('call.offered', { call: o1.call, line: 'a2' });
    const afterMs = (o2.ts) - (o1.ts);
    assert.ok(afterMs >= 1_450 && afterMs < 2_500, `re-offered after the 1.5 s offer timeout (${afterMs} ms)`);
    const t2 = await runner.waitForEvent('call.offer.ended', { call: o1.call, line: 'a2' }, 5_000);
    assert.equal(t2.reason, 'timeout');
    const end = await runner.waitForEvent('call.ended', { call: o1.call });
    assert.equal(end.code, 480, 'no line left: 480');
    const r2 = await sipp2.done;
    assert.ok(r2.log.some((l) => /FINAL \S+ 480/.test(l)), r2.log.join('\n'));
  });

  test('with every line busy calls queue (182) and are served in arrival order; a CANCEL while queued gives 487', async () => {
    const mark = runner.events.length;
    // Two calls take both lines and talk.
    const busy = [0, 1].map(() => startSipp({ scenario: 'uac-final.xml', target: `127.0.0.1:${k.udpPort}`, service: '207', durationMs: 4_000, timeoutMs: 30_000 }));
    for (const line of ['a1', 'a2']) {
      await runner.waitForEvent('call.offered', { line }, 10_000, mark);
      runner.send({ cmd: 'accept', line });
      await runner.waitForEvent('call.answered', { line }, 10_000, mark);
    }
    // Three more wait: the first two stay, the third hangs up while queued.
    const waiting = [startSipp({ scenario: 'uac-final.xml', target: `127.0.0.1:${k.udpPort}`, service: '207', vars: { from_user: 'first' }, durationMs: 100, timeoutMs: 30_000 })];
    await runner.waitForEvent('call.queued', { from: 'first' }, 10_000, mark);
    waiting.push(startSipp({ scenario: 'uac-final.xml', target: `127.0.0.1:${k.udpPort}`, service: '207', vars: { from_user: 'second' }, durationMs: 100, timeoutMs: 30_000 }));
    await runner.waitForEvent('call.queued', { from: 'second' }, 10_000, mark);
    const quitter = startSipp({ scenario: cancellingCallerScenario(800), target: `127.0.0.1:${k.udpPort}`, service: '207', vars: { from_user: 'quitter' }, timeoutMs: 30_000 });
    const q3 = await runner.waitForEvent('call.queued', { from: 'quitter' }, 10_000, mark);
    assert.equal(q3.position, 3);
    const gone = await runner.waitForEvent('call.ended', { call: q3.call }, 10_000);
    if (gone.reason !== 'caller-cancelled') {
      quitter.kill();
      const qq = await quitter.done;
      assert.fail(`quitter: ${qq.log.join(' | ')} ${qq.errors.slice(0, 1500)}\n${runner.eventsSince(mark).map((e) => JSON.stringify(e)).join('\n')}`);
    }
    assert.equal(gone.code, 487);
    assert.equal(gone.line, undefined, 'it never reached a line');
    const qr = await quitter.done;
    // Our kept fork answered 487 (above); through the forking proxy the caller gets the lowest
    // code among the branches, which may be the 486 a refused fork sent at once.
    assert.ok(qr.log.some((l) => /FINAL \S+ 48[67]/.test(l)), `sipp ${qr.exitCode}: ${qr.log.join(' | ')}\n${qr.errors.slice(0, 3000)}`);
    // The talking calls end; the queue is served in arrival order.
    await Promise.all(busy.map((b) => b.done));
    // The callers' exit does not mean the runner has reported the lines free: wait for both dequeues.
    const firstOut = await runner.waitForEvent('call.dequeued', {}, 10_000, mark);
    await runner.waitForEvent('call.dequeued', {}, 10_000, runner.events.indexOf(firstOut) + 1);
    const dequeuedEvents = runner.eventsSince(mark, 'call.dequeued');
    const dequeued = dequeuedEvents.map((e) => runner.events.find((q) => q.event === 'call.queued' && q.call === e.call)?.from);
    assert.deepEqual(dequeued.slice(0, 2), ['first', 'second']);
    const afterFirstDequeue = runner.events.indexOf(dequeuedEvents[0]!) + 1;
    for (const line of ['a1', 'a2']) {
      const offered = await runner.waitForEvent('call.offered', { line }, 10_000, afterFirstDequeue);
      runner.send({ cmd: 'accept', line: offered.line as string });
    }
    for (const w of waiting) {
      const r = await w.done;
      const trace = `${r.log.join(' | ')}\n${runner.eventsSince(mark).filter((e) => e.event.startsWith('call.')).map((e) => JSON.stringify(e)).join('\n')}`;
      assert.ok(r.log.some((l) => /PROV \S+ 182/.test(l)), `the caller heard 182 Queued: ${trace}`);
      assert.ok(r.log.some((l) => /FINAL \S+ 200/.test(l)), `answered: ${trace}`);
    }
  });
});

describe('dispatcher through Kamailio: a line that goes down', { skip, timeout: 120_000 }, () => {
  test('a line whose registration fails stops receiving offers', async () => {
    const k = await startKamailio({ auth: true });
    let cut = false;
    // Line "first" reaches the registrar through a relay we can cut; "second" directly.
    const relay = new LossyRelay({ host: '127.0.0.1', port: k.udpPort }, () => cut);
    const relayPort = await relay.start();
    const config = runnerConfig(k, [
      { id: 'first', ext: '208', autoAnswerMs: 0, registrar: { uri: `sip:127.0.0.1:${relayPort}` } },
      { id: 'second', ext: '208', autoAnswerMs: 0 },
    ], { dispatch: { strategy: 'linear', offerTimeoutMs: 5_000, queue: { maxLength: 5, maxWaitMs: 20_000, overflowUri: null } } });
    const runner = new HeadlessRunner(config);
    try {
      await runner.registered(['first', 'second']);
      const r1 = await runSipp({ scenario: 'uac-call.xml', target: `127.0.0.1:${k.udpPort}`, service: '208', durationMs: 100, timeoutMs: 20_000 });
      assert.equal(r1.successful, 1);
      assert.deepEqual(runner.eventsNamed('call.offered').map((e) => e.line), ['first'], 'linear: the first line takes it while it is up');
      cut = true;
      await runner.waitForEvent('line.state', { line: 'first', state: 'down' }, 15_000);
      const mark = runner.events.length;
      const r2 = await runSipp({ scenario: 'uac-call.xml', target: `127.0.0.1:${k.udpPort}`, service: '208', durationMs: 100, timeoutMs: 30_000 });
      assert.equal(r2.successful, 1, r2.errors);
      const offers = runner.eventsSince(mark, 'call.offered');
      assert.deepEqual(offers.map((e) => [e.line, e.attempt]), [['second', 1]], 'the down line is never offered the call');
    } finally {
      await runner.stop();
      relay.close();
      await k.stop();
    }
  });
});
