import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { CallRecordView } from '../../src-main/contract/control-events.js';
import { BaresipPeer } from '../support/baresip-peer.js';
import { HeadlessRunner } from '../support/headless-runner.js';
import { peerSkipReason, startKamailio, type Kamailio } from '../support/kamailio.js';
import { runnerConfig } from '../support/linedesk-config.js';
import { startDevice, startSipp, type Device } from '../support/sipp.js';
import { captureSkipReason, WireCapture } from '../support/wire-capture.js';

const skip = peerSkipReason('kamailio', 'sipp', 'baresip');
const RING_MS = 2_500;

/**
 * What a PBX's ring groups look like from the desk, against Kamailio's real forking
 * (test/peers/kamailio/kamailio.cfg): 600 rings 200-202 in parallel, 601 hunts them one
 * after another (t_set_fr), 602 rings the contacts of AOR 260 by q-value. The members
 * are a LineDesk line, sipp devices and baresip; the desk's records (`history`) must say
 * what really happened to each call.
 */
describe('ring groups through Kamailio: parallel, hunt and q-value, with sipp and baresip members', { skip, timeout: 240_000 }, () => {
  let k: Kamailio;
  let runner: HeadlessRunner;
  const devices: Device[] = [];
  let baresip: BaresipPeer | undefined;

  before(async () => {
    k = await startKamailio({ ringGroupMs: RING_MS });
    runner = new HeadlessRunner(
      runnerConfig(
        k,
        [
          { id: 'a', ext: '200' },
          { id: 'qa', ext: '260', q: 1 },
          { id: 'qb', ext: '260', q: 0.2 },
        ],
        // The desk's own offer timeout is longer than the PBX's ring time: the PBX moves the call on.
        { dispatch: { strategy: 'linear', offerTimeoutMs: 20_000 } },
      ),
    );
    await runner.registered(['a', 'qa', 'qb']);
  });
  after(async () => {
    for (const d of devices) d.kill();
    await Promise.all(devices.map((d) => d.done.catch(() => undefined)));
    await baresip?.stop();
    await runner?.stop();
    await k?.stop();
  });

  const device = async (user: string, opts: { finalCode?: number; ringMs?: number; q?: number } = {}): Promise<Device> => {
    const d = startDevice({ target: `127.0.0.1:${k.udpPort}`, user, lifeMs: 30_000, ...opts });
    devices.push(d);
    await d.registered;
    return d;
  };
  const stopDevice = async (d: Device): Promise<void> => {
    d.kill();
    await d.done.catch(() => undefined);
    // A killed sipp never un-registers: drop its contact so the next test's groups do not ring it.
    await k.rpc('ul.rm', 'location', `s:${d.user}`).catch(() => undefined);
  };
  const history = async (id: string): Promise<CallRecordView[]> => {
    runner.send({ cmd: 'history', id });
    const e = await runner.waitForEvent('history', { id });
    return e.records as CallRecordView[];
  };

  test('600 in parallel: a sipp device answers first; the CANCEL carries cause=200 and the desk records the call answered elsewhere', async () => {
    const answerer = await device('201', { ringMs: 1_000 });
    const cap = captureSkipReason() ? undefined : new WireCapture(`udp port ${k.udpPort}`);
    await cap?.start();
    await delay(500); // tshark says it captures a moment before it does
    const mark = runner.events.length;
    const caller = startSipp({ scenario: 'uac-final.xml', target: `127.0.0.1:${k.udpPort}`, service: '600', durationMs: 500, timeoutMs: 20_000 });
    const offered = await runner.waitForEvent('call.offered', { line: 'a' }, 10_000, mark);
    const ended = await runner.waitForEvent('call.ended', { call: offered.call }, 10_000, mark);
    assert.equal(ended.reason, 'answered-elsewhere');
    assert.equal(ended.code, 487);
    assert.match(String(ended.detail), /^SIP;cause=200/);
    assert.ok(runner.eventsSince(mark, 'call.answered_elsewhere').some((e) => e.call === offered.call));
    const r = await caller.done;
    assert.ok(r.log.some((l) => /FINAL \S+ 200/.test(l)), `the caller got the device's 200: ${r.log.join(' | ')}`);
    if (cap) {
      await cap.stop();
      const cancels = await cap.fields('sip.Method == "CANCEL"', ['sip.Reason']);
      cap.dispose();
      assert.ok(cancels.some(([reason]) => /^SIP;cause=200/.test(reason ?? '')), `Kamailio's CANCEL said cause=200: ${JSON.stringify(cancels)}`);
    }
    const [rec] = (await history('h600')).filter((x) => x.call === offered.call);
    assert.equal(rec?.disposition, 'answered-elsewhere');
    await stopDevice(answerer);
  });

  test('601 hunt: the desk line rings out (CANCEL without Reason: missed), a busy sipp device is skipped, baresip answers', async () => {
    const busy = await device('201', { finalCode: 486 });
    baresip = new BaresipPeer({ user: '202', registrarPort: k.udpPort, lifetimeSec: 120 });
    await baresip.start();
    const mark = runner.events.length;
    const caller = startSipp({ scenario: 'uac-final.xml', target: `127.0.0.1:${k.udpPort}`, service: '601', durationMs: 500, timeoutMs: 30_000 });
    const offered = await runner.waitForEvent('call.offered', { line: 'a' }, 10_000, mark);
    assert.equal(offered.to, '601', 'the To header names the group');
    const ended = await runner.waitForEvent('call.ended', { call: offered.call }, RING_MS + 5_000, mark);
    const rangMs = Number(ended.ts) - Number(offered.ts);
    assert.equal(ended.reason, 'ring-timeout');
    assert.equal(ended.code, 487);
    assert.equal(ended.detail, undefined, 'Kamailio cancels a timed-out branch without a Reason');
    assert.ok(rangMs > RING_MS - 500 && rangMs < RING_MS + 2_000, `rang for the group's ${RING_MS} ms (${rangMs})`);
    const offerEnd = runner.eventsSince(mark, 'call.offer.ended').find((e) => e.call === offered.call);
    assert.equal(offerEnd?.reason, 'timeout');
    const r = await caller.done;
    assert.ok(r.log.some((l) => /FINAL \S+ 200/.test(l)), `baresip answered the hunt: ${r.log.join(' | ')}`);
    assert.ok(baresip.output.join('').match(/established|answer/i), 'baresip took the call');
    const [rec] = (await history('h601')).filter((x) => x.call === offered.call);
    assert.equal(rec?.disposition, 'missed');
    await stopDevice(busy);
    await baresip.stop();
    baresip = undefined;
  });

  test('602 by q-value: q=1 desk line rings out (missed), the q=0.5 sipp device is busy, the call comes back to the q=0.2 desk line, which answers', async () => {
    const busy = await device('260', { finalCode: 486, q: 0.5 });
    // The contacts of 260 by q, as Kamailio holds them: user part of each Contact, highest q first.
    const byQ = [...(await k.rpc('ul.lookup', 'location', 's:260')).matchAll(/Address: sip:([^@\s]+)@\S+\s+Expires: \S+\s+Q: ([\d.]+)/g)]
      .map((m) => ({ user: m[1]!, q: Number(m[2]) }))
      .sort((x, y) => y.q - x.q);
    assert.deepEqual(byQ.map((c) => c.q), [1, 0.5, 0.2], 'the lines registered their q-values');
    // Line "a" is in the desk's pool for a group call too: out of the way, so the offers follow the PBX's forks.
    runner.send({ cmd: 'dnd', line: 'a', on: true });
    const cap = captureSkipReason() ? undefined : new WireCapture(`udp port ${k.udpPort}`);
    await cap?.start();
    await delay(500); // tshark says it captures a moment before it does
    const mark = runner.events.length;
    const caller = startSipp({ scenario: 'uac-final.xml', target: `127.0.0.1:${k.udpPort}`, service: '602', durationMs: 500, timeoutMs: 30_000 });
    const first = await runner.waitForEvent('call.offered', {}, 10_000, mark);
    assert.equal(first.line, 'qa', 'the q=1 contact rings first');
    const rangOut = await runner.waitForEvent('call.ended', { call: first.call }, RING_MS + 5_000, mark);
    assert.equal(rangOut.reason, 'ring-timeout');
    const second = await runner.waitForEvent('call.offered', { call: first.call, line: 'qb' }, RING_MS + 5_000, mark);
    assert.ok(Number(second.ts) - Number(rangOut.ts) < 2_000, 'the busy q=0.5 device was skipped at once');
    runner.send({ cmd: 'accept', line: 'qb' });
    await runner.waitForEvent('call.answered', { call: first.call, line: 'qb' }, 10_000, mark);
    const r = await caller.done;
    assert.ok(r.log.some((l) => /FINAL \S+ 200/.test(l)), r.log.join(' | '));
    await runner.waitForEvent('call.ended', { call: first.call, line: 'qb' }, 10_000, runner.events.indexOf(second));
    assert.equal(runner.eventsSince(mark, 'call.rejected').length, 0, 'the returning fork was not refused as a late fork');
    const records = (await history('h602')).filter((x) => x.call === first.call);
    assert.deepEqual(
      records.map((x) => [x.line, x.disposition]),
      [
        ['qb', 'answered'],
        ['qa', 'missed'],
      ],
      'two records for the one Call-ID, newest first',
    );
    if (cap) {
      await cap.stop();
      const invites = await cap.fields('sip.Method == "INVITE" && udp.srcport == ' + String(k.udpPort), ['sip.r-uri.user']);
      cap.dispose();
      const order = invites.map(([user]) => user).filter((u, i, all) => all.indexOf(u) === i);
      assert.deepEqual(order, byQ.map((c) => c.user), 'Kamailio forked to the contacts in q order');
    }
    runner.send({ cmd: 'dnd', line: 'a', on: false });
    await stopDevice(busy);
  });
});
