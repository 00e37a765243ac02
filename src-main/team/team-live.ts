import pg from 'pg';
import type { Clock, TimerHandle } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { TeamAgent } from '../contract/control-events.js';
import { explainPgError } from './pg-errors.js';
import { teamAgents } from './team-queries.js';

/** The channel the team database's triggers notify on (pg-migrations). */
export const TEAM_CHANNEL = 'linedesk_team';
/** Notifications that come together (a batch ships many rows) give one reload. */
const COALESCE_MS = 150;
/** Also reload now and then: last-seen times age even when nothing is notified. */
const REFRESH_MS = 15_000;
const RETRY_MIN_MS = 250;

export interface TeamLiveOptions {
  connection: pg.ClientConfig;
  clock: Clock;
  log: Logger;
  retryMaxMs: number;
  /** The team's state after each change (and after each reconnect: the full state again). */
  onAgents(agents: TeamAgent[]): void;
}

/**
 * A supervisor's live view of the team: one connection that LISTENs for the triggers'
 * notifications and reloads every agent's state when one comes, so a change on a desk
 * reaches the supervisor in the time of a batch plus a query. A notification can be lost
 * while the connection is down, so every (re)connect reloads the whole state first.
 */
export class TeamLive {
  #client: pg.Client | undefined;
  #stopped = false;
  #pending: TimerHandle | undefined;
  #refresh: TimerHandle | undefined;
  #retry: TimerHandle | undefined;
  #retryMs = RETRY_MIN_MS;
  #reloading: Promise<void> | undefined;
  #again = false;

  constructor(private readonly opts: TeamLiveOptions) {}

  start(): void {
    void this.#connect();
    this.#refresh = this.opts.clock.setInterval(() => this.#schedule(), REFRESH_MS);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#pending?.cancel();
    this.#refresh?.cancel();
    this.#retry?.cancel();
    await this.#reloading;
    const c = this.#client;
    this.#client = undefined;
    await c?.end().catch(() => {});
  }

  async #connect(): Promise<void> {
    if (this.#stopped) return;
    const client = new pg.Client(this.opts.connection);
    const lost = (why: string): void => {
      if (this.#client !== client) return;
      this.#client = undefined;
      this.opts.log.warn('lost the team database (live states)', { why });
      void client.end().catch(() => {});
      this.#retryLater();
    };
    client.on('error', (error) => lost(error.message));
    client.on('end', () => lost('connection closed'));
    client.on('notification', (n) => {
      if (n.channel === TEAM_CHANNEL) this.#schedule();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${TEAM_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => {});
      this.opts.log.debug('cannot listen for team changes', { error: explainPgError(error) });
      this.#retryLater();
      return;
    }
    if (this.#stopped) {
      await client.end().catch(() => {});
      return;
    }
    this.#client = client;
    this.#retryMs = RETRY_MIN_MS;
    await this.#reload();
  }

  #retryLater(): void {
    if (this.#stopped || this.#retry) return;
    this.#retry = this.opts.clock.setTimeout(() => {
      this.#retry = undefined;
      void this.#connect();
    }, this.#retryMs);
    this.#retryMs = Math.min(this.#retryMs * 2, this.opts.retryMaxMs);
  }

  #schedule(): void {
    if (this.#pending || this.#stopped) return;
    this.#pending = this.opts.clock.setTimeout(() => {
      this.#pending = undefined;
      void this.#reload();
    }, COALESCE_MS);
  }

  /** One reload at a time; a change during one gives one more after it. */
  async #reload(): Promise<void> {
    if (this.#reloading) {
      this.#again = true;
      return;
    }
    const client = this.#client;
    if (!client) return;
    this.#reloading = (async () => {
      try {
        this.opts.onAgents(await teamAgents(client));
      } catch (error) {
        this.opts.log.warn('could not load the team state', { error: explainPgError(error) });
      }
    })();
    await this.#reloading;
    this.#reloading = undefined;
    if (this.#again) {
      this.#again = false;
      this.#schedule();
    }
  }
}
