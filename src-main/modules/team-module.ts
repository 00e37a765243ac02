import { existsSync } from 'node:fs';
import pg from 'pg';
import type { CommandResult } from '../contract/commands.js';
import type { ControlEvent } from '../contract/control-events.js';
import { resolveRange } from '../stats/stats-range.js';
import { LocalOutbox } from '../team/local-outbox.js';
import { explainPgError } from '../team/pg-errors.js';
import { SyncStatus } from '../team/sync-status.js';
import { describeTarget, teamClientConfig } from '../team/team-connection.js';
import { TeamLive } from '../team/team-live.js';
import { teamAgents, teamStats } from '../team/team-queries.js';
import { TeamReplicator } from '../team/team-replicator.js';
import type { CoreHost, CoreModule } from './module-api.js';
import { StatsStore } from './stats-module.js';

/** At close, how long the desk keeps shipping its last changes (its offline state) before it exits. */
const STOP_SHIP_MS = 2_000;

/** Events after which the stats store has queued something to ship. */
const SHIPPED_EVENTS = new Set<ControlEvent['event']>([
  'agent.state', 'call.queued', 'call.dequeued', 'call.offered', 'call.offer.ended', 'call.dialing', 'call.answered', 'call.held', 'call.ended', 'line.state',
]);

/**
 * The team (docs/team.md): the desk's call records, agent-state intervals and line states
 * shipped to a shared PostgreSQL through an outbox in its own SQLite store; for
 * supervisors, the team's live states and figures. Without `team` in the config it does
 * nothing (beyond turning off the queueing of a store that used to ship).
 *
 * It needs the stats store: installed after it, it reads the store the stats module made,
 * sees each event after the stats module wrote it (the bus delivers to modules in install
 * order), and ships its last changes when the stats module calls it after its final writes
 * (the agent's offline state, the lines' un-registering), before the database closes.
 */
export const teamModule: CoreModule = {
  name: 'team',
  needs: [StatsStore],
  install(host: CoreHost): void {
    const log = host.log.child('team');
    const team = host.config.team;
    const stats = host.services.get(StatsStore);
    const file = stats.file;
    if (!team) {
      if (file === ':memory:') return;
      const off = host.events.on('event', (e) => {
        if (e.event !== 'ready') return;
        off();
        try {
          if (existsSync(file) && LocalOutbox.disable(file)) log.info('no team database configured: this store no longer queues records for one');
        } catch (error) {
          log.warn('could not turn off the team outbox', { error: error instanceof Error ? error.message : String(error) });
        }
      });
      return;
    }

    const agentId = host.config.agent.id ?? host.config.lines[0]!.username;
    const agentName = host.config.agent.name ?? agentId;
    const connection = teamClientConfig(team.database, host.baseDir, `LineDesk ${agentId}`);
    log.info('team database', { target: describeTarget(connection), role: team.role, agent: agentId });
    const status = new SyncStatus((r) => host.emit({ event: 'team.sync', ...r }), () => host.clock.now());
    // Queries (team.agents, team.stats) on their own small pool, beside the shipping connection.
    const pool = new pg.Pool({ ...connection, max: 2, idleTimeoutMillis: 10_000 });
    pool.on('error', (error) => log.debug('idle team database connection lost', { error: error.message }));
    let outbox: LocalOutbox | undefined;
    let replicator: TeamReplicator | undefined;
    let live: TeamLive | undefined;

    const start = (): void => {
      try {
        const opened = LocalOutbox.open(file);
        outbox = opened.outbox;
        if (opened.backfilled > 0) log.info('queued the records already in the store for the team database', { records: opened.backfilled });
      } catch (error) {
        const reason = `cannot open the outbox in ${file}: ${error instanceof Error ? error.message : String(error)}`;
        log.error(reason);
        status.report({ state: 'offline', pending: 0, lagMs: 0, reason });
        return;
      }
      for (const line of host.lineIds()) outbox.saveLineState({ line, state: 'unregistered', since: host.clock.wallNow() });
      replicator = new TeamReplicator({
        outbox,
        me: { deskId: outbox.deskId, agentId, agentName, lines: host.lineIds(), startedAt: host.clock.wallNow() },
        connection,
        clock: host.clock,
        log,
        retryMaxMs: team.retryMaxMs,
        report: (r) => status.report(r),
      });
      replicator.start();
      if (team.role === 'supervisor') {
        live = new TeamLive({ connection, clock: host.clock, log, retryMaxMs: team.retryMaxMs, onAgents: (agents) => host.emit({ event: 'team.agents', agents }) });
        live.start();
      }
    };

    let stopping = false;
    host.events.on('event', (e) => {
      if (e.event === 'ready' && !outbox && !stopping) return start();
      if (!outbox || !SHIPPED_EVENTS.has(e.event)) return;
      if (e.event === 'line.state') {
        try {
          outbox.saveLineState({ line: e.line, state: e.state, since: host.clock.wallNow() });
        } catch (error) {
          log.warn('could not queue a line state', { error: error instanceof Error ? error.message : String(error) });
        }
      }
      // The stats module (installed before) has written this event already: ship it.
      replicator?.kick();
    });

    const answer = async (build: () => Promise<ControlEvent>): Promise<CommandResult> => {
      let event: ControlEvent;
      try {
        event = await build();
      } catch (error) {
        return { ok: false, error: `the team database is unavailable: ${explainPgError(error)}` };
      }
      host.emit(event);
      return { ok: true, value: event };
    };
    const withId = (id: string | undefined): { id?: string } => (id !== undefined ? { id } : {});
    host.commands.register('team.agents', (c) => {
      // A window that opens later learns the desk's link to the database too.
      const sync = status.current;
      if (sync) host.emit({ event: 'team.sync', ...sync });
      return answer(async () => ({ event: 'team.agents', ...withId(c.id), agents: await teamAgents(pool) }));
    });
    host.commands.register('team.stats', (c) => {
      const now = host.clock.wallNow();
      const range = resolveRange(c.range, now);
      if (typeof range === 'string') return { ok: false, error: range };
      return answer(async () => ({ event: 'team.stats', ...withId(c.id), ...(await teamStats(pool, range, now, team.serviceLevelSeconds)) }));
    });

    host.onStop(() => {
      // From here the desk winds down: no new start, and the close hook ships what is left.
      stopping = true;
    });
    stats.afterFinalWrites(async () => {
      try {
        await replicator?.stop(STOP_SHIP_MS);
        await live?.stop();
        await pool.end().catch(() => {});
      } finally {
        outbox?.close();
      }
    });
  },
};
