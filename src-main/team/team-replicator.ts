import pg from 'pg';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { LocalOutbox } from './local-outbox.js';
import type { SyncReport } from './sync-status.js';
import { explainPgError } from './pg-errors.js';
import { shipBatch, touchDesk, upsertDesk, type DeskIdentity } from './team-upserts.js';

/** Entries per batch: big enough to catch up fast, small enough for a short transaction. */
const BATCH_ENTRIES = 2_000;
/** How often an idle desk tells the database it is alive. */
const HEARTBEAT_MS = 15_000;
/** A backlog older than this is reported (`behind`); a change shipped at once is not news. */
const BEHIND_AFTER_MS = 1_000;
/** The first wait after a failure; it doubles up to `retryMaxMs`. */
const RETRY_MIN_MS = 250;

export interface ReplicatorOptions {
  outbox: LocalOutbox;
  me: DeskIdentity;
  connection: pg.ClientConfig;
  clock: Clock;
  log: Logger;
  retryMaxMs: number;
  report(r: SyncReport): void;
}

/**
 * Ships the outbox to the team database, in order, one batch per transaction, and deletes
 * the entries only once the database has committed them: at least once, and idempotent
 * on the server (desk id + local id), so nothing is lost and nothing counted twice. Runs
 * until stopped; the database going away (or refusing us, or lacking the schema) is
 * reported as `offline` and retried with a growing wait, the outbox keeps growing on disk
 * meanwhile. Woken by `kick()` when the desk writes something, so a change reaches the
 * database in milliseconds.
 */
export class TeamReplicator {
  #client: pg.Client | undefined;
  #running = false;
  #stopping = false;
  #wake: (() => void) | undefined;
  #kicked = false;
  #retryMs = RETRY_MIN_MS;
  #lastBeat = 0;
  #loop: Promise<void> | undefined;
  /** Connected since the last look at the outbox: what waits now is a backlog, reported as such. */
  #justConnected = false;
  /** Records shipped since start (tests, bench). */
  shippedEntries = 0;

  constructor(private readonly opts: ReplicatorOptions) {}

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Something was queued: ship it now rather than at the next poll. */
  kick(): void {
    this.#kicked = true;
    this.#wake?.();
  }

  /**
   * Stops: ships what is queued for at most `graceMs` (the desk's last state reaches the
   * supervisors), then disconnects. What is left stays in the outbox for the next start.
   */
  async stop(graceMs: number): Promise<void> {
    if (!this.#running) return;
    const deadline = this.opts.clock.now() + graceMs;
    this.kick();
    while (this.#connected && this.opts.outbox.pending().count > 0 && this.opts.clock.now() < deadline) {
      await new Promise<void>((resolve) => this.opts.clock.setTimeout(resolve, 20));
    }
    this.#stopping = true;
    this.#wake?.();
    await this.#loop;
    this.#running = false;
  }

  get #connected(): boolean {
    return this.#client !== undefined;
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      try {
        const client = await this.#connect();
        const moved = await this.#shipSome(client);
        if (moved) continue;
        await this.#idle(client);
      } catch (error) {
        await this.#disconnect();
        if (this.#stopping) break;
        const pending = this.opts.outbox.pending();
        this.opts.report({ state: 'offline', pending: pending.count, lagMs: lagOf(pending.oldestAt, this.opts.clock.wallNow()), reason: explainPgError(error) });
        await this.#sleep(this.#retryMs);
        this.#retryMs = Math.min(this.#retryMs * 2, this.opts.retryMaxMs);
      }
    }
    await this.#disconnect();
  }

  async #connect(): Promise<pg.Client> {
    if (this.#client) return this.#client;
    const client = new pg.Client(this.opts.connection);
    // A connection that breaks while idle: forget it, the loop reconnects.
    client.on('error', (error) => {
      this.opts.log.debug('team database connection error', { error: error.message });
      if (this.#client === client) this.#client = undefined;
      this.#wake?.();
    });
    try {
      await client.connect();
      await upsertDesk(client, this.opts.me, this.opts.clock.wallNow());
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    this.#client = client;
    this.#justConnected = true;
    this.#retryMs = RETRY_MIN_MS;
    this.#lastBeat = this.opts.clock.now();
    this.opts.log.info('connected to the team database');
    return client;
  }

  /** Ships one batch if there is one; reports progress. Returns whether it shipped anything. */
  async #shipSome(client: pg.Client): Promise<boolean> {
    const outbox = this.opts.outbox;
    // Looking at the outbox answers every kick so far; a later one wakes the next idle wait.
    this.#kicked = false;
    const before = outbox.pending();
    const batch = outbox.nextBatch(BATCH_ENTRIES);
    const now = this.opts.clock.wallNow();
    const backlog = this.#justConnected;
    this.#justConnected = false;
    if (!batch) {
      this.opts.report({ state: 'connected', pending: 0, lagMs: 0 });
      return false;
    }
    const lag = lagOf(before.oldestAt, now);
    if (backlog || before.count > BATCH_ENTRIES || lag >= BEHIND_AFTER_MS) this.opts.report({ state: 'behind', pending: before.count, lagMs: lag });
    await shipBatch(client, this.opts.me, batch, now);
    outbox.shipped(batch.lastSeq);
    this.shippedEntries += batch.entries;
    this.#lastBeat = this.opts.clock.now();
    const after = outbox.pending();
    if (after.count === 0) this.opts.report({ state: 'connected', pending: 0, lagMs: 0 });
    else this.opts.report({ state: 'behind', pending: after.count, lagMs: lagOf(after.oldestAt, this.opts.clock.wallNow()) });
    return true;
  }

  /** Waits for a kick (or a poll: entries queued by another process, the heartbeat). */
  async #idle(client: pg.Client): Promise<void> {
    if (!this.#kicked) await this.#sleep(1_000);
    if (this.opts.clock.now() - this.#lastBeat >= HEARTBEAT_MS) {
      await touchDesk(client, this.opts.me.deskId, this.opts.clock.wallNow());
      this.#lastBeat = this.opts.clock.now();
    }
  }

  /** Waits `ms`, or until woken (kick, stop, a broken connection). */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const finish = (): void => {
        timer.cancel();
        if (this.#wake === finish) this.#wake = undefined;
        resolve();
      };
      const timer = this.opts.clock.setTimeout(finish, ms);
      this.#wake = finish;
    });
  }

  async #disconnect(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }
}

function lagOf(oldestAt: number | null, now: number): number {
  return oldestAt === null ? 0 : Math.max(0, now - oldestAt);
}
