import { isAbsolute, resolve } from 'node:path';
import { aorUser } from '../config/aor-user.js';
import type { CommandResult } from '../contract/commands.js';
import type { ControlEvent, StatsSummary } from '../contract/control-events.js';
import { AgentIntervalRecorder } from '../stats/agent-interval-recorder.js';
import { CallRecorder } from '../stats/call-recorder.js';
import { CallStore } from '../stats/call-store.js';
import { DurableWriter } from '../stats/durable-writer.js';
import { HistoryQueries, type HistoryQuery } from '../stats/history-queries.js';
import { recordsCsv, summaryCsv } from '../stats/stats-export.js';
import { StatsQueries } from '../stats/stats-queries.js';
import { resolveRange, type StatsRange } from '../stats/stats-range.js';
import type { CoreHost, CoreModule } from './module-api.js';
import { serviceId } from './services.js';

/** The desk's own store of call records and agent intervals, for modules that ship or read them. */
export interface StatsStoreService {
  /** The database file (":memory:" when the config asks for one). */
  readonly file: string;
  readonly store: CallStore;
  /**
   * Runs in the close phase, after the last records were written (the agent's last interval
   * closed) and before the database closes: what is left can still be shipped from it.
   */
  afterFinalWrites(fn: () => void | Promise<void>): void;
}

export const StatsStore = serviceId<StatsStoreService>('stats-store');

/** How often the store notes that LineDesk is alive (the end given to what a crash leaves open). */
export const ALIVE_INTERVAL_MS = 15_000;

/** `store.path` as a file name: relative paths are relative to the config file's folder. */
export function storeFile(path: string, baseDir: string): string {
  return path === ':memory:' || isAbsolute(path) ? path : resolve(baseDir, path);
}

/**
 * Call records, agent state intervals and personal statistics in SQLite. It records every
 * event as it passes on the bus and closes the database only in the last phase of a stop
 * (onClose), after the calls were hung up and the agent went offline.
 *
 * A database that cannot be opened stops LineDesk at start with a message naming the
 * file; once running, a failing write is logged and retried, and calls go on.
 */
export const statsModule: CoreModule = {
  name: 'stats',
  provides: [StatsStore],
  install(host: CoreHost): void {
    const log = host.log.child('stats');
    const file = storeFile(host.config.store.path, host.baseDir);
    const store = CallStore.open(file, { synchronous: host.config.store.synchronous });
    try {
      const recovered = store.recoverInterrupted();
      if (recovered.calls > 0 || recovered.intervals > 0) log.warn('closed the calls and agent state a previous run left open (it did not stop cleanly)', { ...recovered });
      log.info('call records open', { file, synchronous: host.config.store.synchronous });
      const finals: (() => void | Promise<void>)[] = [];
      wire(host, store, finals);
      host.services.provide(StatsStore, { file, store, afterFinalWrites: (fn) => void finals.push(fn) });
    } catch (error) {
      store.close();
      throw error;
    }
  },
};

/** Recorders on the event bus, the query commands, the heartbeat and the cleanup at stop. */
function wire(host: CoreHost, store: CallStore, finals: readonly (() => void | Promise<void>)[]): void {
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

  host.onClose(async () => {
    alive.cancel();
    if (calls.liveCount > 0) log.warn('closing the call records with calls still open (they are closed as interrupted at the next start)', { calls: calls.liveCount });
    unsubscribe();
    try {
      intervals.close(now());
      writer.retryNow();
      touch();
      for (const fn of finals) {
        try {
          await fn();
        } catch (error) {
          log.warn('a module failed after the last writes', { error: error instanceof Error ? error.message : String(error) });
        }
      }
    } finally {
      writer.dispose();
      store.close();
    }
  });
}
