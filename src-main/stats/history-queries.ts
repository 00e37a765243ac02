import type { CallRecordView } from '../contract/control-events.js';
import { rowToView, type CallRow } from './call-rows.js';
import type { SqliteDatabase, SqliteStatement } from './sqlite-driver.js';
import type { StatsRange } from './stats-range.js';

export interface HistoryQuery {
  /** Part of the caller's number or name, or of the number dialled (case-insensitive). */
  query?: string;
  /** At most this many records (default 50). */
  limit?: number;
  /** Only calls offered before this time (paging: pass the last offeredAt seen). */
  before?: number;
}

export const DEFAULT_HISTORY_LIMIT = 50;

/** The call history list (newest first, searchable) and the rows of a period for export. */
export class HistoryQueries {
  readonly #recent: SqliteStatement<CallRow>;
  readonly #search: SqliteStatement<CallRow>;
  readonly #inRange: SqliteStatement<CallRow>;

  constructor(db: SqliteDatabase) {
    // offered_at DESC, id DESC walks the offered_at index backwards (it holds the rowid): no sort.
    this.#recent = db.prepare<CallRow>('SELECT * FROM calls WHERE offered_at < @before ORDER BY offered_at DESC, id DESC LIMIT @limit');
    this.#search = db.prepare<CallRow>(
      `SELECT * FROM calls
        WHERE offered_at < @before
          AND (from_number LIKE @pattern ESCAPE '\\' OR from_name LIKE @pattern ESCAPE '\\' OR called LIKE @pattern ESCAPE '\\')
        ORDER BY offered_at DESC, id DESC LIMIT @limit`,
    );
    this.#inRange = db.prepare<CallRow>('SELECT * FROM calls WHERE offered_at >= @from AND offered_at < @to ORDER BY offered_at, id');
  }

  history(q: HistoryQuery = {}): CallRecordView[] {
    const before = q.before ?? Number.MAX_SAFE_INTEGER;
    const limit = q.limit ?? DEFAULT_HISTORY_LIMIT;
    const text = q.query?.trim();
    const rows = text ? this.#search.all({ before, limit, pattern: `%${escapeLike(text)}%` }) : this.#recent.all({ before, limit });
    return rows.map(rowToView);
  }

  /** Every record of a period, oldest first. */
  recordsIn(range: StatsRange): IterableIterator<CallRow> {
    return this.#inRange.iterate({ from: range.from, to: range.to });
  }
}

/** Makes `%`, `_` and `\` match themselves in a LIKE pattern (ESCAPE '\'). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
