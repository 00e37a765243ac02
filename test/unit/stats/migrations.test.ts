import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CallStore } from '../../../src-main/stats/call-store.js';
import { migrate, migrations, schemaVersion, type Migration } from '../../../src-main/stats/migrations.js';
import { openSqlite } from '../../../src-main/stats/sqlite-driver.js';
import { StatsQueries } from '../../../src-main/stats/stats-queries.js';

const dir = mkdtempSync(join(tmpdir(), 'linedesk-migrations-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const DAY = 86_400_000;
const base = Date.UTC(2024, 4, 6);

describe('schema migrations', () => {
  test('a new database is brought to the last version, one transaction per migration', () => {
    const db = openSqlite(':memory:');
    assert.deepEqual(migrate(db), { from: 0, to: migrations.length });
    assert.equal(schemaVersion(db), migrations.length);
    assert.deepEqual(migrate(db), { from: migrations.length, to: migrations.length }, 'a second run does nothing');
    db.close();
  });

  test('a version-1 database with calls in it opens with CallStore: migrated, data kept, per-day sums built from the old rows', () => {
    const file = join(dir, 'v1.sqlite');
    const old = openSqlite(file);
    migrate(old, migrations.slice(0, 1));
    assert.equal(schemaVersion(old), 1);
    const insert = old.prepare(
      `INSERT INTO calls (id, call_id, direction, line, from_number, called, offered_at, offered_hour, answered_at, ended_at, disposition, decline_reason, talk_ms, hold_ms, wrapup_ms, attempts)
       VALUES (?, ?, 'in', ?, '555', '600', ?, 9, ?, ?, ?, ?, ?, 0, ?, 1)`,
    );
    insert.run(1, 'old-1', 'l1', base + 1_000, base + 4_000, base + 64_000, 'answered', null, 60_000, 10_000);
    insert.run(2, 'old-2', 'l2', base + DAY + 1_000, null, base + DAY + 16_000, 'declined', 'busy', 0, 0);
    insert.run(3, 'old-3', 'l1', base + DAY + 2_000, null, base + DAY + 17_000, 'missed', null, 0, 0);
    old.prepare("INSERT INTO offers (call, seq, line, attempt, offered_at, ended_at, outcome) VALUES (1, 1, 'l1', 1, ?, ?, 'answered')").run(base + 1_000, base + 4_000);
    old.prepare("INSERT INTO agent_intervals (id, state, started_at, ended_at) VALUES (1, 'available', ?, ?)").run(base, base + 2 * DAY);
    old.close();

    const store = CallStore.open(file, { synchronous: 'NORMAL' });
    try {
      assert.equal(schemaVersion(store.db), migrations.length);
      const r = store.readCall('old-1');
      assert.ok(r);
      assert.deepEqual([r.disposition, r.talkMs, r.wrapupMs, r.attempts.length, r.quality.mosWorst], ['answered', 60_000, 10_000, 1, null], 'version-2 quality columns are empty');
      const viaDays = new StatsQueries(store.db).summary({ from: base, to: base + 2 * DAY }, base + 3 * DAY, { wholeDays: true });
      const viaCalls = new StatsQueries(store.db).summary({ from: base, to: base + 2 * DAY }, base + 3 * DAY, { wholeDays: false });
      assert.deepEqual(viaDays, viaCalls);
      assert.deepEqual([viaDays.offered, viaDays.answered, viaDays.declined, viaDays.missed, viaDays.talkMs], [3, 1, 1, 1, 60_000]);
      assert.deepEqual(viaDays.declinedByReason, { busy: 1 });
      // New records continue after the old ids, and keep the per-day sums in step.
      assert.equal(store.nextCallId(), 4);
    } finally {
      store.close();
    }
  });

  test('a failing migration rolls back: the version and the schema stay as they were', () => {
    const db = openSqlite(':memory:');
    const broken: Migration[] = [
      ...migrations,
      {
        version: migrations.length + 1,
        description: 'broken on purpose',
        up(d) {
          d.exec('CREATE TABLE half_done (x INTEGER)');
          d.exec('THIS IS NOT SQL');
        },
      },
    ];
    assert.throws(() => migrate(db, broken), /syntax error/);
    assert.equal(schemaVersion(db), migrations.length);
    assert.equal(db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'half_done'").get()?.n, 0);
    db.close();
  });

  test('a database from a newer LineDesk is refused with a clear message', () => {
    const file = join(dir, 'newer.sqlite');
    const db = openSqlite(file);
    db.pragma('user_version = 99');
    db.close();
    assert.throws(() => CallStore.open(file), new RegExp(`cannot open the statistics database .*newer\\.sqlite: the database has schema version 99, newer than this LineDesk knows \\(${migrations.length}\\)`));
  });

  test('migrations are numbered 1, 2, 3… in order', () => {
    assert.deepEqual(
      migrations.map((m) => m.version),
      migrations.map((_, i) => i + 1),
    );
    assert.throws(() => migrate(openSqlite(':memory:'), [{ version: 2, description: 'x', up: () => {} }]), /out of order/);
  });
});
