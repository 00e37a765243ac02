import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createLogger } from '../../../src-main/common/logger.js';
import type { ControlEvent } from '../../../src-main/contract/control-events.js';
import { defaultModules } from '../../../src-main/core/default-modules.js';
import { AgentIntervalRecorder } from '../../../src-main/stats/agent-interval-recorder.js';
import { CallRecorder } from '../../../src-main/stats/call-recorder.js';
import { CallStore, StoreOpenError } from '../../../src-main/stats/call-store.js';
import { DurableWriter } from '../../../src-main/stats/durable-writer.js';
import { openSqlite } from '../../../src-main/stats/sqlite-driver.js';
import { statsModule } from '../../../src-main/modules/stats-module.js';
import { FakeClock } from '../../support/fake-clock.js';
import { FakeCoreHost, testConfig } from './fake-core-host.js';

const dir = mkdtempSync(join(tmpdir(), 'linedesk-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.UTC(2024, 5, 3, 8);

/** Recorders writing straight to `store`; `now` is settable. */
function recorders(store: CallStore) {
  const clock = { now: T0 };
  const intervals = new AgentIntervalRecorder({ nextIntervalId: () => store.nextIntervalId(), save: (i, c) => store.saveAgentChange(i, c) });
  const calls = new CallRecorder({
    sink: { nextCallId: () => store.nextCallId(), save: (r) => store.saveCall(r) },
    now: () => clock.now,
    lineNumbers: new Map(),
    onAnsweredCallEnded: (r) => intervals.noteAnsweredCallEnded(r),
  });
  const feed = (...events: ControlEvent[]): void =>
    events.forEach((e) => {
      calls.onEvent(e);
      intervals.onEvent(e);
    });
  return { clock, calls, intervals, feed };
}

function logCapture() {
  const lines: string[] = [];
  return { lines, log: createLogger('debug', (l) => lines.push(l)) };
}

describe('CallStore on a file', () => {
  test('WAL mode with the configured synchronous; records survive close and reopen; ids continue', () => {
    const file = join(dir, 'reopen.sqlite');
    const store = CallStore.open(file, { synchronous: 'FULL' });
    assert.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(store.db.pragma('synchronous', { simple: true }), 2, 'FULL');
    const r = recorders(store);
    r.feed({ event: 'agent.state', state: 'available', since: T0 });
    r.feed({ event: 'call.offered', call: 'a', line: 'l1', from: '1', to: '600', attempt: 1 });
    r.clock.now = T0 + 2_000;
    r.feed({ event: 'call.answered', call: 'a', line: 'l1' });
    r.clock.now = T0 + 12_000;
    r.feed({ event: 'call.ended', call: 'a', line: 'l1', reason: 'remote-hangup', code: 200, talkMs: 10_000 });
    r.feed({ event: 'agent.state', state: 'wrapup', since: T0 + 12_000, wrapupEndsAt: T0 + 42_000 });
    r.feed({ event: 'agent.state', state: 'available', since: T0 + 20_000 });
    store.close();
    store.close(); // idempotent

    const again = CallStore.open(file, { synchronous: 'NORMAL' });
    try {
      assert.equal(again.db.pragma('synchronous', { simple: true }), 1, 'NORMAL');
      const a = again.readCall('a');
      assert.ok(a);
      assert.deepEqual([a.disposition, a.talkMs, a.wrapupMs, a.attempts[0]?.outcome], ['answered', 10_000, 8_000, 'answered'], 'wrap-up 12 s → 20 s went to the call');
      const intervals = again.db.prepare<{ id: number; state: string; started_at: number; ended_at: number | null; call: number | null }>('SELECT id, state, started_at, ended_at, call FROM agent_intervals ORDER BY id').all();
      assert.deepEqual(intervals, [
        { id: 1, state: 'available', started_at: T0, ended_at: T0 + 12_000, call: null },
        { id: 2, state: 'wrapup', started_at: T0 + 12_000, ended_at: T0 + 20_000, call: a.id },
        { id: 3, state: 'available', started_at: T0 + 20_000, ended_at: null, call: null },
      ]);
      assert.equal(again.nextCallId(), 2);
      assert.equal(again.nextIntervalId(), 4);
    } finally {
      again.close();
    }
  });

  test('what a killed LineDesk left open is readable as it was, and closed by recoverInterrupted at the last heartbeat', () => {
    const file = join(dir, 'crash.sqlite');
    const store = CallStore.open(file);
    const r = recorders(store);
    r.feed({ event: 'call.offered', call: 'up', line: 'l1', from: '1', to: '600', attempt: 1 });
    r.clock.now = T0 + 1_000;
    r.feed({ event: 'call.answered', call: 'up', line: 'l1' });
    r.clock.now = T0 + 5_000;
    r.feed({ event: 'call.held', call: 'up', line: 'l1', on: true, by: 'local' });
    r.feed({ event: 'call.offered', call: 'ringing', line: 'l2', from: '2', to: '600', attempt: 1 });
    r.feed({ event: 'call.offered', call: 'done', line: 'l2', from: '3', to: '600', attempt: 1 });
    r.feed({ event: 'call.answered', call: 'done', line: 'l2' });
    r.clock.now = T0 + 6_000;
    r.feed({ event: 'call.ended', call: 'done', line: 'l2', reason: 'remote-hangup', code: 200, talkMs: 1_000 });
    r.feed({ event: 'agent.state', state: 'wrapup', since: T0 + 6_000, wrapupEndsAt: T0 + 36_000 });
    store.touchAlive(T0 + 9_000);
    // No close, no recovery: as after SIGKILL (the WAL holds every commit).
    const reader = CallStore.open(file);
    assert.deepEqual([reader.readCall('up')?.disposition, reader.readCall('up')?.holdSince, reader.readCall('ringing')?.disposition], ['active', T0 + 5_000, 'ringing']);
    reader.close();
    store.close();

    const next = CallStore.open(file);
    try {
      assert.deepEqual(next.recoverInterrupted(), { calls: 2, intervals: 1 });
      const up = next.readCall('up')!;
      // Up from 1 s to the heartbeat at 9 s; on hold from 5 s: hold 4 s, talk 4 s.
      assert.deepEqual([up.disposition, up.endedAt, up.holdMs, up.talkMs, up.holdSince, up.endReason], ['answered', T0 + 9_000, 4_000, 4_000, null, 'failed']);
      const ringing = next.readCall('ringing')!;
      assert.deepEqual([ringing.disposition, ringing.endedAt, ringing.attempts[0]?.outcome], ['failed', T0 + 9_000, 'failed']);
      assert.equal(next.readCall('done')?.wrapupMs, 3_000, 'the open wrap-up (6 s → 9 s) went to its call');
      assert.deepEqual(next.recoverInterrupted(), { calls: 0, intervals: 0 }, 'nothing left open');
    } finally {
      next.close();
    }
  });

  test('the database and its -wal and -shm files are 0600 whatever the umask; looser files from before are tightened', { skip: process.platform === 'win32' ? 'POSIX modes' : false }, () => {
    const modeOf = (f: string): number => statSync(f).mode & 0o777;
    const file = join(dir, 'private.sqlite');
    const umask = process.umask(0);
    try {
      const store = CallStore.open(file);
      const r = recorders(store);
      r.feed({ event: 'call.offered', call: 'p', line: 'l1', from: '5550101', to: '600', attempt: 1 });
      for (const f of [file, `${file}-wal`, `${file}-shm`]) assert.equal(modeOf(f), 0o600, f);
      store.close();
      // An older LineDesk (or another tool) left them readable by everyone.
      for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o644);
      const again = CallStore.open(file);
      try {
        for (const f of [file, `${file}-wal`, `${file}-shm`]) assert.equal(modeOf(f), 0o600, `${f} after reopening`);
        assert.equal(again.readCall('p')?.from, '5550101', 'the records are still there');
      } finally {
        again.close();
      }
    } finally {
      process.umask(umask);
    }
  });

  test('a folder that does not exist, or a file that is not a database, is a clear error at open', () => {
    assert.throws(
      () => CallStore.open(join(dir, 'no', 'such', 'folder', 'x.sqlite')),
      (e: unknown) => e instanceof StoreOpenError && /cannot open the statistics database .*x\.sqlite: .*directory does not exist/.test(e.message),
    );
    const junk = join(dir, 'junk.sqlite');
    writeFileSync(junk, 'this is a text file, not SQLite '.repeat(200));
    assert.throws(() => CallStore.open(junk), /cannot open the statistics database .*junk\.sqlite: file is not a database \(the file is damaged or is not a LineDesk database/);
  });
});

describe('AgentIntervalRecorder: the wrap-up tie', () => {
  test('the wrap-up that is the next agent state after an answered call ended is that call\'s; nothing else is', () => {
    const store = CallStore.open(':memory:');
    try {
      const r = recorders(store);
      const tiedTo = (): string | null => r.intervals.current?.call?.callId ?? null;
      r.feed({ event: 'agent.state', state: 'offline', since: T0 });
      r.feed({ event: 'call.dialing', call: 'o', line: 'l1', to: '700' });
      r.feed({ event: 'call.answered', call: 'o', line: 'l1' });
      r.clock.now = T0 + 5_000;
      r.feed({ event: 'call.ended', call: 'o', line: 'l1', reason: 'local-hangup', code: 200, talkMs: 5_000 });
      // Offline: no wrap-up follows. Logging in is the next agent state; a later wrap-up is not o's.
      r.feed({ event: 'agent.state', state: 'available', since: T0 + 6_000 });
      r.feed({ event: 'agent.state', state: 'wrapup', since: T0 + 6_000, wrapupEndsAt: T0 + 36_000 });
      assert.equal(tiedTo(), null);
      r.feed({ event: 'call.offered', call: 'a', line: 'l1', from: '1', to: '600', attempt: 1 });
      r.feed({ event: 'call.answered', call: 'a', line: 'l1' });
      r.clock.now = T0 + 20_000;
      r.feed({ event: 'call.ended', call: 'a', line: 'l1', reason: 'remote-hangup', code: 200, talkMs: 10_000 });
      r.feed({ event: 'agent.state', state: 'wrapup', since: T0 + 20_000, wrapupEndsAt: T0 + 50_000 });
      assert.equal(tiedTo(), 'a');
      r.feed({ event: 'agent.state', state: 'wrapup', since: T0 + 20_000, wrapupEndsAt: T0 + 80_000 }); // extended: the same interval
      r.feed({ event: 'agent.state', state: 'available', since: T0 + 25_000 });
      assert.deepEqual([store.readCall('a')?.wrapupMs, store.readCall('o')?.wrapupMs], [5_000, 0]);
    } finally {
      store.close();
    }
  });

  test('front ends install stats before agent, which the tie relies on', () => {
    assert.deepEqual(defaultModules().map((m) => m.name).filter((n) => n === 'stats' || n === 'agent'), ['stats', 'agent']);
  });
});

describe('DurableWriter', () => {
  test('a failed write is logged and retried later; the retry stores the latest state', () => {
    const clock = new FakeClock();
    const { lines, log } = logCapture();
    const w = new DurableWriter(log, clock, 500);
    let failNext = 1;
    let stored = '';
    let state = 'v1';
    const save = (): void => {
      if (failNext-- > 0) throw new Error('SQLITE_FULL: database or disk is full');
      stored = state;
    };
    assert.equal(w.write('call:1', 'call 1', save), false);
    assert.match(lines.join('\n'), /WARN .*could not save call 1; retrying in 500 ms.*disk is full/);
    assert.equal(w.pendingCount, 1);
    state = 'v2';
    clock.advance(499);
    assert.equal(stored, '');
    clock.advance(1);
    assert.equal(stored, 'v2', 'retried, with the state of now');
    assert.equal(w.pendingCount, 0);
    assert.equal(w.failures, 1);
    assert.equal(clock.pendingCount, 0, 'no timer left once everything is saved');
  });

  test('a write that keeps failing is never dropped: retried with a growing delay until it succeeds', () => {
    const clock = new FakeClock();
    const { lines, log } = logCapture();
    const w = new DurableWriter(log, clock, 500, 4_000);
    let tries = 0;
    const triedAt: number[] = [];
    const failUntil = 6;
    let saved = false;
    w.write('call:7', 'the record of call 7', () => {
      tries++;
      triedAt.push(clock.now());
      if (tries < failUntil) throw new Error('SQLITE_BUSY: database is locked');
      saved = true;
    });
    clock.advance(60_000);
    assert.equal(saved, true, 'saved in the end');
    assert.deepEqual(triedAt, [0, 500, 1_500, 3_500, 7_500, 11_500], 'delays 500, 1000, 2000, 4000 ms, then capped at 4000 ms');
    assert.equal(w.pendingCount, 0);
    assert.equal(w.failures, 5);
    assert.match(lines.join('\n'), /ERROR .*could not save the record of call 7 on retry; retrying in 1000 ms/);
    assert.doesNotMatch(lines.join('\n'), /giving up/);
    assert.equal(clock.pendingCount, 0);

    // The delay starts again from the beginning for the next failure.
    let later = 0;
    w.write('k', 'k', () => {
      if (later++ === 0) throw new Error('I/O error');
    });
    clock.advance(500);
    assert.equal(later, 2);
  });

  test('a newer write for the same key replaces the pending one; at dispose what is still pending is logged', () => {
    const clock = new FakeClock();
    const { lines, log } = logCapture();
    const w = new DurableWriter(log, clock, 500);
    let good = 0;
    w.write('j', 'j', () => {
      throw new Error('busy');
    });
    assert.equal(w.write('j', 'j', () => good++), true);
    assert.equal(w.pendingCount, 0);
    clock.advance(1_000);
    assert.equal(good, 1, 'the successful newer write settled the pending one');

    w.write('x', 'the record of call x', () => {
      throw new Error('disk I/O error');
    });
    w.retryNow();
    assert.equal(w.pendingCount, 1, 'still pending after a failed retry');
    w.dispose();
    assert.equal(clock.pendingCount, 0);
    assert.match(lines.join('\n'), /ERROR .*1 write\(s\) could not be saved before stop: the record of call x/);
  });
});

describe('stats module and a failing database', () => {
  test('a database that cannot be opened stops the module from installing, naming the file', async () => {
    const host = new FakeCoreHost(testConfig({ store: { path: 'missing-folder/linedesk.sqlite' } }), new FakeClock(), join(dir, 'base'));
    await assert.rejects(host.install(statsModule), /cannot open the statistics database .*base\/missing-folder\/linedesk\.sqlite/);
  });

  test('writes blocked by another process are logged, the call goes on, and the retry stores it', async () => {
    const file = join(dir, 'locked.sqlite');
    const { lines, log } = logCapture();
    const clock = new FakeClock(0, T0);
    const host = new (class extends FakeCoreHost {
      override readonly log = log;
    })(testConfig({ store: { path: file } }), clock);
    await host.install(statsModule);
    const other = openSqlite(file, { timeout: 0 });
    other.exec('BEGIN IMMEDIATE'); // holds the write lock
    host.emit({ event: 'call.offered', call: 'x', line: 'l1', from: '1', to: '600', attempt: 1 });
    host.emit({ event: 'call.answered', call: 'x', line: 'l1' });
    assert.match(lines.join('\n'), /could not save the record of call x; retrying in 500 ms/);
    other.exec('ROLLBACK');
    await clock.advanceAsync(500);
    const history = await host.run({ cmd: 'history' });
    assert.ok(history.ok);
    assert.deepEqual(host.named('history').at(-1)?.records.map((r) => [r.call, r.disposition]), [['x', 'active']], 'the retry stored the latest state');
    other.close();
    host.emit({ event: 'call.ended', call: 'x', line: 'l1', reason: 'remote-hangup', code: 200, talkMs: 1 });
    await host.stop();
  });

  test('an ended call whose save is blocked longer than one retry is still saved as ended', async () => {
    const file = join(dir, 'locked-end.sqlite');
    const clock = new FakeClock(0, T0);
    const host = new FakeCoreHost(testConfig({ store: { path: file } }), clock);
    await host.install(statsModule);
    host.emit({ event: 'call.offered', call: 'y', line: 'l1', from: '1', to: '600', attempt: 1 });
    host.emit({ event: 'call.answered', call: 'y', line: 'l1' });
    clock.advance(5_000);
    const other = openSqlite(file, { timeout: 0 });
    other.exec('BEGIN IMMEDIATE'); // another process holds the write lock past the first retry
    host.emit({ event: 'call.ended', call: 'y', line: 'l1', reason: 'remote-hangup', code: 200, talkMs: 5_000 });
    await clock.advanceAsync(500); // the first retry fails too
    other.exec('ROLLBACK');
    other.close();
    await clock.advanceAsync(1_000);
    const db = openSqlite(file);
    assert.deepEqual(db.prepare('SELECT disposition, ended_at, talk_ms FROM calls').all(), [{ disposition: 'answered', ended_at: T0 + 5_000, talk_ms: 5_000 }]);
    db.close();
    await host.stop();
  });

  test('at stop the open agent state is closed and the file is released', async () => {
    const file = join(dir, 'stop.sqlite');
    const clock = new FakeClock(0, T0);
    const host = new FakeCoreHost(testConfig({ store: { path: file } }), clock);
    await host.install(statsModule);
    host.emit({ event: 'agent.state', state: 'available', since: T0 });
    clock.advance(60_000);
    await host.stop();
    const db = openSqlite(file);
    assert.deepEqual(db.prepare('SELECT state, started_at, ended_at FROM agent_intervals').all(), [{ state: 'available', started_at: T0, ended_at: T0 + 60_000 }]);
    assert.equal(db.prepare("SELECT value FROM store_meta WHERE key = 'alive_at'").get()?.value, T0 + 60_000);
    db.close();
  });
});
