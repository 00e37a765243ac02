import { isAbsolute, resolve } from 'node:path';
import type { Clock } from '../common/clock.js';
import { aorUser } from '../config/aor-user.js';
import type { CommandResult } from '../contract/commands.js';
import type { ControlEvent, StatsSummary } from '../contract/control-events.js';
import type { CoreHost, CoreModule } from '../core/core-module.js';
import { AgentIntervalRecorder } from './agent-interval-recorder.js';
import { CallRecorder } from './call-recorder.js';
import { CallStore } from './call-store.js';
import { DurableWriter } from './durable-writer.js';
import { HistoryQueries, type HistoryQuery } from './history-queries.js';
import { recordsCsv, summaryCsv } from './stats-export.js';
import { StatsQueries } from './stats-queries.js';
import { resolveRange, type StatsRange } from './stats-range.js';

/** How often the store notes that LineDesk is alive (the end given to what a crash leaves open). */
export const ALIVE_INTERVAL_MS = 15_000;
/** At stop, how long to wait for the calls being hung up to end before closing the database. */
const STOP_WAIT_MS = 1_500;

/** `store.path` as a file name: relative paths are relative to the config file's folder. */
export function storeFile(path: string, baseDir: string): string {
  return path === ':memory:' || isAbsolute(path) ? path : resolve(baseDir, path);
}

/**
 * Call records, agent state intervals and personal statistics in SQLite. Install it
 * before the agent module (default-modules.ts): it then sees each `call.ended` before the
 * wrap-up it causes, and at stop the agent's last state before the database closes.
 *
 * A database that cannot be opened stops LineDesk at start with a message naming the
 * file; once running, a failing write is logged and retried, and calls go on.
 */
export const statsModule: CoreModule = {
  name: 'stats',
  install(host: CoreHost): void {
    const log = host.log.child('stats');
    const file = storeFile(host.config.store.path, host.baseDir);
    const store = CallStore.open(file, { synchronous: host.config.store.synchronous });
    try {
      const recovered = store.recoverInterrupted();
      if (recovered.calls > 0 || recovered.intervals > 0) log.warn('closed the calls and agent state a previous run left open (it did not stop cleanly)', { ...recovered });
      log.info('call records open', { file, synchronous: host.config.store.synchronous });
      wire(host, store);
    } catch (error) {
      store.close();
      throw error;
    }
  },
};

/** Recorders on the event bus, the query commands, the heartbeat and the cleanup at stop. */
function wire(host: CoreHost, store: CallStore): void {
  const log = host.log.child('stats');
  const now = (): number => host.clock.wallNow();
  const writer = new DurableWriter(log, host.clock);
  const intervals = new AgentIntervalRecorder({
    nextIntervalId: () => store.nextIntervalId(),
    save: (changed, calls) => {
      writer.write(`agent:${changed.map((i) => i.id).join(',')}`, 'the agent state', () => store.saveAgentChange(changed, calls));
    },
  });
  const calls = new CallRecorder({
    sink: {
      nextCallId: () => store.nextCallId(),
      save: (rec) => {
        writer.write(`call:${rec.id}`, `the record of call ${rec.callId}`, () => store.saveCall(rec));
      },
    },
    now,
    isAgentLine: (line) => host.isAgentLine(line),
    lineNumbers: new Map(host.config.lines.map((l) => [l.id, aorUser(l.aor) ?? l.id])),
    onAnsweredCallEnded: (rec) => intervals.noteAnsweredCallEnded(rec),
  });
  const statsQueries = new StatsQueries(store.db);
  const history = new HistoryQueries(store.db);

  const unsubscribe = host.events.on('event', (e) => {
    try {
      calls.onEvent(e);
      intervals.onEvent(e);
    } catch (error) {
      log.error('could not record an event', { event: e.event, error: error instanceof Error ? error.message : String(error) });
    }
  });
  const touch = (): void => void writer.write('alive', 'the heartbeat', () => store.touchAlive(now()));
  touch();
  const alive = host.clock.setInterval(touch, ALIVE_INTERVAL_MS);

  const figures = (range: StatsRange): StatsSummary => statsQueries.summary(range, now(), { lines: host.lineIds(), pauseReasons: host.config.agent.pauseReasons });
  /** Emits the answer and returns it as the command's value; a failing query is the command's error. */
  const answer = (build: () => ControlEvent): CommandResult => {
    let event: ControlEvent;
    try {
      event = build();
    } catch (error) {
      return { ok: false, error: `statistics are unavailable: ${error instanceof Error ? error.message : String(error)}` };
    }
    host.emit(event);
    return { ok: true, value: event };
  };
  const withId = (id: string | undefined): { id?: string } => (id !== undefined ? { id } : {});

  host.commands.register('stats', (c) => {
    const range = resolveRange(c.range, now());
    if (typeof range === 'string') return { ok: false, error: range };
    return answer(() => ({ event: 'stats', ...withId(c.id), stats: figures(range) }));
  });
  host.commands.register('history', (c) => {
    const q: HistoryQuery = {};
    if (c.query !== undefined) q.query = c.query;
    if (c.limit !== undefined) q.limit = c.limit;
    if (c.before !== undefined) q.before = c.before;
    return answer(() => ({ event: 'history', ...withId(c.id), records: history.history(q) }));
  });
  host.commands.register('export', (c) => {
    const range = resolveRange(c.range, now());
    if (typeof range === 'string') return { ok: false, error: range };
    return answer(() => ({ event: 'export', ...withId(c.id), what: c.what, csv: c.what === 'records' ? recordsCsv(history.recordsIn(range)) : summaryCsv(figures(range)) }));
  });

  host.onStop(async () => {
    alive.cancel();
    // Calls hung up at shutdown end a moment later (their BYE or final response): record them first.
    await waitUntil(() => calls.liveCount === 0, host.clock, STOP_WAIT_MS);
    unsubscribe();
    try {
      intervals.close(now());
      writer.retryNow();
      touch();
    } finally {
      writer.dispose();
      store.close();
    }
  });
}

/** Resolves once `done()` holds (checked every 20 ms) or after `maxMs`. */
function waitUntil(done: () => boolean, clock: Clock, maxMs: number): Promise<void> {
  if (done()) return Promise.resolve();
  return new Promise((resolve) => {
    const finish = (): void => {
      poll.cancel();
      limit.cancel();
      resolve();
    };
    const poll = clock.setInterval(() => {
      if (done()) finish();
    }, 20);
    const limit = clock.setTimeout(finish, maxMs);
  });
}
