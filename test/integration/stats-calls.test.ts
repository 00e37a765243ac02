import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CallRecordView, StatsSummary } from '../../src-main/contract/control-events.js';
import { HeadlessRunner, type RunnerEvent } from '../support/headless-runner.js';
import { peerSkipReason, startKamailio, type Kamailio } from '../support/kamailio.js';
import { runnerConfig } from '../support/linedesk-config.js';
import { runSipp, startSipp } from '../support/sipp.js';

const skip = peerSkipReason('kamailio', 'sipp', 'timeout');

/**
 * Four calls to one agent line through Kamailio, each ending a different way, then the
 * figures and the history asked for over the control protocol.
 */
describe('call records and statistics through Kamailio and sipp', { skip, timeout: 120_000 }, () => {
  let k: Kamailio;
  let runner: HeadlessRunner;
  let dir: string;
  const ext = '213';
  const target = (): string => `127.0.0.1:${k.udpPort}`;
  const calls: Record<'answered' | 'declined' | 'missed' | 'abandoned', string> = { answered: '', declined: '', missed: '', abandoned: '' };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'linedesk-stats-calls-'));
    k = await startKamailio({ auth: true });
    runner = new HeadlessRunner({
      ...runnerConfig(k, [{ id: 'a1', ext }], { dispatch: { offerTimeoutMs: 1_500 } }),
      agent: { wrapupSeconds: 1, pauseReasons: ['break', 'lunch'], initialState: 'available' },
      store: { path: join(dir, 'records.sqlite'), synchronous: 'NORMAL' },
    });
    await runner.registered(['a1']);
  });
  after(async () => {
    await runner?.stop();
    await k?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The offer of the next call to reach the line (the first from index `mark` of the events on). */
  const nextOffer = (mark: number): Promise<RunnerEvent> => runner.waitForEvent('call.offered', {}, 10_000, mark);

  test('answered: accepted, the caller hangs up; wrap-up follows and ends by itself', async () => {
    const mark = runner.events.length;
    const sipp = startSipp({ scenario: 'uac-call.xml', target: target(), service: ext, durationMs: 500, timeoutMs: 15_000 });
    const offer = await nextOffer(mark);
    calls.answered = offer.call as string;
    runner.send({ cmd: 'accept', line: 'a1' });
    await runner.waitForEvent('call.ended', { call: calls.answered });
    const r = await sipp.done;
    assert.equal(r.successful, 1, r.errors);
    const wrapup = await runner.waitFor((e) => e.event === 'agent.state' && e.state === 'wrapup', 5_000, 'wrap-up');
    await runner.waitFor((e) => e.event === 'agent.state' && e.state === 'available' && (e.since as number) > (wrapup.since as number), 5_000, 'back to available');
  });

  test('declined by the agent with a reason: the caller gets 480 (no line left)', async () => {
    const mark = runner.events.length;
    const sipp = startSipp({ scenario: 'uac-final.xml', target: target(), service: ext, timeoutMs: 15_000 });
    const offer = await nextOffer(mark);
    calls.declined = offer.call as string;
    runner.send({ cmd: 'decline', line: 'a1', reason: 'with a customer' });
    await runner.waitForEvent('call.ended', { call: calls.declined });
    const r = await sipp.done;
    assert.ok(r.log.some((l) => /FINAL \S+ 480/.test(l)), r.log.join('\n'));
  });

  test('missed: nobody answers within the offer timeout', async () => {
    const mark = runner.events.length;
    const sipp = startSipp({ scenario: 'uac-final.xml', target: target(), service: ext, timeoutMs: 15_000 });
    const offer = await nextOffer(mark);
    calls.missed = offer.call as string;
    const ended = await runner.waitForEvent('call.ended', { call: calls.missed });
    assert.equal(ended.code, 480);
    await sipp.done;
  });

  test('abandoned: the caller cancels while it rings', async () => {
    const mark = runner.events.length;
    const run = runSipp({ scenario: 'uac-cancel.xml', target: target(), service: ext, vars: { cancel_after: '400' }, timeoutMs: 15_000 });
    const offer = await nextOffer(mark);
    calls.abandoned = offer.call as string;
    const ended = await runner.waitForEvent('call.ended', { call: calls.abandoned });
    assert.equal(ended.reason, 'caller-cancelled');
    const r = await run;
    assert.ok(r.log.some((l) => /FINAL \S+ 487/.test(l)), r.log.join('\n'));
  });

  test('history lists the four calls, newest first, each with its disposition', async () => {
    runner.send({ cmd: 'history', id: 'h1' });
    const h = await runner.waitForEvent('history', { id: 'h1' });
    const records = h.records as CallRecordView[];
    assert.deepEqual(
      records.map((r) => [r.call, r.disposition]),
      [
        [calls.abandoned, 'abandoned'],
        [calls.missed, 'missed'],
        [calls.declined, 'declined'],
        [calls.answered, 'answered'],
      ],
    );
    const answered = records[3]!;
    assert.equal(answered.line, 'a1');
    assert.equal(answered.to, ext);
    assert.equal(answered.from, 'sipp');
    assert.ok(answered.answeredAt !== null && answered.endedAt !== null && answered.endedAt > answered.answeredAt);
    assert.ok(answered.talkMs >= 300 && answered.talkMs < 5_000, `talk ${answered.talkMs} ms for a 500 ms call`);
    assert.ok(answered.wrapupMs >= 900 && answered.wrapupMs < 3_000, `wrap-up ${answered.wrapupMs} ms (configured 1 s)`);
    assert.equal(records[2]!.declineReason, 'with a customer');
    assert.equal(records[1]!.attempts, 1);
  });

  test('stats for today count them', async () => {
    runner.send({ cmd: 'stats', range: 'today', id: 's1' });
    const e = await runner.waitForEvent('stats', { id: 's1' });
    const s = e.stats as StatsSummary;
    assert.deepEqual(
      [s.offered, s.answered, s.declined, s.missed, s.abandoned, s.answeredElsewhere, s.failed],
      [4, 1, 1, 1, 1, 0, 0],
    );
    assert.equal(s.answerRate, 0.25); // 1 / (4 − 0)
    assert.deepEqual(s.declinedByReason, { 'with a customer': 1 });
    assert.equal(s.perLine.a1?.offered, 4);
    assert.equal(s.perLine.a1?.answered, 1);
    assert.ok(s.averageSpeedOfAnswerMs > 0 && s.averageSpeedOfAnswerMs < 5_000, `ASA ${s.averageSpeedOfAnswerMs}`);
    assert.ok(s.occupancy > 0 && s.occupancy < 1);
    assert.equal(s.callsPerHour.reduce((a, b) => a + b, 0), 4);
    assert.deepEqual(Object.keys(s.pauseMsByReason), ['break', 'lunch']);
  });

  test('a pause with an unknown reason is refused, naming the allowed ones; export answers with CSV', async () => {
    runner.send({ cmd: 'agent.state', state: 'paused', reason: 'nap', id: 'p1' });
    const err = await runner.waitForEvent('error', { id: 'p1' });
    assert.match(err.message as string, /"nap" is not a pause reason; allowed: break, lunch/);
    runner.send({ cmd: 'export', what: 'records', range: 'today', id: 'x1' });
    const x = await runner.waitForEvent('export', { id: 'x1' });
    const lines = (x.csv as string).split('\r\n');
    assert.match(lines[0]!, /^call,direction,line,from,/);
    assert.equal(lines.length, 6, 'header, four calls, final CRLF');
  });
});
