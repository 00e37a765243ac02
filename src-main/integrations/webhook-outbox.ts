import type { SqliteDatabase, SqliteStatement } from '../stats/sqlite-driver.js';

/** One event waiting for a webhook's receiver. */
export interface QueuedDelivery {
  /** Orders deliveries (never reused, also across restarts); sent as X-LineDesk-Sequence. */
  seq: number;
  /** The delivery id, the same on every attempt: receivers deduplicate by it. */
  delivery: string;
  event: string;
  /** The exact JSON posted (and signed). */
  body: string;
  /** When it was queued, ms since the epoch. */
  at: number;
}

/**
 * The webhooks' queue, in the desk's SQLite store (table `webhook_outbox`, migration 5),
 * so what a receiver has not taken survives a restart or a crash. Each webhook (keyed by
 * its URL) is bounded: past `maxPending` the oldest of its events are dropped, and `add`
 * says how many, for the caller to count and log. Writes are single small statements on
 * the main thread, as the stats module's are.
 */
export class WebhookOutbox {
  readonly #insert: SqliteStatement;
  readonly #trim: SqliteStatement;
  readonly #head: SqliteStatement<QueuedDelivery>;
  readonly #done: SqliteStatement;
  readonly #count: SqliteStatement<{ n: number }>;
  readonly #add: (hook: string, entry: Omit<QueuedDelivery, 'seq'>, maxPending: number) => number;
  /** Entries per webhook, counted once from the table and then kept here. */
  readonly #counts = new Map<string, number>();

  constructor(private readonly db: SqliteDatabase) {
    this.#insert = db.prepare('INSERT INTO webhook_outbox (hook, delivery, event, body, at) VALUES (@hook, @delivery, @event, @body, @at)');
    this.#trim = db.prepare('DELETE FROM webhook_outbox WHERE seq IN (SELECT seq FROM webhook_outbox WHERE hook = ? ORDER BY seq LIMIT ?)');
    this.#head = db.prepare<QueuedDelivery>('SELECT seq, delivery, event, body, at FROM webhook_outbox WHERE hook = ? ORDER BY seq LIMIT 1');
    this.#done = db.prepare('DELETE FROM webhook_outbox WHERE seq = ?');
    this.#count = db.prepare<{ n: number }>('SELECT COUNT(*) AS n FROM webhook_outbox WHERE hook = ?');
    this.#add = db.transaction((hook: string, entry: Omit<QueuedDelivery, 'seq'>, maxPending: number): number => {
      const count = this.pending(hook) + 1;
      this.#insert.run({ hook, delivery: entry.delivery, event: entry.event, body: entry.body, at: entry.at });
      const excess = count - maxPending;
      const dropped = excess > 0 ? this.#trim.run(hook, excess).changes : 0;
      this.#counts.set(hook, count - dropped);
      return dropped;
    });
  }

  /** Queues one event; returns how many of the webhook's oldest were dropped to stay within `maxPending`. */
  add(hook: string, entry: Omit<QueuedDelivery, 'seq'>, maxPending: number): number {
    return this.#add(hook, entry, maxPending);
  }

  /** The oldest event waiting for this webhook. */
  head(hook: string): QueuedDelivery | undefined {
    return this.#head.get(hook);
  }

  /** The receiver took it (or refused it for good): it leaves the queue. */
  done(hook: string, seq: number): void {
    // It may be gone already: dropped by the cap while it was in flight.
    const removed = this.#done.run(seq).changes;
    if (removed > 0) this.#counts.set(hook, Math.max(0, this.pending(hook) - removed));
  }

  pending(hook: string): number {
    let n = this.#counts.get(hook);
    if (n === undefined) {
      n = Number(this.#count.get(hook)?.n ?? 0);
      this.#counts.set(hook, n);
    }
    return n;
  }

  /** Deletes what webhooks no longer in the config left behind; returns how many. */
  forgetAllBut(hooks: readonly string[]): number {
    this.#counts.clear();
    return this.db.prepare('DELETE FROM webhook_outbox WHERE hook NOT IN (SELECT value FROM json_each(?))').run(JSON.stringify(hooks)).changes;
  }
}
