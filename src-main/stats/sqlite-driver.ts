import { createRequire } from 'node:module';

/**
 * The part of better-sqlite3 LineDesk uses, typed here (the package ships no types and we
 * add no @types dependency). better-sqlite3 is synchronous: each call runs to completion
 * on the main thread, which is what makes "one event, one small transaction" simple.
 */
export type SqlValue = number | string | bigint | Buffer | null;
/** Positional values, an array of them, or an object of named values (@name in the SQL). */
export type SqlParams = Record<string, SqlValue> | SqlValue[] | SqlValue;

export interface SqliteRunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

export interface SqliteStatement<Row = Record<string, SqlValue>> {
  run(...params: SqlParams[]): SqliteRunResult;
  get(...params: SqlParams[]): Row | undefined;
  all(...params: SqlParams[]): Row[];
  iterate(...params: SqlParams[]): IterableIterator<Row>;
}

export interface SqliteDatabase {
  readonly open: boolean;
  readonly inTransaction: boolean;
  readonly name: string;
  prepare<Row = Record<string, SqlValue>>(sql: string): SqliteStatement<Row>;
  exec(sql: string): SqliteDatabase;
  pragma(source: string, options: { simple: true }): SqlValue | undefined;
  pragma(source: string): unknown;
  /** Wraps `fn` in BEGIN/COMMIT; an exception rolls back and is rethrown. */
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
  close(): SqliteDatabase;
}

export interface SqliteOpenOptions {
  readonly?: boolean;
  fileMustExist?: boolean;
  /** ms to wait on a locked database before SQLITE_BUSY. */
  timeout?: number;
}

type SqliteConstructor = new (filename: string, options?: SqliteOpenOptions) => SqliteDatabase;

let driver: SqliteConstructor | undefined;

/** Opens a database file (or ":memory:"). Throws better-sqlite3's SqliteError on failure. */
export function openSqlite(filename: string, options: SqliteOpenOptions = {}): SqliteDatabase {
  driver ??= createRequire(import.meta.url)('better-sqlite3') as SqliteConstructor;
  return new driver(filename, options);
}

/** The SQLite error code (SQLITE_FULL, SQLITE_NOTADB…) of a better-sqlite3 error, if any. */
export function sqliteCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof (error).code === 'string') return (error as { code: string }).code;
  return undefined;
}
