import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { agentModule } from '../../../src-main/modules/agent-module.js';
import type { ControlEvent, StatsSummary } from '../../../src-main/contract/control-events.js';
import { CallRecorder } from '../../../src-main/stats/call-recorder.js';
import { CallStore } from '../../../src-main/stats/call-store.js';
import { StatsQueries } from '../../../src-main/stats/stats-queries.js';
import { resolveRange, startOfLocalWeek } from '../../../src-main/stats/stats-range.js';
import { statsModule } from '../../../src-main/modules/stats-module.js';
import { FakeClock } from '../../support/fake-clock.js';
import { FakeCoreHost, testConfig } from './fake-core-host.js';

/** Wednesday 13 March 2024, local time. */
const t = (h: number, m = 0, s = 0): number => new Date(2024, 2, 13, h, m, s).getTime();
const DAY_START = t(0);
const DAY_END = new Date(2024, 2, 14).getTime();

/**
 * One agent's day, played through the stats and agent modules (wrap-up 30 s):
 *   08:00 available · 10:00–10:15 break · 12:00–12:45 lunch · 16:00 offline
 *   C1 09:00 l1, answered 09:00:10, hold 09:01:10–09:02:10, ends 09:05:10 (talkMs 300 s) → wrap-up 30 s
 *   C2 09:30 l1 declined "busy", l2 answered 09:30:20, ends 09:32:20 (120 s) → wrap-up extended by 30 s to 60 s
 *   C3 11:00 l1 timeout, l2 timeout, 480                      → missed
 *   C4 11:30 l2 declined "lunch soon", 480                      → declined
 *   C5 13:00 queued, caller gives up 13:00:30                  → abandoned
 *   C6 14:00 l1, CANCEL cause=200                              → answered elsewhere
 *   C7 14:30 l2, 488                                           → failed
 *   C8 15:00 l1 declined without a reason, 480                 → declined
 *   O1 15:30 outbound on l2, answered 15:30:05, ends 15:31:05 (60 s) → wrap-up 30 s
 */
async function playDay(): Promise<{ host: FakeCoreHost; clock: FakeClock }> {
  const clock = new FakeClock(0, t(8));
  const host = new FakeCoreHost(testConfig({ lines: 2, agent: { wrapupSeconds: 30, pauseReasons: ['break', 'lunch', 'training'] } }), clock);
  await host.install(statsModule, agentModule);
  const at = async (when: number): Promise<void> => clock.advanceAsync(when - clock.wallNow());
  const e = (...events: ControlEvent[]): void => events.forEach((x) => host.emit(x));
  const offered = (call: string, line: string, attempt: number, from = '5551000'): ControlEvent => ({ event: 'call.offered', call, line, from, to: '600', attempt });

  e({ event: 'ready', lines: ['l1', 'l2'], transports: [] });
  await at(t(9));
  e(offered('C1', 'l1', 1, '5551001'));
  await at(t(9, 0, 10));
  e({ event: 'call.answered', call: 'C1', line: 'l1' });
  await at(t(9, 1, 10));
  e({ event: 'call.held', call: 'C1', line: 'l1', on: true, by: 'local' });
  await at(t(9, 2, 10));
  e({ event: 'call.held', call: 'C1', line: 'l1', on: false, by: 'local' });
  await at(t(9, 5, 10));
  e({ event: 'call.ended', call: 'C1', line: 'l1', reason: 'remote-hangup', code: 200, talkMs: 300_000 });

  await at(t(9, 30));
  e(offered('C2', 'l1', 1, '5551002'));
  await at(t(9, 30, 5));
  e({ event: 'call.offer.ended', call: 'C2', line: 'l1', attempt: 1, reason: 'declined', detail: 'busy' }, offered('C2', 'l2', 2, '5551002'));
  await at(t(9, 30, 20));
  e({ event: 'call.answered', call: 'C2', line: 'l2' });
  await at(t(9, 32, 20));
  e({ event: 'call.ended', call: 'C2', line: 'l2', reason: 'local-hangup', code: 200, talkMs: 120_000 });
  assert.deepEqual(await host.run({ cmd: 'wrapup.extend', seconds: 30 }), { ok: true, value: { state: 'wrapup', since: t(9, 32, 20), wrapupEndsAt: t(9, 33, 20), pending: { state: 'available' } } });

  await at(t(10));
  await host.run({ cmd: 'agent.state', state: 'paused', reason: 'break' });
  await at(t(10, 15));
  await host.run({ cmd: 'agent.state', state: 'available' });

  await at(t(11));
  e(offered('C3', 'l1', 1));
  await at(t(11, 0, 15));
  e({ event: 'call.offer.ended', call: 'C3', line: 'l1', attempt: 1, reason: 'timeout' }, offered('C3', 'l2', 2));
  await at(t(11, 0, 30));
  e({ event: 'call.offer.ended', call: 'C3', line: 'l2', attempt: 2, reason: 'timeout' }, { event: 'call.ended', call: 'C3', line: 'l2', reason: 'rejected', code: 480 });

  await at(t(11, 30));
  e(offered('C4', 'l2', 1), { event: 'call.offer.ended', call: 'C4', line: 'l2', attempt: 1, reason: 'declined', detail: 'lunch soon' });
  e({ event: 'call.ended', call: 'C4', line: 'l2', reason: 'rejected', code: 480 });

  await at(t(12));
  await host.run({ cmd: 'agent.state', state: 'paused', reason: 'lunch' });
  await at(t(12, 45));
  await host.run({ cmd: 'agent.state', state: 'available' });

  await at(t(13));
  e({ event: 'call.queued', call: 'C5', position: 1, from: '5551005', to: '600' });
  await at(t(13, 0, 30));
  e({ event: 'call.ended', call: 'C5', reason: 'caller-cancelled', code: 487, queuedMs: 30_000 });

  await at(t(14));
  e(offered('C6', 'l1', 1), { event: 'call.answered_elsewhere', call: 'C6', line: 'l1' }, { event: 'call.ended', call: 'C6', line: 'l1', reason: 'answered-elsewhere', code: 487 });
  await at(t(14, 30));
  e(offered('C7', 'l2', 1), { event: 'call.ended', call: 'C7', line: 'l2', reason: 'failed', code: 488 });
  await at(t(15));
  e(offered('C8', 'l1', 1), { event: 'call.offer.ended', call: 'C8', line: 'l1', attempt: 1, reason: 'declined' }, { event: 'call.ended', call: 'C8', line: 'l1', reason: 'rejected', code: 480 });

  await at(t(15, 30));
  e({ event: 'call.dialing', call: 'O1', line: 'l2', to: '5559999' });
  await at(t(15, 30, 5));
  e({ event: 'call.answered', call: 'O1', line: 'l2' });
  await at(t(15, 31, 5));
  e({ event: 'call.ended', call: 'O1', line: 'l2', reason: 'local-hangup', code: 200, talkMs: 60_000 });

  await at(t(16));
  await host.run({ cmd: 'agent.state', state: 'offline' });
  await at(t(17));
  return { host, clock };
}

async function statsOf(host: FakeCoreHost, range: 'today' | 'week' | { from: number; to: number }): Promise<StatsSummary & { rejected?: number }> {
  const r = await host.run({ cmd: 'stats', range, id: 's' });
  assert.equal(r.ok, true, JSON.stringify(r));
  const answer = host.named('stats').at(-1);
  assert.ok(answer);
  assert.equal(answer.id, 's');
  assert.ok(r.ok && r.value === answer, 'the command returns the event it emitted');
  return answer.stats;
}

describe('statistics of a scripted day, checked by hand', () => {
  test('today at 17:00', async () => {
    const { host } = await playDay();
    const s = await statsOf(host, 'today');
    const hourly = Array.from({ length: 24 }, () => 0);
    hourly[9] = 2; // C1, C2
    hourly[11] = 2; // C3, C4
    hourly[13] = 1; // C5
    hourly[14] = 2; // C6, C7
    hourly[15] = 1; // C8 (O1 is outbound: not offered)
    const expected: StatsSummary & { rejected: number } = {
      from: DAY_START,
      to: DAY_END,
      offered: 8, // C1…C8
      answered: 2, // C1, C2
      answerRate: 2 / 7, // answered / (offered 8 − answered elsewhere 1)
      declined: 2, // C4, C8
      declinedByReason: { 'lunch soon': 1, unspecified: 1 },
      missed: 1, // C3
      abandoned: 1, // C5
      answeredElsewhere: 1, // C6
      failed: 1, // C7
      rejected: 0,
      averageSpeedOfAnswerMs: 15_000, // (C1 10 s + C2 20 s from its first offer) / 2
      averageHandleTimeMs: 255_000, // C1 240 s talk + 60 s hold + 30 s wrap-up = 330 s; C2 120 s + 0 + 60 s = 180 s; (330 + 180) / 2
      talkMs: 420_000, // C1 300 − 60 hold = 240 s, C2 120 s, O1 60 s
      holdMs: 60_000, // C1 09:01:10–09:02:10
      wrapupMs: 120_000, // C1 30 s + C2 60 s (extended) + O1 30 s
      occupancy: 600_000 / 28_800_000, // (420 + 60 + 120) s over 08:00–16:00 logged in (8 h)
      pauseMsByReason: { break: 900_000, lunch: 2_700_000, training: 0 }, // 15 min, 45 min
      callsPerHour: hourly,
      perLine: {
        l1: { offered: 3, answered: 1, talkMs: 240_000 }, // C1, C6, C8 ended on l1 (C2 moved to l2)
        l2: { offered: 4, answered: 1, talkMs: 180_000 }, // C2, C3, C4, C7; talk C2 120 s + O1 60 s
      },
    };
    assert.deepEqual(s, expected);
  });

  test('the same figures from every call as from the per-day sums, and an empty day before', async () => {
    const { host } = await playDay();
    const exact = await statsOf(host, { from: DAY_START, to: DAY_END });
    const partial = await statsOf(host, { from: DAY_START + 1, to: DAY_END - 1 });
    assert.deepEqual({ ...partial, from: 0, to: 0 }, { ...exact, from: 0, to: 0 });
    const before = await statsOf(host, { from: DAY_START - 86_400_000, to: DAY_START });
    assert.deepEqual([before.offered, before.talkMs, before.occupancy, before.pauseMsByReason.break], [0, 0, 0, 0]);
  });

  test('a range of one hour: 09:00–10:00 holds C1 and C2 and the time logged in that hour', async () => {
    const { host } = await playDay();
    const s = await statsOf(host, { from: t(9), to: t(10) });
    assert.deepEqual([s.offered, s.answered, s.talkMs, s.wrapupMs], [2, 2, 360_000, 90_000]);
    assert.equal(s.occupancy, (360_000 + 60_000 + 90_000) / 3_600_000); // (talk + hold + wrap-up) / the whole hour logged in
    assert.equal(s.pauseMsByReason.break, 0, '10:00 is the end of the range');
  });

  test('the week (from Monday 00:00) holds the day', async () => {
    const { host } = await playDay();
    const s = await statsOf(host, 'week');
    assert.equal(s.from, new Date(2024, 2, 11).getTime(), 'Monday 11 March, local midnight');
    assert.equal(s.to, new Date(2024, 2, 18).getTime());
    assert.equal(s.offered, 8);
  });

  test('history: newest first, search by number or name, limit and before', async () => {
    const { host } = await playDay();
    await host.run({ cmd: 'history', id: 'h1' });
    const all = host.named('history').at(-1)!;
    assert.equal(all.id, 'h1');
    assert.deepEqual(all.records.map((r) => r.call), ['O1', 'C8', 'C7', 'C6', 'C5', 'C4', 'C3', 'C2', 'C1']);
    const c2 = all.records.find((r) => r.call === 'C2')!;
    assert.deepEqual(c2, {
      call: 'C2', line: 'l2', direction: 'in', from: '5551002', to: '600', offeredAt: t(9, 30), answeredAt: t(9, 30, 20), endedAt: t(9, 32, 20),
      disposition: 'answered', talkMs: 120_000, holdMs: 0, wrapupMs: 60_000, attempts: 2,
    });
    assert.deepEqual(all.records.find((r) => r.call === 'C4')?.declineReason, 'lunch soon');
    await host.run({ cmd: 'history', query: '5551002' });
    assert.deepEqual(host.named('history').at(-1)!.records.map((r) => r.call), ['C2']);
    await host.run({ cmd: 'history', query: '555100', limit: 2, before: t(13, 30) });
    assert.deepEqual(host.named('history').at(-1)!.records.map((r) => r.call), ['C5', 'C4'], 'C3, C4 and C8 are from 5551000');
    await host.run({ cmd: 'history', query: '100%' });
    assert.deepEqual(host.named('history').at(-1)!.records, [], '% is a character to find, not a wildcard');
  });

  test('export: records and summary as CSV', async () => {
    const { host } = await playDay();
    await host.run({ cmd: 'export', what: 'records', range: 'today', id: 'x' });
    const records = host.named('export').at(-1)!;
    assert.equal(records.what, 'records');
    const lines = records.csv.split('\r\n');
    assert.match(lines[0]!, /^call,direction,line,from,from_name,to,offered_at,answered_at,ended_at,disposition,decline_reason,/);
    assert.equal(lines.length, 1 + 9 + 1, 'header, 9 calls, and the final CRLF');
    assert.match(lines[1]!, new RegExp(`^C1,in,l1,5551001,,600,${new Date(t(9)).toISOString()},${new Date(t(9, 0, 10)).toISOString()},`));
    await host.run({ cmd: 'export', what: 'summary', range: 'today' });
    const summary = host.named('export').at(-1)!.csv;
    assert.match(summary, /\r\noffered,8\r\n/);
    assert.match(summary, /\r\ndeclined\.lunch soon,1\r\n/);
    assert.match(summary, /\r\nline\.l2\.talk_ms,180000\r\n/);
  });

  test('a bad range is an error, not an answer', async () => {
    const { host } = await playDay();
    const r = await host.run({ cmd: 'stats', range: { from: 10, to: 5 } });
    assert.deepEqual(r, { ok: false, error: 'range.to must not be before range.from' });
  });
});

describe('statistics of calls still going', () => {
  test('a call up now counts its talk and hold so far; a ringing one counts as offered', () => {
    const store = CallStore.open(':memory:');
    let now = t(9);
    const rec = new CallRecorder({ sink: { nextCallId: () => store.nextCallId(), save: (r) => store.saveCall(r) }, now: () => now, lineNumbers: new Map() });
    rec.onEvent({ event: 'call.offered', call: 'A', line: 'l1', from: '1', to: '600', attempt: 1 });
    now = t(9, 0, 5);
    rec.onEvent({ event: 'call.answered', call: 'A', line: 'l1' });
    now = t(9, 0, 20);
    rec.onEvent({ event: 'call.held', call: 'A', line: 'l1', on: true, by: 'local' });
    now = t(9, 0, 30);
    rec.onEvent({ event: 'call.held', call: 'A', line: 'l1', on: false, by: 'local' });
    now = t(9, 0, 40);
    rec.onEvent({ event: 'call.held', call: 'A', line: 'l1', on: true, by: 'remote' });
    rec.onEvent({ event: 'call.offered', call: 'B', line: 'l2', from: '2', to: '600', attempt: 1 });
    const s = new StatsQueries(store.db).summary({ from: DAY_START, to: DAY_END }, t(9, 1, 0));
    // A: answered 09:00:05, now 09:01:00 → up 55 s; held 10 s (09:00:20–30) + 20 s so far (since 09:00:40) = 30 s; talk 25 s
    assert.deepEqual([s.offered, s.answered, s.holdMs, s.talkMs, s.averageSpeedOfAnswerMs, s.averageHandleTimeMs], [2, 1, 30_000, 25_000, 5_000, 0]);
    assert.deepEqual(s.perLine.l1, { offered: 1, answered: 1, talkMs: 25_000 });
  });
});

describe('per-day sums agree with the calls themselves', () => {
  test('for random calls over ten days and random periods (property)', () => {
    const outcomes = ['answered', 'declined', 'timeout', 'cancel', 'elsewhere', 'failed', 'queued-cancel', 'outbound', 'live'] as const;
    const base = new Date(2024, 4, 1).getTime();
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.integer({ min: 0, max: 10 * 86_400_000 }), outcome: fc.constantFrom(...outcomes), line: fc.constantFrom('l1', 'l2', 'l3'), reason: fc.constantFrom('busy', 'lunch', undefined) }), { maxLength: 40 }),
        fc.array(fc.tuple(fc.integer({ min: -86_400_000, max: 11 * 86_400_000 }), fc.integer({ min: 0, max: 6 * 86_400_000 })), { minLength: 1, maxLength: 4 }),
        (calls, ranges) => {
          const store = CallStore.open(':memory:');
          let now = 0;
          const rec = new CallRecorder({ sink: { nextCallId: () => store.nextCallId(), save: (r) => store.saveCall(r) }, now: () => now, lineNumbers: new Map() });
          [...calls].sort((a, b) => a.at - b.at).forEach((c, i) => {
            const call = `k${i}`;
            now = base + c.at;
            const end = (reason: 'remote-hangup' | 'rejected' | 'caller-cancelled' | 'answered-elsewhere' | 'failed', code: number, talkMs?: number): void =>
              rec.onEvent({ event: 'call.ended', call, line: c.line, reason, code, ...(talkMs !== undefined ? { talkMs } : {}) });
            if (c.outcome === 'outbound') rec.onEvent({ event: 'call.dialing', call, line: c.line, to: '9' });
            else if (c.outcome === 'queued-cancel') rec.onEvent({ event: 'call.queued', call, position: 1 });
            else rec.onEvent({ event: 'call.offered', call, line: c.line, from: '1', to: '600', attempt: 1 });
            now += 1_000 + (c.at % 7_000);
            switch (c.outcome) {
              case 'answered':
              case 'outbound':
              case 'live':
                rec.onEvent({ event: 'call.answered', call, line: c.line });
                now += c.at % 50_000;
                if (c.outcome !== 'live') end('remote-hangup', 200, c.at % 50_000);
                break;
              case 'declined':
                rec.onEvent({ event: 'call.offer.ended', call, line: c.line, attempt: 1, reason: 'declined', ...(c.reason ? { detail: c.reason } : {}) });
                end('rejected', 480);
                break;
              case 'timeout':
                rec.onEvent({ event: 'call.offer.ended', call, line: c.line, attempt: 1, reason: 'timeout' });
                end('rejected', 480);
                break;
              case 'cancel':
              case 'queued-cancel':
                end('caller-cancelled', 487);
                break;
              case 'elsewhere':
                end('answered-elsewhere', 487);
                break;
              case 'failed':
                end('failed', 488);
                break;
            }
          });
          const q = new StatsQueries(store.db);
          for (const [start, length] of ranges) {
            const range = { from: base + start, to: base + start + length };
            const at = base + 12 * 86_400_000;
            assert.deepEqual(q.summary(range, at, { wholeDays: true }), q.summary(range, at, { wholeDays: false }));
          }
          store.close();
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('periods', () => {
  test('today is the local day; the week starts on Monday 00:00 local time', () => {
    const sunday = new Date(2024, 2, 17, 23, 59).getTime();
    assert.equal(startOfLocalWeek(sunday), new Date(2024, 2, 11).getTime());
    const monday = new Date(2024, 2, 18, 0, 0).getTime();
    assert.equal(startOfLocalWeek(monday), monday);
    assert.deepEqual(resolveRange('today', t(15)), { from: DAY_START, to: DAY_END });
    assert.deepEqual(resolveRange({ from: 1, to: 2 }, 0), { from: 1, to: 2 });
  });
});
