import { mkdtempSync, rmSync } from 'node:fs';
import { seededRandom } from '../test/support/seeded-random.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../src-main/common/clock.js';
import { silentLogger } from '../src-main/common/logger.js';
import type { ControlEvent } from '../src-main/contract/control-events.js';
import { CallRecorder } from '../src-main/stats/call-recorder.js';
import { CallStore, type Durability } from '../src-main/stats/call-store.js';
import { DurableWriter } from '../src-main/stats/durable-writer.js';
import { StatsQueries } from '../src-main/stats/stats-queries.js';
import { percentile, round, type BenchRow } from './bench-types.js';

const RECORDS = 1_000_000;
const DAY_MS = 86_400_000;
const SPAN_DAYS = 365;
const STATS_RUNS = 20;
/** Each durability mode writes for about this long. */
const WRITE_BUDGET_MS = 3_000;

/**
 * Statistics speed over 1,000,000 stored call records (a year of them), and the write rate
 * of the real recorder path (recorder → durable writer → SQLite, WAL) at each durability.
 */
export function benchStats(): BenchRow[] {
  const dir = mkdtempSync(join(tmpdir(), 'linedesk-stats-bench-'));
  try {
    const rows: BenchRow[] = [];
    rows.push(...statsOverMillion(join(dir, 'million.sqlite')));
    for (const mode of ['NORMAL', 'FULL'] as const) rows.push(writeRate(join(dir, `writes-${mode}.sqlite`), mode));
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function statsOverMillion(file: string): BenchRow[] {
  const store = CallStore.open(file, { synchronous: 'NORMAL' });
  try {
    const end = new Date(2025, 0, 1).getTime();
    const start = end - SPAN_DAYS * DAY_MS;
    const t0 = performance.now();
    fillYear(store, start, end);
    const fillMs = performance.now() - t0;
    const queries = new StatsQueries(store.db);
    const monthFrom = new Date(2024, 5, 1).getTime();
    const monthTo = new Date(2024, 6, 1).getTime();
    const inMonth = Number(store.db.prepare<{ n: number }>('SELECT COUNT(*) AS n FROM calls WHERE offered_at >= ? AND offered_at < ?').get(monthFrom, monthTo)?.n ?? 0);
    const lines = ['l1', 'l2', 'l3', 'l4'];
    const time = (from: number, to: number, runs: number, wholeDays = true): number[] => {
      const out: number[] = [];
      for (let i = 0; i < runs; i++) {
        const s = performance.now();
        const summary = queries.summary({ from, to }, end, { lines, pauseReasons: ['break', 'lunch'], wholeDays });
        out.push(performance.now() - s);
        if (summary.offered === 0) throw new Error('the benchmark range is empty');
      }
      return out;
    };
    time(monthFrom, monthTo, 2); // warm the page cache
    const month = time(monthFrom, monthTo, STATS_RUNS);
    // Periods starting mid-day (local midnight in most time zones is not a UTC day boundary) read their partial days from the calls.
    const offset = 13.5 * 3_600_000;
    const monthShifted = time(monthFrom + offset, monthTo + offset, STATS_RUNS);
    const year = time(start, end, 5);
    const scan = time(monthFrom, monthTo, 3, false);
    return [
      { name: 'stats: generate 1,000,000 records', value: round(fillMs / 1000, 1), unit: 's', note: 'one transaction, per-day sums kept by the triggers; plus 10 agent intervals a day' },
      { name: 'stats: month range, p50', value: round(percentile(month, 50), 2), unit: 'ms', note: `${inMonth} calls in the month, ${STATS_RUNS} runs; p95 ${round(percentile(month, 95), 2)} ms` },
      { name: 'stats: month range starting 13:30 UTC, p50', value: round(percentile(monthShifted, 50), 2), unit: 'ms', note: `two partial days read from the calls; p95 ${round(percentile(monthShifted, 95), 2)} ms` },
      { name: 'stats: whole year (1,000,000 records), p50', value: round(percentile(year, 50), 2), unit: 'ms', note: '5 runs' },
      { name: 'stats: month range without the per-day sums, p50', value: round(percentile(scan, 50), 1), unit: 'ms', note: 'every call of the month read (for comparison), 3 runs' },
    ];
  } finally {
    store.close();
  }
}

/** A year of calls, spread evenly with a daytime peak, and the agent's state intervals. */
function fillYear(store: CallStore, start: number, end: number): void {
  const random = seededRandom(42);
  const insertCall = store.db.prepare(
    `INSERT INTO calls (id, call_id, direction, line, from_number, from_name, called, offered_at, offered_hour, answered_at, ended_at,
                        disposition, decline_reason, end_reason, end_code, queued_ms, talk_ms, hold_ms, wrapup_ms, attempts, mos_worst)
     VALUES (?, ?, ?, ?, ?, NULL, '600', ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)`,
  );
  const insertInterval = store.db.prepare('INSERT INTO agent_intervals (id, state, reason, started_at, ended_at) VALUES (?, ?, ?, ?, ?)');
  const step = (end - start) / RECORDS;
  const dispositions = ['answered', 'answered', 'answered', 'answered', 'answered', 'answered', 'declined', 'missed', 'abandoned', 'answered-elsewhere'] as const;
  const reasons = ['busy', 'on a break', null];
  store.db.transaction(() => {
    for (let i = 0; i < RECORDS; i++) {
      const id = store.nextCallId();
      const offeredAt = Math.floor(start + i * step);
      const disposition = dispositions[Math.floor(random() * dispositions.length)]!;
      const answered = disposition === 'answered';
      const answeredAt = answered ? offeredAt + 2_000 + Math.floor(random() * 10_000) : null;
      const talk = answered ? 30_000 + Math.floor(random() * 300_000) : 0;
      const hold = answered && random() < 0.2 ? Math.floor(random() * 60_000) : 0;
      const endedAt = (answeredAt ?? offeredAt + 15_000) + talk + hold;
      insertCall.run(
        id, `bench-${id}@pbx`, random() < 0.95 ? 'in' : 'out', `l${1 + (i % 4)}`, String(5550000 + Math.floor(random() * 10_000)), offeredAt, new Date(offeredAt).getHours(),
        answeredAt, endedAt, disposition, disposition === 'declined' ? reasons[i % 3]! : null, answered ? 'remote-hangup' : 'caller-cancelled', answered ? 200 : 487,
        talk, hold, answered ? 30_000 : 0, 1 + (i % 2), answered ? 3.5 + random() : null,
      );
    }
    for (let day = start; day < end; day += DAY_MS) {
      let t = day + 8 * 3_600_000;
      const states: [string, string | null, number][] = [['available', null, 7_200_000], ['paused', 'break', 900_000], ['available', null, 5_400_000], ['paused', 'lunch', 3_600_000], ['available', null, 7_200_000], ['wrapup', null, 60_000], ['available', null, 3_600_000], ['paused', 'break', 900_000], ['available', null, 1_800_000], ['offline', null, 36_000_000]];
      for (const [state, reason, ms] of states) {
        insertInterval.run(store.nextIntervalId(), state, reason, t, t + ms);
        t += ms;
      }
    }
  })();
}

/** Calls through the real recorder path: offered, answered, ended (3 writes each). */
function writeRate(file: string, synchronous: Durability): BenchRow {
  const store = CallStore.open(file, { synchronous });
  try {
    const writer = new DurableWriter(silentLogger, systemClock);
    const recorder = new CallRecorder({
      sink: { nextCallId: () => store.nextCallId(), save: (rec) => void writer.write(`call:${rec.id}`, 'call', () => store.saveCall(rec)) },
      now: () => Date.now(),
      lineNumbers: new Map([['l1', '200']]),
    });
    const feed = (e: ControlEvent): void => recorder.onEvent(e);
    let calls = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < WRITE_BUDGET_MS) {
      const call = `w-${calls++}@pbx`;
      feed({ event: 'call.offered', call, line: 'l1', from: '5551234', to: '200', attempt: 1 });
      feed({ event: 'call.answered', call, line: 'l1' });
      feed({ event: 'call.ended', call, line: 'l1', reason: 'remote-hangup', code: 200, talkMs: 1_000 });
    }
    const seconds = (performance.now() - t0) / 1000;
    writer.dispose();
    if (writer.failures > 0) throw new Error(`${writer.failures} writes failed`);
    return { name: `stats: record writes per second, synchronous=${synchronous}`, value: Math.round((calls * 3) / seconds), unit: 'writes/s', note: `${calls} calls × 3 transactions, WAL` };
  } finally {
    store.close();
  }
}

