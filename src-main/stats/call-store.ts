import { protectDatabaseFiles } from './database-files.js';
import { migrate } from './migrations.js';
import type { AgentInterval } from './agent-interval.js';
import type { CallRecord } from './call-record.js';
import { localCallColumns, recordToRow, rowToRecord, type CallRow, type OfferRow } from './call-rows.js';
import { openSqlite, sqliteCode, type SqliteDatabase, type SqliteStatement } from './sqlite-driver.js';

export type Durability = 'NORMAL' | 'FULL';

/**
 * How long a write waits for another process holding the database's write lock. Short:
 * writes run on the main thread, and a call must not stall; a write that gives up is
 * retried by the durable writer.
 */
const BUSY_TIMEOUT_MS = 250;

/** The database could not be opened or brought to the current schema. */
export class StoreOpenError extends Error {
  override readonly name = 'StoreOpenError';
}

export interface RecoveryReport {
  /** Calls left ringing or up by a LineDesk that died; now ended at its last sign of life. */
  calls: number;
  intervals: number;
}

/**
 * The statistics database: SQLite in WAL mode, written at every state change. With WAL,
 * a committed transaction is in the WAL file before `run()` returns, so a crash or a
 * SIGKILL of LineDesk loses nothing committed; `synchronous=FULL` also fsyncs every commit,
 * so a power cut loses nothing either (NORMAL may lose the last commits on a power cut).
 *
 * Every write is one small transaction of idempotent upserts of an object's whole state
 * (ids are assigned here, not by SQLite), so a write retried later cannot duplicate a row
 * or store an older state over a newer one.
 */
export class CallStore {
  #nextCallId: number;
  #nextIntervalId: number;
  readonly #upsertCall: SqliteStatement;
  readonly #upsertOffer: SqliteStatement;
  readonly #upsertInterval: SqliteStatement;
  readonly #setMeta: SqliteStatement;
  readonly #saveCallTx: (rec: CallRecord) => void;
  readonly #saveAgentTx: (intervals: readonly AgentInterval[], calls: readonly CallRecord[]) => void;

  /** Opens (creating if needed) and migrates the database at `filename` (or ":memory:"). */
  static open(filename: string, opts: { synchronous: Durability } = { synchronous: 'NORMAL' }): CallStore {
    let db: SqliteDatabase | undefined;
    try {
      protectDatabaseFiles(filename);
      db = openSqlite(filename, { timeout: BUSY_TIMEOUT_MS });
      const mode = String(db.pragma('journal_mode = WAL', { simple: true }));
      if (mode !== 'wal' && filename !== ':memory:') throw new Error(`could not switch to WAL journaling (got "${mode}")`);
      protectDatabaseFiles(filename);
      db.pragma(`synchronous = ${opts.synchronous}`);
      db.pragma('foreign_keys = ON');
      migrate(db);
      return new CallStore(db);
    } catch (error) {
      try {
        db?.close();
      } catch {
        // already unusable
      }
      throw new StoreOpenError(`cannot open the statistics database ${filename}: ${describeOpenError(error)}`);
    }
  }

  private constructor(readonly db: SqliteDatabase) {
    const maxId = (sql: string): number => Number(db.prepare<{ m: number | null }>(sql).get()?.m ?? 0);
    this.#nextCallId = maxId('SELECT MAX(id) AS m FROM calls') + 1;
    this.#nextIntervalId = maxId('SELECT MAX(id) AS m FROM agent_intervals') + 1;
    const updates = localCallColumns.filter((c) => c !== 'id').map((c) => `${c} = excluded.${c}`);
    this.#upsertCall = db.prepare(
      `INSERT INTO calls (${localCallColumns.join(', ')}) VALUES (${localCallColumns.map((c) => `@${c}`).join(', ')})
       ON CONFLICT (id) DO UPDATE SET ${updates.join(', ')}`,
    );
    this.#upsertOffer = db.prepare(
      `INSERT INTO offers (call, seq, line, attempt, offered_at, ended_at, outcome, detail)
       VALUES (@call, @seq, @line, @attempt, @offered_at, @ended_at, @outcome, @detail)
       ON CONFLICT (call, seq) DO UPDATE SET ended_at = excluded.ended_at, outcome = excluded.outcome, detail = excluded.detail`,
    );
    this.#upsertInterval = db.prepare(
      `INSERT INTO agent_intervals (id, state, reason, started_at, ended_at, call) VALUES (@id, @state, @reason, @started_at, @ended_at, @call)
       ON CONFLICT (id) DO UPDATE SET ended_at = excluded.ended_at, call = excluded.call`,
    );
    this.#setMeta = db.prepare('INSERT INTO store_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    this.#saveCallTx = db.transaction((rec: CallRecord) => this.#writeCall(rec));
    this.#saveAgentTx = db.transaction((intervals: readonly AgentInterval[], calls: readonly CallRecord[]) => {
      for (const rec of calls) this.#writeCall(rec);
      for (const i of intervals) this.#upsertInterval.run({ id: i.id, state: i.state, reason: i.reason, started_at: i.startedAt, ended_at: i.endedAt, call: i.call?.id ?? null });
    });
  }

  get isOpen(): boolean {
    return this.db.open;
  }

  nextCallId(): number {
    return this.#nextCallId++;
  }

  nextIntervalId(): number {
    return this.#nextIntervalId++;
  }

  /** Saves a call's whole current state and its changed offer attempts, in one transaction. */
  saveCall(rec: CallRecord): void {
    this.#saveCallTx(rec);
    for (const a of rec.attempts) a.dirty = false;
  }

  /** Saves agent intervals (the one closing, the one opening) and the calls their wrap-up changed, in one transaction. */
  saveAgentChange(intervals: readonly AgentInterval[], calls: readonly CallRecord[] = []): void {
    this.#saveAgentTx(intervals, calls);
    for (const rec of calls) for (const a of rec.attempts) a.dirty = false;
  }

  /** The heartbeat: the last moment this LineDesk was known to run (for recovery after a crash). */
  touchAlive(at: number): void {
    this.#setMeta.run('alive_at', at);
  }

  /**
   * Closes what a LineDesk that died (crash, SIGKILL, power cut) left open: calls ringing
   * or up, offers, the agent's current state. Each ends at its own last known time or the
   * last heartbeat, whichever is later. Calls that were up stay `answered`; calls that were
   * ringing become `failed` (how they would have ended is unknown). Run once at start,
   * before any new call.
   */
  recoverInterrupted(): RecoveryReport {
    const db = this.db;
    return db.transaction((): RecoveryReport => {
      const alive = Number(db.prepare<{ value: number }>("SELECT value FROM store_meta WHERE key = 'alive_at'").get()?.value ?? 0);
      db.prepare(
        `UPDATE calls SET wrapup_ms = wrapup_ms + (
           SELECT SUM(MAX(i.started_at, @alive) - i.started_at) FROM agent_intervals i WHERE i.call = calls.id AND i.ended_at IS NULL AND i.state = 'wrapup')
         WHERE id IN (SELECT call FROM agent_intervals WHERE ended_at IS NULL AND state = 'wrapup' AND call IS NOT NULL)`,
      ).run({ alive });
      const intervals = db.prepare('UPDATE agent_intervals SET ended_at = MAX(started_at, @alive) WHERE ended_at IS NULL').run({ alive }).changes;
      db.prepare("UPDATE offers SET ended_at = MAX(offered_at, @alive), outcome = 'failed', detail = 'LineDesk stopped' WHERE ended_at IS NULL").run({ alive });
      const up = db
        .prepare(
          `UPDATE calls SET
             ended_at = MAX(answered_at, COALESCE(hold_since, 0), @alive),
             hold_ms = hold_ms + COALESCE(MAX(answered_at, hold_since, @alive) - hold_since, 0),
             hold_since = NULL,
             talk_ms = MAX(0, MAX(answered_at, COALESCE(hold_since, 0), @alive) - answered_at - hold_ms - COALESCE(MAX(answered_at, hold_since, @alive) - hold_since, 0)),
             disposition = 'answered', end_reason = 'failed', end_code = 0, end_detail = 'LineDesk stopped while the call was up'
           WHERE ended_at IS NULL AND answered_at IS NOT NULL`,
        )
        .run({ alive }).changes;
      const ringing = db
        .prepare(
          `UPDATE calls SET ended_at = MAX(offered_at, @alive), disposition = 'failed', end_reason = 'failed', end_code = 0,
             end_detail = 'LineDesk stopped while the call was ringing'
           WHERE ended_at IS NULL`,
        )
        .run({ alive }).changes;
      return { calls: up + ringing, intervals };
    })();
  }

  /** The latest record of a Call-ID, with its attempts (tests, diagnostics). */
  readCall(callId: string): CallRecord | undefined {
    const row = this.db.prepare<CallRow>('SELECT * FROM calls WHERE call_id = ? ORDER BY id DESC LIMIT 1').get(callId);
    if (!row) return undefined;
    return rowToRecord(row, this.db.prepare<OfferRow>('SELECT * FROM offers WHERE call = ? ORDER BY seq').all(row.id));
  }

  /** How many call records are stored. */
  countCalls(): number {
    return Number(this.db.prepare<{ n: number }>('SELECT COUNT(*) AS n FROM calls').get()?.n ?? 0);
  }

  /** Closes the database (idempotent). */
  close(): void {
    if (!this.db.open) return;
    this.db.close();
  }

  #writeCall(rec: CallRecord): void {
    this.#upsertCall.run({ ...recordToRow(rec) });
    for (const a of rec.attempts) {
      if (!a.dirty) continue;
      this.#upsertOffer.run({ call: rec.id, seq: a.seq, line: a.line, attempt: a.attempt, offered_at: a.offeredAt, ended_at: a.endedAt, outcome: a.outcome, detail: a.detail });
    }
  }
}

function describeOpenError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  switch (sqliteCode(error)) {
    case 'SQLITE_CANTOPEN':
      return `${message} (does the folder exist, and may LineDesk write there?)`;
    case 'SQLITE_NOTADB':
    case 'SQLITE_CORRUPT':
      return `${message} (the file is damaged or is not a LineDesk database: move it aside to start a new one)`;
    case 'SQLITE_FULL':
      return `${message} (the disk is full)`;
    case 'SQLITE_READONLY':
      return `${message} (the file or its folder is read-only)`;
    case 'EACCES':
    case 'EPERM':
      return `${message} (the file belongs to another user, or LineDesk may not write there)`;
    default:
      return message;
  }
}
