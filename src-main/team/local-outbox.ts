import { randomUUID } from 'node:crypto';
import { callColumns, type AgentIntervalRow, type CallRow, type OfferRow } from '../stats/call-rows.js';
import { openSqlite, type SqliteDatabase, type SqliteStatement } from '../stats/sqlite-driver.js';

/** One entry of the outbox: something changed locally and must reach the team database. */
export interface OutboxEntry {
  seq: number;
  kind: 'call' | 'interval' | 'line';
  ref: string;
  /** When it was queued (ms since the epoch). */
  at: number;
}

export interface LineStateRow {
  line: string;
  state: string;
  since: number;
}

/** What one batch ships: the current state of everything its entries name. */
export interface OutboxBatch {
  /** The last entry it covers: once shipped, every entry up to here is done. */
  lastSeq: number;
  entries: number;
  oldestAt: number;
  calls: CallRow[];
  offers: OfferRow[];
  intervals: AgentIntervalRow[];
  lines: LineStateRow[];
}

/** ms since the epoch, in SQL (SQLite ≥ 3.42). */
const NOW_MS = "CAST(unixepoch('subsec') * 1000 AS INTEGER)";
const ENABLED = "(SELECT value FROM team_meta WHERE key = 'enabled') = '1'";

/**
 * The desk's side of replication, in the same SQLite file as the call records (the stats
 * store). Triggers on `calls`, `offers` and `agent_intervals` queue an outbox entry in the
 * same transaction as each change the stats module writes, so a change is either both
 * saved and queued, or neither: a crash, a SIGKILL or a database that is away loses
 * nothing. The shipper reads the *current* state of what the entries name (a call changed
 * ten times ships once, as it is now) and deletes the entries only after the team database
 * committed them. The triggers live in the file and fire only while `team_meta.enabled`
 * is 1, so a desk whose team settings are removed stops queueing.
 *
 * Opened on its own connection (WAL lets it share the file with the stats module's).
 */
export class LocalOutbox {
  readonly #next: SqliteStatement<OutboxEntry>;
  readonly #count: SqliteStatement<{ n: number; oldest: number | null }>;
  readonly #calls: SqliteStatement<CallRow>;
  readonly #offers: SqliteStatement<OfferRow>;
  readonly #intervals: SqliteStatement<AgentIntervalRow>;
  readonly #lines: SqliteStatement<LineStateRow>;
  readonly #done: SqliteStatement;
  readonly #saveLine: (row: LineStateRow) => void;
  /** This desk's id in the team database (made once, kept in the file). */
  readonly deskId: string;

  /**
   * Opens the store file (which the stats module has already created and migrated), adds
   * the outbox tables and triggers if missing, and turns queueing on. The first time (or
   * after a time with it off) everything already in the store is queued, so the team
   * database gets the desk's whole history.
   */
  static open(file: string): { outbox: LocalOutbox; backfilled: number } {
    const db = openSqlite(file, { timeout: 250 });
    try {
      db.pragma('journal_mode = WAL');
      const backfilled = db.transaction(() => {
        createTables(db);
        const meta = (key: string): string | undefined => db.prepare<{ value: string }>('SELECT value FROM team_meta WHERE key = ?').get(key)?.value;
        const setMeta = db.prepare('INSERT INTO team_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
        if (meta('desk_id') === undefined) setMeta.run('desk_id', randomUUID());
        if (meta('enabled') === '1') return 0;
        setMeta.run('enabled', '1');
        const calls = db.prepare(`INSERT INTO team_outbox (kind, ref, at) SELECT 'call', id, ${NOW_MS} FROM calls ORDER BY id`).run().changes;
        const intervals = db.prepare(`INSERT INTO team_outbox (kind, ref, at) SELECT 'interval', id, ${NOW_MS} FROM agent_intervals ORDER BY id`).run().changes;
        return calls + intervals;
      })();
      return { outbox: new LocalOutbox(db), backfilled };
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /**
   * A desk without team settings: if this file queued for a team database before, stop
   * queueing (what is queued stays; the whole history is queued again when it comes back).
   */
  static disable(file: string): boolean {
    const db = openSqlite(file, { timeout: 250, fileMustExist: true });
    try {
      const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'team_meta'").get();
      if (!has) return false;
      return db.prepare("UPDATE team_meta SET value = '0' WHERE key = 'enabled' AND value <> '0'").run().changes > 0;
    } finally {
      db.close();
    }
  }

  private constructor(private readonly db: SqliteDatabase) {
    this.deskId = String(db.prepare<{ value: string }>("SELECT value FROM team_meta WHERE key = 'desk_id'").get()?.value);
    this.#next = db.prepare<OutboxEntry>('SELECT seq, kind, ref, at FROM team_outbox ORDER BY seq LIMIT ?');
    this.#count = db.prepare<{ n: number; oldest: number | null }>('SELECT COUNT(*) AS n, MIN(at) AS oldest FROM team_outbox');
    const inList = (col: string): string => `${col} IN (SELECT value FROM json_each(?))`;
    // The team's columns only: the recording's path stays on the desk.
    this.#calls = db.prepare<CallRow>(`SELECT ${callColumns.join(', ')} FROM calls WHERE ${inList('id')}`);
    this.#offers = db.prepare<OfferRow>(`SELECT * FROM offers WHERE ${inList('call')}`);
    this.#intervals = db.prepare<AgentIntervalRow>(`SELECT * FROM agent_intervals WHERE ${inList('id')}`);
    this.#lines = db.prepare<LineStateRow>(`SELECT line, state, since FROM team_line_states WHERE ${inList('line')}`);
    this.#done = db.prepare('DELETE FROM team_outbox WHERE seq <= ?');
    const upsertLine = db.prepare('INSERT INTO team_line_states (line, state, since) VALUES (@line, @state, @since) ON CONFLICT (line) DO UPDATE SET state = excluded.state, since = excluded.since');
    const queue = db.prepare(`INSERT INTO team_outbox (kind, ref, at) VALUES ('line', ?, ${NOW_MS})`);
    this.#saveLine = db.transaction((row: LineStateRow) => {
      upsertLine.run({ ...row });
      queue.run(row.line);
    });
  }

  /** A line's registration changed: saved and queued in one transaction. */
  saveLineState(row: LineStateRow): void {
    this.#saveLine(row);
  }

  /** Entries waiting, and how old the oldest is. */
  pending(): { count: number; oldestAt: number | null } {
    const r = this.#count.get();
    return { count: Number(r?.n ?? 0), oldestAt: r?.oldest ?? null };
  }

  /**
   * The next batch: up to `max` entries in queue order, with the current state of what they
   * name. Read in one go on the main thread, so no change slips between the entries and the
   * rows: a change after this read queues a new entry, after `lastSeq`.
   */
  nextBatch(max: number): OutboxBatch | undefined {
    const entries = this.#next.all(max);
    if (entries.length === 0) return undefined;
    const calls = new Set<string>();
    const intervals = new Set<string>();
    const lines = new Set<string>();
    for (const e of entries) (e.kind === 'call' ? calls : e.kind === 'interval' ? intervals : lines).add(String(e.ref));
    const callIds = JSON.stringify([...calls].map(Number));
    return {
      lastSeq: entries[entries.length - 1]!.seq,
      entries: entries.length,
      oldestAt: Math.min(...entries.map((e) => e.at)),
      calls: calls.size ? this.#calls.all(callIds) : [],
      offers: calls.size ? this.#offers.all(callIds) : [],
      intervals: intervals.size ? this.#intervals.all(JSON.stringify([...intervals].map(Number))) : [],
      lines: lines.size ? this.#lines.all(JSON.stringify([...lines])) : [],
    };
  }

  /** The team database committed everything up to `lastSeq`. */
  shipped(lastSeq: number): void {
    this.#done.run(lastSeq);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function createTables(db: SqliteDatabase): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS team_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    -- What must still reach the team database, in order. AUTOINCREMENT: a seq is never reused.
    CREATE TABLE IF NOT EXISTS team_outbox (
      seq  INTEGER PRIMARY KEY AUTOINCREMENT,
      kind TEXT    NOT NULL,          -- call (with its offers), interval, line
      ref  TEXT    NOT NULL,          -- calls.id, agent_intervals.id, or the line id
      at   INTEGER NOT NULL           -- when it was queued, ms
    );
    -- The registration state of each line, as last seen (supervisors see it).
    CREATE TABLE IF NOT EXISTS team_line_states (line TEXT PRIMARY KEY, state TEXT NOT NULL, since INTEGER NOT NULL) WITHOUT ROWID;

    CREATE TRIGGER IF NOT EXISTS team_queue_call_insert AFTER INSERT ON calls WHEN ${ENABLED}
      BEGIN INSERT INTO team_outbox (kind, ref, at) VALUES ('call', NEW.id, ${NOW_MS}); END;
    CREATE TRIGGER IF NOT EXISTS team_queue_call_update AFTER UPDATE ON calls WHEN ${ENABLED}
      BEGIN INSERT INTO team_outbox (kind, ref, at) VALUES ('call', NEW.id, ${NOW_MS}); END;
    CREATE TRIGGER IF NOT EXISTS team_queue_offer_insert AFTER INSERT ON offers WHEN ${ENABLED}
      BEGIN INSERT INTO team_outbox (kind, ref, at) VALUES ('call', NEW.call, ${NOW_MS}); END;
    CREATE TRIGGER IF NOT EXISTS team_queue_offer_update AFTER UPDATE ON offers WHEN ${ENABLED}
      BEGIN INSERT INTO team_outbox (kind, ref, at) VALUES ('call', NEW.call, ${NOW_MS}); END;
    CREATE TRIGGER IF NOT EXISTS team_queue_interval_insert AFTER INSERT ON agent_intervals WHEN ${ENABLED}
      BEGIN INSERT INTO team_outbox (kind, ref, at) VALUES ('interval', NEW.id, ${NOW_MS}); END;
    CREATE TRIGGER IF NOT EXISTS team_queue_interval_update AFTER UPDATE ON agent_intervals WHEN ${ENABLED}
      BEGIN INSERT INTO team_outbox (kind, ref, at) VALUES ('interval', NEW.id, ${NOW_MS}); END;
  `);
}
