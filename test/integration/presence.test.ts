import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { HeadlessRunner, type RunnerEvent } from '../support/headless-runner.js';
import { presenceSkipReason, startKamailio, type Kamailio } from '../support/kamailio.js';
import { runnerConfig } from '../support/linedesk-config.js';
import { peerSkipReason, startDevice } from '../support/sipp.js';
import { sipText } from '../support/sip-text.js';
import { UdpPeer } from '../support/udp-peer.js';

/*
 * Busy-lamp field against Kamailio's presence server: the desk (200) watches its colleague
 * Bob (201, a second headless runner); Kamailio publishes the dialog states of the calls it
 * relays (pua_dialoginfo) and NOTIFYs the desk.
 */

const STRANGER = '127.0.0.3';

function udpPortOf(runner: HeadlessRunner): number {
  const ready = runner.eventsNamed('ready')[0]!;
  const udp = (ready.transports as { protocol: string; local: string }[]).find((t) => t.protocol === 'udp')!;
  return Number(udp.local.split(':').pop());
}

const lamp = (runner: HeadlessRunner, ext: string, state: string, ms = 10_000, since = 0): Promise<RunnerEvent> => runner.waitForEvent('presence', { ext, state }, ms, since);

async function counter(runner: HeadlessRunner, name: string, id: string): Promise<number> {
  runner.send({ cmd: 'diagnostics', id });
  const e = (await runner.waitForEvent('diagnostics', { id })) as RunnerEvent & { counters?: Record<string, number> };
  return e.counters?.[name] ?? 0;
}

describe('presence: busy-lamp field through Kamailio', { skip: presenceSkipReason(), timeout: 180_000 }, () => {
  let k: Kamailio;
  let desk: HeadlessRunner;
  let bob: HeadlessRunner;

  before(async () => {
    k = await startKamailio({ presence: true });
    bob = new HeadlessRunner(runnerConfig(k, [{ id: 'bob', ext: '201' }]));
    const config = runnerConfig(k, [{ id: 'desk', ext: '200' }]) as { lines: Record<string, unknown>[] };
    config.lines[0]!.mwi = true;
    desk = new HeadlessRunner({ ...config, presence: { watch: [{ ext: '201', label: 'Bob' }, '202'], expiresSec: 10 } });
    await Promise.all([bob.registered(['bob']), desk.registered(['desk'])]);
  });
  after(async () => {
    await desk?.stop();
    await bob?.stop();
    await k?.stop();
  });

  /** The desk calls Bob: his lamp rings, goes busy when he answers, idle after the hangup. */
  async function callBob(): Promise<void> {
    const mark = desk.events.length;
    desk.send({ cmd: 'dial', line: 'desk', target: '201' });
    const offered = await bob.waitForEvent('call.offered', { line: 'bob' }, 10_000, bob.events.length);
    await lamp(desk, '201', 'ringing', 10_000, mark);
    bob.send({ cmd: 'accept', line: 'bob' });
    await bob.waitForEvent('call.answered', { call: offered.call });
    await lamp(desk, '201', 'busy', 10_000, mark);
    desk.send({ cmd: 'hangup', line: 'desk' });
    await bob.waitForEvent('call.ended', { call: offered.call });
    const idle = await lamp(desk, '201', 'idle', 10_000, mark);
    assert.equal(idle.label, 'Bob');
    const states = desk.eventsSince(mark, 'presence').filter((e) => e.ext === '201').map((e) => e.state);
    assert.deepEqual(states, ['ringing', 'busy', 'idle'], 'the lamp went ringing → busy → idle, nothing else');
  }

  test('lamps start idle, and presence.list reads them', async () => {
    await lamp(desk, '201', 'idle');
    await lamp(desk, '202', 'idle');
    desk.send({ cmd: 'presence.list', id: 'l1' });
    const list = await desk.waitForEvent('presence.list', { id: 'l1' });
    assert.deepEqual(list.lamps, [
      { ext: '201', label: 'Bob', state: 'idle' },
      { ext: '202', label: '202', state: 'idle' },
    ]);
  });

  test('a call to the colleague: idle → ringing → busy → idle', async () => {
    await callBob();
  });

  test('subscriptions are refreshed before they expire (10 s)', async () => {
    const initial = (): number => k.log().split('\n').filter((l) => /SUBSCRIBE sip:201@/.test(l)).length;
    const refreshes = (): number => k.log().split('\n').filter((l) => /in-dialog SUBSCRIBE for sip:201@/.test(l)).length;
    const [initialBefore, refreshesBefore] = [initial(), refreshes()];
    await delay(15_000);
    assert.ok(refreshes() > refreshesBefore, 'the subscription was refreshed in its dialog');
    assert.equal(initial(), initialBefore, 'no new subscription was needed');
    assert.equal(desk.eventsNamed('presence').filter((e) => e.ext === '201').at(-1)?.state, 'idle');
    await callBob();
  });

  test('a NOTIFY from a stranger host is not believed', async () => {
    const stranger = new UdpPeer();
    await stranger.bind(STRANGER);
    try {
      const port = udpPortOf(desk);
      const contactUser = /sip:([^@]+)@/.exec((await k.contacts('200'))[0]!)![1]!;
      const before = await counter(desk, 'sipDroppedUntrusted', 'd0');
      const mark = desk.events.length;
      const body =
        '<?xml version="1.0"?>\n<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="999" state="full" entity="sip:201@127.0.0.1">' +
        '<dialog id="x" direction="recipient"><state>confirmed</state></dialog></dialog-info>';
      const notify = sipText(`NOTIFY sip:${contactUser}@127.0.0.1:${port} SIP/2.0`, [
        `Via: SIP/2.0/UDP ${STRANGER}:${stranger.port};branch=z9hG4bK-stranger-notify;rport`,
        'Max-Forwards: 70',
        'From: <sip:201@127.0.0.1>;tag=stranger',
        'To: <sip:200@127.0.0.1>;tag=desk',
        'Call-ID: stranger-notify',
        'CSeq: 1 NOTIFY',
        'Event: dialog',
        'Subscription-State: active;expires=600',
        'Content-Type: application/dialog-info+xml',
      ], body);
      await stranger.send(notify, port);
      await delay(1_500);
      assert.deepEqual(desk.eventsSince(mark, 'presence'), [], 'no lamp changed');
      assert.deepEqual(stranger.received, [], 'no answer to the stranger');
      assert.ok((await counter(desk, 'sipDroppedUntrusted', 'd1')) > before, 'the NOTIFY was counted as dropped');
    } finally {
      stranger.close();
    }
  });

  /** A voicemail system PUBLISHes the desk's mailbox state to the presence server (presence_mwi). */
  async function publishVoicemail(n: number, body: string): Promise<void> {
    const vm = new UdpPeer();
    await vm.bind();
    try {
      const publish = sipText(`PUBLISH sip:200@127.0.0.1:${k.udpPort} SIP/2.0`, [
        `Via: SIP/2.0/UDP 127.0.0.1:${vm.port};branch=z9hG4bK-vm-publish-${n};rport`,
        'Max-Forwards: 70',
        'From: <sip:voicemail@127.0.0.1>;tag=vm1',
        'To: <sip:200@127.0.0.1>',
        `Call-ID: vm-publish-${n}`,
        'CSeq: 1 PUBLISH',
        'Event: message-summary',
        'Expires: 600',
        'Content-Type: application/simple-message-summary',
      ], body);
      await vm.send(publish, k.udpPort);
      assert.match(await vm.next((m) => m.includes(`vm-publish-${n}`) && /^SIP\/2.0 [2-9]/.test(m)), /^SIP\/2.0 200/);
    } finally {
      vm.close();
    }
  }

  test('message waiting: a voicemail PUBLISHed to the presence server lights the line (subscription)', async () => {
    const mark = desk.events.length;
    await publishVoicemail(1, 'Messages-Waiting: yes\r\nMessage-Account: sip:200@127.0.0.1\r\nVoice-Message: 2/8 (0/2)\r\n');
    const mwi = await desk.waitForEvent('mwi', { line: 'desk' }, 10_000, mark);
    assert.deepEqual([mwi.waiting, mwi.new, mwi.old], [true, 2, 8]);
    desk.send({ cmd: 'presence.list', id: 'l2' });
    const list = await desk.waitForEvent('presence.list', { id: 'l2' });
    assert.deepEqual(list.mwi, [{ line: 'desk', waiting: true, new: 2, old: 8 }]);
  });

  test('message waiting: an unsolicited NOTIFY from the registrar counts, one from a stranger does not', async () => {
    const port = udpPortOf(desk);
    const contactUser = /sip:([^@]+)@/.exec((await k.contacts('200'))[0]!)![1]!;
    const notify = (from: string, fromPort: number, n: number, body: string): string =>
      sipText(`NOTIFY sip:${contactUser}@127.0.0.1:${port} SIP/2.0`, [
        `Via: SIP/2.0/UDP ${from}:${fromPort};branch=z9hG4bK-mwi-${n};rport`,
        'Max-Forwards: 70',
        'From: <sip:200@127.0.0.1>;tag=mwi',
        'To: <sip:200@127.0.0.1>',
        `Call-ID: unsolicited-mwi-${n}`,
        'CSeq: 1 NOTIFY',
        'Event: message-summary',
        'Subscription-State: active',
        'Content-Type: application/simple-message-summary',
      ], body);
    const stranger = new UdpPeer();
    await stranger.bind(STRANGER);
    const pbx = new UdpPeer();
    await pbx.bind('127.0.0.1');
    try {
      let mark = desk.events.length;
      await stranger.send(notify(STRANGER, stranger.port, 1, 'Messages-Waiting: no\r\nVoice-Message: 0/0\r\n'), port);
      await delay(1_000);
      assert.deepEqual(desk.eventsSince(mark, 'mwi'), [], 'the stranger changed nothing');
      assert.deepEqual(stranger.received, []);
      mark = desk.events.length;
      await pbx.send(notify('127.0.0.1', pbx.port, 2, 'Messages-Waiting: yes\r\nVoice-Message: 5/9\r\n'), port);
      assert.match(await pbx.next((m) => m.includes('unsolicited-mwi-2')), /^SIP\/2.0 200/);
      const mwi = await desk.waitForEvent('mwi', { line: 'desk' }, 5_000, mark);
      assert.deepEqual([mwi.waiting, mwi.new, mwi.old], [true, 5, 9]);
    } finally {
      stranger.close();
      pbx.close();
    }
  });

  test('after Kamailio restarts, the lamps go offline and come back by themselves, and the voicemail subscription is made again', async () => {
    const mark = desk.events.length;
    const bobMark = bob.events.length;
    await k.stop();
    // Both desks notice (their heartbeats go unanswered) before Kamailio, with an empty usrloc, is back.
    await lamp(desk, '201', 'offline', 20_000, mark);
    const notRegistered = (e: RunnerEvent): boolean => e.event === 'line.state' && e.state !== 'registered';
    await desk.waitFor(notRegistered, 20_000, 'desk not registered', mark);
    const bobDown = await bob.waitFor(notRegistered, 20_000, 'bob not registered', bobMark);
    await k.start();
    await Promise.all([
      desk.waitForEvent('line.state', { line: 'desk', state: 'registered' }, 30_000, mark),
      bob.waitForEvent('line.state', { line: 'bob', state: 'registered' }, 30_000, bob.events.indexOf(bobDown)),
    ]);
    await lamp(desk, '201', 'idle', 20_000, mark);
    await callBob();
    // The voicemail subscription was made again too.
    const mwiMark = desk.events.length;
    await publishVoicemail(2, 'Messages-Waiting: yes\r\nVoice-Message: 7/1\r\n');
    const mwi = await desk.waitForEvent('mwi', { line: 'desk', new: 7 }, 10_000, mwiMark);
    assert.deepEqual([mwi.waiting, mwi.old], [true, 1]);
  });
});

/*
 * A desk phone that serves dialog subscriptions itself (sipp, registered as 209 on a plain
 * Kamailio that relays SUBSCRIBE like any request) and ends each one with a NOTIFY
 * "terminated;reason=noresource": the lamp goes offline and the desk subscribes again.
 */
describe('presence: a subscription the notifier terminates is made again', { skip: peerSkipReason('kamailio', 'sipp'), timeout: 60_000 }, () => {
  test('terminated NOTIFY → offline → a new SUBSCRIBE (new Call-ID) → the lamp is back', async () => {
    const k = await startKamailio();
    const phone = startDevice({ target: `127.0.0.1:${k.udpPort}`, user: '209', lifeMs: 40_000, answerScenario: 'uas-dialog-notifier-ooc.xml', vars: { terminate_after: '1500' } });
    let desk: HeadlessRunner | undefined;
    try {
      await phone.registered;
      desk = new HeadlessRunner({ ...runnerConfig(k, [{ id: 'desk', ext: '208' }]), presence: { watch: ['209'] } });
      const ringing = await lamp(desk, '209', 'ringing');
      await phone.waitForLog(/^TERMINATED /, 10_000);
      const offline = await lamp(desk, '209', 'offline', 5_000, desk.events.indexOf(ringing));
      await lamp(desk, '209', 'ringing', 10_000, desk.events.indexOf(offline));
      const callIds = phone.log().filter((l) => l.startsWith('SUBSCRIBE ')).map((l) => l.split(' ')[1]);
      assert.ok(new Set(callIds).size >= 2, `a second subscription with a new Call-ID: ${callIds.join(', ')}`);
    } finally {
      await desk?.stop();
      phone.kill();
      await phone.done.catch(() => undefined);
      await k.stop();
    }
  });
});
