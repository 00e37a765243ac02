import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BaresipPeer } from '../support/baresip-peer.js';
import { HeadlessRunner, type RunnerEvent } from '../support/headless-runner.js';
import { peerSkipReason, startKamailio, type Kamailio } from '../support/kamailio.js';
import { runnerConfig } from '../support/linedesk-config.js';
import { captureSkipReason, WireCapture } from '../support/wire-capture.js';

const skip = peerSkipReason('kamailio', 'baresip', 'tshark') ?? captureSkipReason();
const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Transfers with two real user agents: baresip 304 is the caller the agent transfers,
 * baresip 305 the target. baresip's menu module carries out a REFER it receives: it calls
 * the Refer-To target and reports the outcome in NOTIFYs with a sipfrag.
 */
describe('transfer against baresip', { skip, timeout: 120_000 }, () => {
  let k: Kamailio;
  let caller: BaresipPeer;
  let target: BaresipPeer;
  let runner: HeadlessRunner;

  /** Calls baresip 305 has answered from 304, i.e. transfers that reached the target. */
  const establishedFromCaller = (): number => target.ctrlEvents.filter((e) => e.type === 'CALL_ESTABLISHED' && String(e.peeruri).startsWith('sip:304@')).length;
  const transferStates = (call: string): unknown[] => runner.events.filter((e) => e.event === 'call.transfer' && e.call === call).map((e) => e.state);
  /** What each REFER that left LineDesk asked for (Kamailio's relayed copy is the same). */
  const referTo = async (cap: WireCapture): Promise<string> => {
    const rows = await cap.fields('sip.Method == "REFER"', ['sip.Refer-To']);
    assert.ok(rows.length > 0, 'a REFER on the wire');
    return rows[0]!.join(';');
  };

  before(async () => {
    k = await startKamailio();
    caller = new BaresipPeer({ user: '304', registrarPort: k.udpPort, lifetimeSec: 110 });
    target = new BaresipPeer({ user: '305', registrarPort: k.udpPort, lifetimeSec: 110 });
    await caller.start();
    await target.start();
    runner = new HeadlessRunner(runnerConfig(k, [{ id: 'agent', ext: '224', media: { mode: 'echo' } }]));
    await runner.registered(['agent']);
  });
  after(async () => {
    await runner?.stop();
    await caller?.stop();
    await target?.stop();
    await k?.stop();
  });

  test('blind transfer: REFER to the target, the caller calls it, the NOTIFY 200 ends our leg', async () => {
    const cap = new WireCapture('udp');
    await cap.start();
    let call: RunnerEvent;
    const mark = runner.events.length;
    try {
      runner.send({ cmd: 'dial', line: 'agent', target: '304', id: 'dial' });
      call = await runner.waitForEvent('call.answered', { line: 'agent' }, 10_000, mark);
      await wait(300);
      runner.send({ cmd: 'transfer', line: 'agent', target: '305', id: 'xfer' });
      const ended = await runner.waitForEvent('call.ended', { call: call.call }, 15_000);
      assert.equal(ended.reason, 'local-hangup', 'we hang up once the transfer succeeded');
      await wait(300);
    } finally {
      await cap.stop();
    }
    try {
      assert.match(await referTo(cap), /^<?sip:305@127\.0\.0\.1>?$/);
    } finally {
      cap.dispose();
    }
    assert.deepEqual(transferStates(call.call as string), ['started', 'accepted', 'completed']);
    assert.equal(establishedFromCaller(), 1, 'the target answered the caller');
    await target.command('hangup');
  });

  test('attended transfer: consult while the caller holds, then REFER with Replaces naming the consultation', async () => {
    const cap = new WireCapture('udp');
    await cap.start();
    let original: RunnerEvent;
    let consult: RunnerEvent;
    const mark = runner.events.length;
    try {
      runner.send({ cmd: 'dial', line: 'agent', target: '304', id: 'dial' });
      original = await runner.waitForEvent('call.answered', { line: 'agent' }, 10_000, mark);
      await wait(300);
      runner.send({ cmd: 'consult', line: 'agent', target: '305', id: 'consult' });
      await runner.waitForEvent('call.held', { call: original.call, on: true });
      consult = await runner.waitFor((e) => e.event === 'call.answered' && e.call !== original.call, 10_000, 'the consultation answered', mark);
      await wait(300);
      runner.send({ cmd: 'transfer.complete', line: 'agent', id: 'complete' });
      for (const c of [original, consult]) assert.equal((await runner.waitForEvent('call.ended', { call: c.call }, 15_000)).reason, 'local-hangup');
      await wait(300);
    } finally {
      await cap.stop();
    }
    let refer: string;
    let invites: string[][];
    try {
      refer = await referTo(cap);
      invites = await cap.fields('sip.Method == "INVITE"', ['sip.Request-Line']);
    } finally {
      cap.dispose();
    }
    // RFC 3891: the target's Contact, with the consultation's Call-ID and tags as Replaces
    // (to-tag: the target's own tag; from-tag: ours), escaped inside the Refer-To URI.
    const m = /<(sip:305-[^?>]+)\?Replaces=([^%>]+)%3Bto-tag%3D[^%>]+%3Bfrom-tag%3D[^%>]+>$/.exec(refer);
    assert.ok(m, `Refer-To: ${refer}`);
    assert.equal(m[2], String(consult.call), 'Replaces names the consultation');
    assert.deepEqual(transferStates(original.call as string), ['started', 'accepted', 'completed']);
    // baresip 1.0 follows the Refer-To but keeps the Replaces in the Request-URI instead of
    // sending a Replaces header, so 305 takes it as a second call rather than a replacement.
    assert.ok(invites.some(([line]) => line!.startsWith(`INVITE ${m[1]}?Replaces=${String(consult.call)}`)), 'the caller called the consulted party');
    assert.equal(establishedFromCaller(), 2, 'the target answered the caller');
    await target.command('hangup');
  });
});
