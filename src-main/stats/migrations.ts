import type { SqliteDatabase } from './sqlite-driver.js';

/**
 * The statistics database's schema, as an ordered list of migrations. `PRAGMA user_version`
 * holds the number of the last one applied; opening a database applies the missing ones in
 * order, each in its own transaction (a failure leaves the database at the previous
 * version). Never edit a released migration: add the next one.
 */
export interface Migration {
  readonly version: number;
  readonly description: string;
  up(db: SqliteDatabase): void;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'call records, their offer attempts, agent state intervals',
    up(db) {
      db.exec(`
        -- One row per call that reached the agent (queued, offered, or dialled out).
        -- Times are ms since the epoch; durations are ms.
        CREATE TABLE calls (
          id             INTEGER PRIMARY KEY,       -- assigned by LineDesk, so a retried write is the same row
          call_id        TEXT    NOT NULL,          -- SIP Call-ID
          direction      TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
          line           TEXT,                      -- the answering line, else the last line offered
          from_number    TEXT    NOT NULL,
          from_name      TEXT,
          called         TEXT    NOT NULL,
          offered_at     INTEGER NOT NULL,          -- first queued / offered / dialling
          offered_hour   INTEGER NOT NULL,          -- local hour of offered_at (0-23)
          answered_at    INTEGER,
          ended_at       INTEGER,
          disposition    TEXT    NOT NULL,
          decline_reason TEXT,
          end_reason     TEXT,
          end_code       INTEGER,
          end_detail     TEXT,
          queued_ms      INTEGER NOT NULL DEFAULT 0,
          talk_ms        INTEGER NOT NULL DEFAULT 0, -- answered to ended, without hold
          hold_ms        INTEGER NOT NULL DEFAULT 0,
          hold_since     INTEGER,                    -- on hold now: since when
          wrapup_ms      INTEGER NOT NULL DEFAULT 0,
          attempts       INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX calls_by_offered_at ON calls (offered_at);
        CREATE INDEX calls_by_call_id ON calls (call_id);

        -- Every offer of a call to a line.
        CREATE TABLE offers (
          call       INTEGER NOT NULL REFERENCES calls (id),
          seq        INTEGER NOT NULL,              -- 1, 2… in offer order
          line       TEXT    NOT NULL,
          attempt    INTEGER NOT NULL,              -- the dispatcher's attempt number
          offered_at INTEGER NOT NULL,
          ended_at   INTEGER,
          outcome    TEXT,                          -- null while ringing; answered, declined, timeout…
          detail     TEXT,
          PRIMARY KEY (call, seq)
        ) WITHOUT ROWID;

        -- The agent's state over time: pause reasons, logged-in time, wrap-up.
        CREATE TABLE agent_intervals (
          id         INTEGER PRIMARY KEY,
          state      TEXT    NOT NULL,
          reason     TEXT,
          started_at INTEGER NOT NULL,
          ended_at   INTEGER,                       -- null: the current state
          call       INTEGER REFERENCES calls (id)  -- wrap-up: the call it follows
        );
        CREATE INDEX agent_intervals_by_started_at ON agent_intervals (started_at);

        -- Small facts about the store itself (alive_at: the last heartbeat, for crash recovery).
        CREATE TABLE store_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
      `);
    },
  },
  {
    version: 2,
    description: 'call quality (last and worst MOS, loss, jitter)',
    up(db) {
      db.exec(`
        ALTER TABLE calls ADD COLUMN codec TEXT;
        ALTER TABLE calls ADD COLUMN mos_last REAL;
        ALTER TABLE calls ADD COLUMN mos_worst REAL;
        ALTER TABLE calls ADD COLUMN loss_last REAL;
        ALTER TABLE calls ADD COLUMN loss_worst REAL;
        ALTER TABLE calls ADD COLUMN jitter_last REAL;
        ALTER TABLE calls ADD COLUMN jitter_worst REAL;
        ALTER TABLE calls ADD COLUMN rtt_last REAL;
      `);
    },
  },
  {
    version: 3,
    description: 'per-day figures kept up to date by triggers, so statistics over long periods read a few rows per day',
    up(db) {
      db.exec(`
        -- Sums of call figures per UTC day (offered_at / 86400000), in four breakdowns (dim):
        --   d  key "direction:disposition": calls, Σ(answered_at − offered_at), talk, hold, wrap-up
        --   h  key local hour of day, inbound calls
        --   l  key line: inbound calls, inbound answered (or up), talk of every call on the line
        --   r  key decline reason ('' for none), inbound declined calls
        -- Triggers on calls keep it exact, in the same transaction as each write.
        CREATE TABLE call_day_figures (
          day         INTEGER NOT NULL,
          dim         TEXT    NOT NULL,
          key         TEXT    NOT NULL,
          calls       INTEGER NOT NULL DEFAULT 0,
          answered    INTEGER NOT NULL DEFAULT 0,
          answer_wait INTEGER NOT NULL DEFAULT 0,
          talk_ms     INTEGER NOT NULL DEFAULT 0,
          hold_ms     INTEGER NOT NULL DEFAULT 0,
          wrapup_ms   INTEGER NOT NULL DEFAULT 0,
          PRIMARY KEY (day, dim, key)
        ) WITHOUT ROWID;

        -- Calls ringing or up: the only ones whose talk and hold grow without a write.
        CREATE INDEX calls_live_by_offered_at ON calls (offered_at) WHERE ended_at IS NULL;

        INSERT INTO call_day_figures (day, dim, key, calls, answered, answer_wait, talk_ms, hold_ms, wrapup_ms)
          SELECT offered_at / 86400000, 'd', direction || ':' || disposition, COUNT(*), 0,
                 SUM(IFNULL(answered_at - offered_at, 0)), SUM(talk_ms), SUM(hold_ms), SUM(wrapup_ms)
            FROM calls GROUP BY offered_at / 86400000, direction, disposition;
        INSERT INTO call_day_figures (day, dim, key, calls)
          SELECT offered_at / 86400000, 'h', offered_hour, COUNT(*)
            FROM calls WHERE direction = 'in' GROUP BY offered_at / 86400000, offered_hour;
        INSERT INTO call_day_figures (day, dim, key, calls, answered, talk_ms)
          SELECT offered_at / 86400000, 'l', line, SUM(direction = 'in'), SUM(direction = 'in' AND disposition IN ('answered', 'active')), SUM(talk_ms)
            FROM calls WHERE line IS NOT NULL GROUP BY offered_at / 86400000, line;
        INSERT INTO call_day_figures (day, dim, key, calls)
          SELECT offered_at / 86400000, 'r', IFNULL(decline_reason, ''), COUNT(*)
            FROM calls WHERE direction = 'in' AND disposition = 'declined' GROUP BY offered_at / 86400000, IFNULL(decline_reason, '');

        CREATE TRIGGER calls_figures_insert AFTER INSERT ON calls BEGIN
          ${dayFigures('NEW', 1)}
        END;
        CREATE TRIGGER calls_figures_update AFTER UPDATE ON calls
          WHEN OLD.offered_at IS NOT NEW.offered_at OR OLD.direction IS NOT NEW.direction OR OLD.disposition IS NOT NEW.disposition
            OR OLD.line IS NOT NEW.line OR OLD.offered_hour IS NOT NEW.offered_hour OR OLD.decline_reason IS NOT NEW.decline_reason
            OR OLD.answered_at IS NOT NEW.answered_at OR OLD.talk_ms IS NOT NEW.talk_ms OR OLD.hold_ms IS NOT NEW.hold_ms
            OR OLD.wrapup_ms IS NOT NEW.wrapup_ms
        BEGIN
          ${dayFigures('OLD', -1)}
          ${dayFigures('NEW', 1)}
        END;
        CREATE TRIGGER calls_figures_delete AFTER DELETE ON calls BEGIN
          ${dayFigures('OLD', -1)}
        END;
      `);
    },
  },
  {
    version: 4,
    description: 'whether the call was encrypted (SRTP)',
    up(db) {
      db.exec(`
        -- 1: SRTP for all of the call LineDesk reported on; 0: plain RTP for some or all of it;
        -- NULL: no media was reported (never answered, or a record from before version 4).
        ALTER TABLE calls ADD COLUMN encrypted INTEGER;
      `);
    },
  },
  {
    version: 5,
    description: 'webhook deliveries waiting for their receiver (integrations/webhook-outbox.ts)',
    up(db) {
      db.exec(`
        -- Events still to POST, per webhook (hook: its URL), in order. AUTOINCREMENT: a seq is
        -- never reused, so it orders deliveries across restarts and receivers may compare them.
        CREATE TABLE webhook_outbox (
          seq      INTEGER PRIMARY KEY AUTOINCREMENT,
          hook     TEXT    NOT NULL,
          delivery TEXT    NOT NULL,          -- the delivery id (X-LineDesk-Delivery), the same on every retry
          event    TEXT    NOT NULL,          -- the event name (X-LineDesk-Event)
          body     TEXT    NOT NULL,          -- the exact JSON posted
          at       INTEGER NOT NULL           -- when it was queued, ms
        );
        CREATE INDEX webhook_outbox_by_hook ON webhook_outbox (hook, seq);
      `);
    },
  },
  {
    version: 6,
    description: 'the file of the call\'s recording',
    up(db) {
      db.exec(`
        -- The path of the call's recording (its last part, when it was recorded in parts); NULL: not recorded.
        ALTER TABLE calls ADD COLUMN recording TEXT;
      `);
    },
  },
];

/** Version 3's trigger body: adds (sign 1) or takes away (sign −1) one call row's share of call_day_figures. */
function dayFigures(row: 'NEW' | 'OLD', sign: 1 | -1): string {
  const upsert = `ON CONFLICT (day, dim, key) DO UPDATE SET calls = calls + excluded.calls, answered = answered + excluded.answered,
      answer_wait = answer_wait + excluded.answer_wait, talk_ms = talk_ms + excluded.talk_ms, hold_ms = hold_ms + excluded.hold_ms,
      wrapup_ms = wrapup_ms + excluded.wrapup_ms;`;
  const r = row;
  const s = sign;
  return `
    INSERT INTO call_day_figures (day, dim, key, calls, answered, answer_wait, talk_ms, hold_ms, wrapup_ms)
      SELECT ${r}.offered_at / 86400000, 'd', ${r}.direction || ':' || ${r}.disposition, ${s}, 0,
             ${s} * IFNULL(${r}.answered_at - ${r}.offered_at, 0), ${s} * ${r}.talk_ms, ${s} * ${r}.hold_ms, ${s} * ${r}.wrapup_ms
      WHERE true ${upsert}
    INSERT INTO call_day_figures (day, dim, key, calls, answered, answer_wait, talk_ms, hold_ms, wrapup_ms)
      SELECT ${r}.offered_at / 86400000, 'h', ${r}.offered_hour, ${s}, 0, 0, 0, 0, 0
      WHERE ${r}.direction = 'in' ${upsert}
    INSERT INTO call_day_figures (day, dim, key, calls, answered, answer_wait, talk_ms, hold_ms, wrapup_ms)
      SELECT ${r}.offered_at / 86400000, 'l', ${r}.line, ${s} * (${r}.direction = 'in'),
             ${s} * (${r}.direction = 'in' AND ${r}.disposition IN ('answered', 'active')), 0, ${s} * ${r}.talk_ms, 0, 0
      WHERE ${r}.line IS NOT NULL ${upsert}
    INSERT INTO call_day_figures (day, dim, key, calls, answered, answer_wait, talk_ms, hold_ms, wrapup_ms)
      SELECT ${r}.offered_at / 86400000, 'r', IFNULL(${r}.decline_reason, ''), ${s}, 0, 0, 0, 0, 0
      WHERE ${r}.direction = 'in' AND ${r}.disposition = 'declined' ${upsert}`;
}

export function schemaVersion(db: SqliteDatabase): number {
  return Number(db.pragma('user_version', { simple: true }) ?? 0);
}

/**
 * Brings `db` to the last version of `list`. Returns the versions before and after. A
 * database newer than this LineDesk is refused rather than misread.
 */
export function migrate(db: SqliteDatabase, list: readonly Migration[] = migrations): { from: number; to: number } {
  list.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration list out of order: entry ${i} has version ${m.version}`);
  });
  const from = schemaVersion(db);
  const latest = list.length;
  if (from > latest) throw new Error(`the database has schema version ${from}, newer than this LineDesk knows (${latest}); use a newer LineDesk or another store.path`);
  for (const m of list.slice(from)) {
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return { from, to: latest };
}
