import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HeadlessRunner } from '../support/headless-runner.js';
import { peerSkipReason, startKamailio, type Kamailio } from '../support/kamailio.js';
import { runnerConfig, type TestLine } from '../support/linedesk-config.js';
import { runSipp, startSipp } from '../support/sipp.js';
import { captureSkipReason, WireCapture } from '../support/wire-capture.js';

const skip = peerSkipReason('kamailio', 'sipp');

describe('lines over every transport, against a real Kamailio with digest auth', { skip, timeout: 120_000 }, () => {
  let k: Kamailio;
  let runner: HeadlessRunner;
  const lines: TestLine[] = [
    { id: 'udp1', ext: '200', autoAnswerMs: 0 },
    { id: 'udp2', ext: '201', autoAnswerMs: 0 },
    { id: 'udp3', ext: '202', autoAnswerMs: 0 },
    { id: 'tcp1', ext: '203', protocol: 'tcp', autoAnswerMs: 0 },
    { id: 'tls1', ext: '204', protocol: 'tls', autoAnswerMs: 0 },
    { id: 'ws1', ext: '205', protocol: 'ws', autoAnswerMs: 0 },
  ];

  before(async () => {
    k = await startKamailio({ auth: true });
    runner = new HeadlessRunner(runnerConfig(k, lines, { caFile: k.caFile }));
    await runner.waitForEvent('ready');
  });
  after(async () => {
    await runner?.stop();
    await k?.stop();
  });

  test('every line registers, each as a contact of its own extension', async () => {
    await runner.registered(lines.map((l) => l.id));
    for (const l of lines) {
      const contacts = await k.contacts(l.ext);
      assert.equal(contacts.length, 1, `${l.ext}: ${contacts.join(', ')}`);
      const expected = l.protocol && l.protocol !== 'udp' ? `transport=${l.protocol}` : 'transport=udp';
      assert.match(contacts[0]!, new RegExp(expected), `${l.id} registered with its transport`);
    }
  });

  test('a call to each extension reaches exactly its line, which answers; the caller hangs up', async () => {
    for (const l of lines) {
      const before = runner.eventsNamed('call.offered').length;
      const r = await runSipp({ scenario: 'uac-call.xml', target: `127.0.0.1:${k.udpPort}`, service: l.ext, durationMs: 300, timeoutMs: 15_000 });
      assert.equal(r.successful, 1, `${l.id}: sipp ${r.exitCode}\n${r.errors}\n${runner.stderr.slice(-10).join('\n')}`);
      const offered = runner.eventsNamed('call.offered').slice(before);
      assert.equal(offered.length, 1);
      assert.equal(offered[0]!.line, l.id);
      assert.equal(offered[0]!.to, l.ext);
      const call = offered[0]!.call as string;
      await runner.waitForEvent('call.answered', { call, line: l.id });
      const ended = await runner.waitForEvent('call.ended', { call, line: l.id });
      assert.equal(ended.reason, 'remote-hangup');
      assert.equal(ended.code, 200);
    }
  });

  test('status lists every line with its state', async () => {
    runner.send({ cmd: 'status', id: 's1' });
    const s = await runner.waitForEvent('status', { id: 's1' });
    const st = s.lines as { line: string; state: string; calls: unknown[] }[];
    assert.deepEqual(
      st.map((x) => [x.line, x.state, x.calls.length]),
      lines.map((l) => [l.id, 'registered', 0]),
    );
  });

  test('a call the runner answers is hung up by command: the caller receives the BYE', async () => {
    const sipp = startSipp({ scenario: 'uac-expect-bye.xml', target: `127.0.0.1:${k.udpPort}`, service: '203', timeoutMs: 15_000 });
    const answered = await runner.waitFor((e) => e.event === 'call.answered' && e.line === 'tcp1' && !runner.eventsNamed('call.ended').some((x) => x.call === e.call));
    runner.send({ cmd: 'hangup', line: 'tcp1' });
    const ended = await runner.waitForEvent('call.ended', { call: answered.call });
    assert.equal(ended.reason, 'local-hangup');
    const r = await sipp.done;
    assert.equal(r.successful, 1, r.errors);
  });
});

describe('offer, decline and a shared AOR', { skip, timeout: 120_000 }, () => {
  let k: Kamailio;
  let runner: HeadlessRunner;

  before(async () => {
    k = await startKamailio({ auth: true });
    runner = new HeadlessRunner(
      runnerConfig(k, [
        { id: 'a1', ext: '210' },
        { id: 'a2', ext: '210' },
        { id: 'a3', ext: '210', protocol: 'tcp' },
        { id: 'd1', ext: '211' },
      ]),
    );
    await runner.registered(['a1', 'a2', 'a3', 'd1']);
  });
  after(async () => {
    await runner?.stop();
    await k?.stop();
  });

  test('three lines on one AOR are three contacts; the call reaches every one, one fork is kept and the others get 486', async () => {
    assert.equal((await k.contacts('210')).length, 3);
    const sipp = startSipp({ scenario: 'uac-final.xml', target: `127.0.0.1:${k.udpPort}`, service: '210', timeoutMs: 20_000 });
    const offered = await runner.waitForEvent('call.offered', { to: '210' });
    const call = offered.call as string;
    // Every line's user agent received its fork: one was kept, the other two were refused.
    await runner.waitFor(() => runner.events.filter((x) => x.event === 'call.rejected' && x.call === call && x.code === 486).length === 2, 10_000, 'two forks refused');
    const refused = runner.events.filter((e) => e.event === 'call.rejected' && e.call === call).map((e) => e.line);
    assert.equal(new Set([...refused, 'kept']).size, 3, 'two different lines refused a fork');
    assert.equal(runner.eventsNamed('call.offered').filter((e) => e.call === call).length, 1);
    runner.send({ cmd: 'accept', line: offered.line as string });
    await runner.waitForEvent('call.answered', { call });
    const r = await sipp.done;
    assert.ok(r.log.some((l) => /FINAL \S+ 200/.test(l)), r.log.join('\n'));
    assert.ok(!r.log.some((l) => /FINAL \S+ 486/.test(l)), 'the caller never saw the 486s (the proxy absorbs them)');
  });

  test('a direct call declined on its only line gets 480 and the offer reports the reason', async () => {
    const sipp = startSipp({ scenario: 'uac-final.xml', target: `127.0.0.1:${k.udpPort}`, service: '211', timeoutMs: 15_000 });
    const offered = await runner.waitForEvent('call.offered', { to: '211' });
    const call = offered.call as string;
    assert.equal(offered.line, 'd1', 'a call to extension 211 rings its own line, not the lines of 210');
    runner.send({ cmd: 'decline', line: 'd1', reason: 'on break' });
    const declined = await runner.waitForEvent('call.offer.ended', { call, line: 'd1' });
    assert.equal(declined.reason, 'declined');
    assert.equal(declined.detail, 'on break');
    const end = await runner.waitForEvent('call.ended', { call });
    assert.equal(end.code, 480);
    const r = await sipp.done;
    assert.ok(r.log.some((l) => /FINAL \S+ 480/.test(l)), r.log.join('\n'));
  });

  test('a caller who hangs up while ringing ends the call as caller-cancelled', async () => {
    const sipp = startSipp({ scenario: 'uac-cancel.xml', target: `127.0.0.1:${k.udpPort}`, service: '211', vars: { cancel_after: '300' }, timeoutMs: 15_000 });
    const offered = await runner.waitFor((e) => e.event === 'call.offered' && e.to === '211' && !runner.eventsNamed('call.ended').some((x) => x.call === e.call));
    const ended = await runner.waitForEvent('call.ended', { call: offered.call });
    assert.equal(ended.reason, 'caller-cancelled');
    assert.equal(ended.code, 487);
    const r = await sipp.done;
    assert.ok(r.log.some((l) => /FINAL \S+ 487/.test(l)), r.log.join('\n'));
  });

  test('commands for unknown lines or with no call give an error event, never a crash', async () => {
    runner.send({ cmd: 'accept', line: 'nope', id: 'x1' });
    assert.match((await runner.waitForEvent('error', { id: 'x1' })).message as string, /no line "nope"/);
    runner.send({ cmd: 'hangup', line: 'd1', id: 'x2' });
    assert.match((await runner.waitForEvent('error', { id: 'x2' })).message as string, /no call/);
    runner.send('this is not json');
    runner.send({ cmd: 'launch-missiles' });
    await runner.waitFor((e) => e.event === 'error' && /unknown command/.test(String(e.message)));
    runner.send({ cmd: 'status', id: 'alive' });
    await runner.waitForEvent('status', { id: 'alive' });
  });
});

describe('secure WebSocket and SHA-256 digest', { skip, timeout: 60_000 }, () => {
  test('a line registers over WSS (test CA) and takes a call', async () => {
    const k = await startKamailio({ auth: true });
    const runner = new HeadlessRunner(runnerConfig(k, [{ id: 'wss1', ext: '218', protocol: 'wss', autoAnswerMs: 0 }], { caFile: k.caFile }));
    try {
      await runner.registered(['wss1']);
      const contacts = await k.contacts('218');
      assert.equal(contacts.length, 1);
      assert.match(contacts[0]!, /transport=wss/i);
      const r = await runSipp({ scenario: 'uac-call.xml', target: `127.0.0.1:${k.udpPort}`, service: '218', durationMs: 200, timeoutMs: 15_000 });
      assert.equal(r.successful, 1, r.errors);
      await runner.waitForEvent('call.ended', { line: 'wss1' });
    } finally {
      await runner.stop();
      await k.stop();
    }
  });

  test('a registrar that challenges with SHA-256 accepts our SHA-256 digest', { skip: captureSkipReason() }, async () => {
    const k = await startKamailio({ auth: true, authAlgorithm: 'SHA-256' });
    const cap = new WireCapture(`udp port ${k.udpPort}`);
    await cap.start();
    const runner = new HeadlessRunner(runnerConfig(k, [{ id: 'sha', ext: '217' }]));
    try {
      await runner.registered(['sha']);
      assert.equal((await k.contacts('217')).length, 1);
      await cap.stop();
      const challenges = await cap.fields('sip.Status-Code == 401', ['sip.WWW-Authenticate']);
      const answers = await cap.fields('sip.Method == "REGISTER" && sip.Authorization', ['sip.Authorization']);
      assert.ok(challenges.some(([h]) => /algorithm=SHA-256/i.test(h ?? '')), `Kamailio challenged with SHA-256: ${challenges.join(' | ')}`);
      assert.ok(answers.length > 0 && answers.every(([h]) => /algorithm=SHA-256/i.test(h ?? '')), `we answered with SHA-256: ${answers.join(' | ')}`);
      const wrong = new HeadlessRunner(runnerConfig(k, [{ id: 'bad', ext: '216', password: 'not-the-password' }]));
      try {
        const failed = await wrong.waitForEvent('line.state', { line: 'bad', state: 'failed' });
        assert.equal(failed.status, 401, 'a wrong password is refused, so the digest really is checked');
      } finally {
        await wrong.stop();
      }
    } finally {
      await runner.stop();
      await cap.stop();
      cap.dispose();
      await k.stop();
    }
  });
});
