import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { CallRecordView } from '../../src-main/contract/control-events.js';
import { HeadlessRunner } from '../support/headless-runner.js';
import { peerSkipReason, startKamailio, type Kamailio } from '../support/kamailio.js';
import { runnerConfig } from '../support/linedesk-config.js';
import { runSipp, startDevice, startSipp, type Device, type RunningSipp } from '../support/sipp.js';

const skip = peerSkipReason('kamailio', 'sipp', 'timeout');

/**
 * Issue 12 item 2, tried as an attacker would: a caller sends a REFER inside the call,
 * asking LineDesk to call someone else with the line's credentials (and, on an agent line,
 * the headset's microphone). Through Kamailio: an agent line (214) and a service line (215,
 * allowReferTo sip:219@127.0.0.1); two registered sipp phones: 219 (a target some REFERs
 * may reach) and 218 (one no REFER may reach: it must never see an INVITE).
 */
describe('REFER from the far end never acts alone (through Kamailio and sipp)', { skip, timeout: 150_000 }, () => {
  let k: Kamailio;
  let runner: HeadlessRunner;
  let allowed: Device;
  let forbidden: Device;
  /** A phone that answers, then REFERs its caller to 218. */
  let referringCallee: Device;
  const agentExt = '214';
  const serviceExt = '215';
  const target = (): string => `127.0.0.1:${k.udpPort}`;
  const uri = (ext: string): string => `sip:${ext}@127.0.0.1`;
  /** A caller that REFERs the line it reached to `referTo` after the answer. */
  const referrer = (ext: string, referTo: string, hangupAfterMs = 300): RunningSipp =>
    startSipp({ scenario: 'uac-refer.xml', target: target(), service: ext, vars: { refer_to: referTo, refer_after: '300', hangup_after: String(hangupAfterMs) }, timeoutMs: 30_000 });
  const invitesTo = (device: Device): string[] => device.log().filter((l) => l.startsWith('INVITE '));
  /** The REFER's final answer as the caller logged it. */
  const referAnswer = async (sipp: RunningSipp): Promise<number> => Number((await sipp.waitForLog(/^REFER-ANSWERED /, 15_000)).split(' ')[2]);
  const notifies = (sipp: RunningSipp): string[] => sipp.log().filter((l) => l.startsWith('NOTIFY '));

  before(async () => {
    k = await startKamailio({ auth: true });
    allowed = startDevice({ target: target(), user: '219', password: 'secret', lifeMs: 140_000 });
    forbidden = startDevice({ target: target(), user: '218', password: 'secret', lifeMs: 140_000 });
    referringCallee = startDevice({ target: target(), user: '217', password: 'secret', lifeMs: 140_000, answerScenario: 'uas-refer-ooc.xml', vars: { refer_to: uri('218'), refer_after: '300' } });
    runner = new HeadlessRunner(
      runnerConfig(k, [
        { id: 'a1', ext: agentExt },
        { id: 's1', ext: serviceExt, autoAnswerMs: 0, allowReferTo: [uri('219')] },
      ]),
    );
    await Promise.all([allowed.registered, forbidden.registered, referringCallee.registered, runner.registered(['a1', 's1'])]);
  });
  after(async () => {
    await runner?.stop();
    for (const d of [allowed, forbidden, referringCallee]) d?.kill();
    await Promise.allSettled([allowed?.done, forbidden?.done, referringCallee?.done]);
    await k?.stop();
  });

  test('agent line: the REFER places no call, reaches the agent as call.refer, and refer.decline answers 603', async () => {
    const mark = runner.events.length;
    const sipp = referrer(agentExt, uri('218'));
    const offer = await runner.waitForEvent('call.offered', { line: 'a1' }, 10_000, mark);
    runner.send({ cmd: 'accept', line: 'a1' });
    const refer = await runner.waitForEvent('call.refer', { call: offer.call }, 10_000, mark);
    assert.equal(refer.line, 'a1');
    assert.equal(refer.target, uri('218'));
    assert.match(refer.referredBy as string, /^sip:sipp@127\.0\.0\.2:\d+$/);
    // sip.js alone would have accepted it and dialled 218 within milliseconds: give it a second.
    await delay(1_000);
    assert.deepEqual(runner.eventsSince(mark, 'call.dialing'), []);
    assert.deepEqual(invitesTo(forbidden), []);
    assert.deepEqual(sipp.log().filter((l) => l.startsWith('REFER-ANSWERED')), [], 'the REFER waits for the agent');

    runner.send({ cmd: 'refer.decline', line: 'a1', id: 'rd' });
    const ended = await runner.waitForEvent('call.refer.ended', { call: offer.call }, 10_000, mark);
    assert.deepEqual([ended.outcome, ended.code, ended.target], ['declined', 603, uri('218')]);
    assert.equal(await referAnswer(sipp), 603);
    await runner.waitForEvent('call.ended', { call: offer.call }, 10_000, mark);
    const r = await sipp.done;
    assert.equal(r.successful, 1, r.errors);
    assert.deepEqual(runner.eventsSince(mark, 'call.dialing'), []);
    assert.deepEqual(invitesTo(forbidden), []);
  });

  test('agent line: refer.accept sends 202, the target gets a normal outbound call (dialing, answered, history, hangup) and NOTIFYs report it', async () => {
    const mark = runner.events.length;
    const sipp = referrer(agentExt, uri('219'));
    const offer = await runner.waitForEvent('call.offered', { line: 'a1' }, 10_000, mark);
    runner.send({ cmd: 'accept', line: 'a1' });
    await runner.waitForEvent('call.refer', { call: offer.call }, 10_000, mark);
    assert.deepEqual(invitesTo(allowed), [], 'no INVITE before the agent accepts');

    runner.send({ cmd: 'refer.accept', line: 'a1', id: 'ra' });
    const ended = await runner.waitForEvent('call.refer.ended', { call: offer.call }, 10_000, mark);
    assert.deepEqual([ended.outcome, ended.code], ['accepted', 202]);
    const dialing = await runner.waitForEvent('call.dialing', { line: 'a1', referredFrom: offer.call }, 10_000, mark);
    assert.equal(dialing.to, uri('219'));
    const referred = dialing.call as string;
    await allowed.waitForLog(/^INVITE /, 10_000);
    await runner.waitForEvent('call.answered', { call: referred, line: 'a1' }, 10_000, mark);
    assert.equal(await referAnswer(sipp), 202);

    // RFC 3515: 100 Trying at once (subscription active), the final answer last (terminated).
    await sipp.waitForLog(/^NOTIFY \S+ SIP\/2\.0 200 /, 10_000);
    const frags = notifies(sipp);
    assert.match(frags[0]!, /^NOTIFY \S+ SIP\/2\.0 100 Trying \| active;expires=\d+ \| refer;id=\d+ \| message\/sipfrag/);
    assert.match(frags.at(-1)!, /^NOTIFY \S+ SIP\/2\.0 200 OK \| terminated;reason=noresource \| refer;id=\d+ \| message\/sipfrag/);
    assert.ok(frags.slice(0, -1).every((f) => /\| active;/.test(f)), frags.join('\n'));

    // The referrer hangs up once told; the referred call stays the agent's until hung up.
    await runner.waitForEvent('call.ended', { call: offer.call }, 10_000, mark);
    assert.equal((await sipp.done).successful, 1);
    runner.send({ cmd: 'hangup', line: 'a1' });
    const over = await runner.waitForEvent('call.ended', { call: referred }, 10_000, mark);
    assert.equal(over.reason, 'local-hangup');
    await allowed.waitForLog(new RegExp(`^BYE-RECEIVED `), 10_000);

    runner.send({ cmd: 'history', id: 'h-refer' });
    const h = await runner.waitForEvent('history', { id: 'h-refer' });
    const record = (h.records as CallRecordView[]).find((x) => x.call === referred);
    assert.ok(record, 'the referred call has a record');
    assert.deepEqual([record.direction, record.line, record.disposition], ['out', 'a1', 'answered']);
    assert.deepEqual(invitesTo(forbidden), []);
  });

  test('a Refer-To carrying headers (Replaces) is refused with 603 without asking, even on an agent line', async () => {
    const mark = runner.events.length;
    const sipp = referrer(agentExt, `${uri('219')}?Replaces=abc%40x%3Bto-tag%3D1%3Bfrom-tag%3D2`);
    const offer = await runner.waitForEvent('call.offered', { line: 'a1' }, 10_000, mark);
    const invitesBefore = invitesTo(allowed).length;
    runner.send({ cmd: 'accept', line: 'a1' });
    assert.equal(await referAnswer(sipp), 603);
    const ended = await runner.waitForEvent('call.refer.ended', { call: offer.call }, 10_000, mark);
    assert.equal(ended.outcome, 'refused');
    assert.match(ended.detail as string, /headers/);
    await sipp.done;
    assert.deepEqual(runner.eventsSince(mark, 'call.refer'), []);
    assert.deepEqual(runner.eventsSince(mark, 'call.dialing'), []);
    assert.equal(invitesTo(allowed).length, invitesBefore);
  });

  test('service line: a REFER to a target allowReferTo does not name is refused with 603 and places no call', async () => {
    const mark = runner.events.length;
    const sipp = referrer(serviceExt, uri('218'));
    assert.equal(await referAnswer(sipp), 603);
    const ended = await runner.waitForEvent('call.refer.ended', { line: 's1' }, 10_000, mark);
    assert.deepEqual([ended.outcome, ended.code, ended.target], ['refused', 603, uri('218')]);
    assert.match(ended.detail as string, /allowReferTo/);
    const r = await sipp.done;
    assert.equal(r.successful, 1, r.errors);
    assert.deepEqual(runner.eventsSince(mark, 'call.refer'), []);
    assert.deepEqual(runner.eventsSince(mark, 'call.dialing'), []);
    assert.deepEqual(invitesTo(forbidden), []);
  });

  test('service line: a REFER allowReferTo allows is carried out as an outbound call from the line', async () => {
    const mark = runner.events.length;
    const invitesBefore = invitesTo(allowed).length;
    const sipp = referrer(serviceExt, uri('219'));
    assert.equal(await referAnswer(sipp), 202);
    const ended = await runner.waitForEvent('call.refer.ended', { line: 's1' }, 10_000, mark);
    assert.deepEqual([ended.outcome, ended.code], ['accepted', 202]);
    assert.match(ended.detail as string, /allowed by sip:219@127\.0\.0\.1/);
    const dialing = await runner.waitForEvent('call.dialing', { line: 's1', referredFrom: ended.call }, 10_000, mark);
    await runner.waitForEvent('call.answered', { call: dialing.call }, 10_000, mark);
    assert.equal(invitesTo(allowed).length, invitesBefore + 1);
    await sipp.waitForLog(/^NOTIFY \S+ SIP\/2\.0 200 OK \| terminated/, 10_000);
    await sipp.done;
    runner.send({ cmd: 'hangup', line: 's1' });
    await runner.waitForEvent('call.ended', { call: dialing.call }, 10_000, mark);
    assert.deepEqual(runner.eventsSince(mark, 'call.refer'), [], 'a service line asks nobody');
  });

  test('a call the agent dialled: a REFER from the callee is put to the agent too, and declined', async () => {
    const mark = runner.events.length;
    runner.send({ cmd: 'dial', line: 'a1', target: '217' });
    const dialing = await runner.waitForEvent('call.dialing', { line: 'a1' }, 10_000, mark);
    await runner.waitForEvent('call.answered', { call: dialing.call }, 10_000, mark);
    const refer = await runner.waitForEvent('call.refer', { call: dialing.call }, 10_000, mark);
    assert.deepEqual([refer.line, refer.target], ['a1', uri('218')]);
    await delay(500);
    assert.equal(runner.eventsSince(mark, 'call.dialing').length, 1, 'only the call the agent dialled');
    runner.send({ cmd: 'refer.decline', line: 'a1' });
    await referringCallee.waitForLog(/^REFER-ANSWERED \S+ 603$/, 10_000);
    runner.send({ cmd: 'hangup', line: 'a1' });
    await runner.waitForEvent('call.ended', { call: dialing.call }, 10_000, mark);
    await referringCallee.waitForLog(/^BYE-RECEIVED /, 10_000);
    assert.deepEqual(invitesTo(forbidden), []);
  });

  test('a REFER outside any call is refused with 403 and places no call', async () => {
    const mark = runner.events.length;
    const r = await runSipp({ scenario: 'uac-refer-ood.xml', target: target(), service: agentExt, vars: { refer_to: uri('218') }, timeoutMs: 15_000 });
    assert.ok(r.log.some((l) => /^REFER-ANSWERED \S+ 403$/.test(l)), r.log.join('\n'));
    await delay(500);
    assert.deepEqual(runner.eventsSince(mark, 'call.dialing'), []);
    assert.deepEqual(invitesTo(forbidden), []);
  });
});
