import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { HeadlessRunner } from '../support/headless-runner.js';
import { peerSkipReason, startKamailio, type Kamailio } from '../support/kamailio.js';
import { runnerConfig } from '../support/linedesk-config.js';
import { LinphonePeer } from '../support/linphone-peer.js';
import { captureSkipReason, WireCapture } from '../support/wire-capture.js';

const skip = peerSkipReason('kamailio', 'linphonec');

/**
 * Dialling a Linphone (linphone-cli through Kamailio): its 180 Ringing carries no Contact,
 * which sip.js drops; LineDesk must still report the progress (call.progress 180), and the
 * call must work when Linphone answers.
 */
describe('dialling Linphone, whose 180 has no Contact', { skip, timeout: 120_000 }, () => {
  let k: Kamailio;
  let runner: HeadlessRunner;
  const phones: LinphonePeer[] = [];

  before(async () => {
    k = await startKamailio();
    runner = new HeadlessRunner(runnerConfig(k, [{ id: 'ag', ext: '276' }]));
    await runner.registered(['ag']);
  });
  after(async () => {
    await Promise.all(phones.map((p) => p.stop()));
    await runner?.stop();
    await k?.stop();
  });

  const linphone = async (user: string, autoAnswer: boolean): Promise<LinphonePeer> => {
    const phone = new LinphonePeer({ user, registrarPort: k.udpPort, mediaEncryption: 'none', autoAnswer, lifetimeSec: 60 });
    phones.push(phone);
    await phone.start(async () => (await k.contacts(user)).length > 0);
    return phone;
  };

  test('ringing: call.progress 180 arrives although the 180 has no Contact; a hang-up CANCELs', async () => {
    const phone = await linphone('277', false);
    const cap = captureSkipReason() ? undefined : new WireCapture(`udp port ${phone.sipPort}`);
    await cap?.start();
    await delay(500);
    const mark = runner.events.length;
    runner.send({ cmd: 'dial', line: 'ag', target: '277' });
    const progress = await runner.waitForEvent('call.progress', { line: 'ag' }, 10_000, mark);
    assert.equal(progress.code, 180);
    await delay(500);
    runner.send({ cmd: 'hangup', line: 'ag' });
    const ended = await runner.waitForEvent('call.ended', { call: progress.call }, 10_000, mark);
    assert.deepEqual([ended.reason, ended.code], ['local-hangup', 487]);
    if (cap) {
      await cap.stop();
      const ringing = await cap.fields('sip.Status-Code == 180', ['sip.Contact', 'sip.to.tag']);
      cap.dispose();
      assert.ok(ringing.length > 0, "Linphone's 180 was captured");
      assert.deepEqual(ringing[0]?.[0] ?? '', '', 'it had no Contact (the case sip.js drops)');
      assert.notEqual(ringing[0]?.[1] ?? '', '', 'but a To tag');
    }
  });

  test('answered: progress, then the answer, then our BYE', async () => {
    await linphone('278', true);
    const mark = runner.events.length;
    runner.send({ cmd: 'dial', line: 'ag', target: '278' });
    const answered = await runner.waitForEvent('call.answered', { line: 'ag' }, 10_000, mark);
    const events = runner.eventsSince(mark).filter((e) => e.call === answered.call).map((e) => e.event);
    assert.deepEqual(events.slice(0, 3), ['call.dialing', 'call.progress', 'call.answered']);
    await delay(1_000);
    runner.send({ cmd: 'hangup', line: 'ag' });
    const ended = await runner.waitForEvent('call.ended', { call: answered.call }, 10_000, mark);
    assert.equal(ended.reason, 'local-hangup');
  });
});
