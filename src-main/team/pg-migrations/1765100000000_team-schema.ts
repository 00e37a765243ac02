import type { MigrationBuilder } from 'node-pg-migrate';

/**
 * The team database, version 1 (run by `linedesk team init`, docs/team.md). Every row a
 * desk ships is keyed by its desk id and its id in the desk's own SQLite store, so a row
 * shipped twice is the same row; `rev` (the desk's outbox position) keeps an older state
 * from overwriting a newer one. `owner` is the database role that wrote the row: row-level
 * security lets an agent role see and write only its own rows, and a supervisor read all.
 * Times are ms since the epoch, as on the desk, so the figures are computed the same way.
 *
 * Never edit a released migration: add the next one.
 */
export const up = (pgm: MigrationBuilder): void => {
  pgm.sql(`
    CREATE TABLE linedesk.agents (
      agent_id   text PRIMARY KEY,
      owner      name NOT NULL DEFAULT current_user,   -- the role that first claimed this agent id
      name       text NOT NULL,
      updated_at bigint NOT NULL
    );

    CREATE TABLE linedesk.desks (
      desk_id    uuid PRIMARY KEY,                      -- made by the desk once, kept in its SQLite store
      owner      name NOT NULL DEFAULT current_user,
      agent_id   text NOT NULL REFERENCES linedesk.agents (agent_id),
      lines      text[] NOT NULL DEFAULT '{}',          -- the lines configured at its last start
      started_at bigint NOT NULL,
      last_seen  bigint NOT NULL
    );
    CREATE INDEX desks_by_agent ON linedesk.desks (agent_id, last_seen DESC);

    CREATE TABLE linedesk.calls (
      desk_id        uuid   NOT NULL,
      id             bigint NOT NULL,
      owner          name   NOT NULL DEFAULT current_user,
      rev            bigint NOT NULL,
      call_id        text   NOT NULL,
      direction      text   NOT NULL CHECK (direction IN ('in', 'out')),
      line           text,
      from_number    text   NOT NULL,
      from_name      text,
      called         text   NOT NULL,
      offered_at     bigint NOT NULL,
      offered_hour   smallint NOT NULL,
      answered_at    bigint,
      ended_at       bigint,
      disposition    text   NOT NULL,
      decline_reason text,
      end_reason     text,
      end_code       integer,
      end_detail     text,
      queued_ms      bigint NOT NULL DEFAULT 0,
      talk_ms        bigint NOT NULL DEFAULT 0,
      hold_ms        bigint NOT NULL DEFAULT 0,
      hold_since     bigint,
      wrapup_ms      bigint NOT NULL DEFAULT 0,
      attempts       integer NOT NULL DEFAULT 0,
      codec          text,
      mos_last       real,
      mos_worst      real,
      loss_last      real,
      loss_worst     real,
      jitter_last    real,
      jitter_worst   real,
      rtt_last       real,
      -- When this state reached the database (replication lag = synced_at - the desk's change).
      synced_at      bigint NOT NULL DEFAULT (extract(epoch FROM clock_timestamp()) * 1000)::bigint,
      PRIMARY KEY (desk_id, id)
    );
    -- Team figures read a period's calls from this index alone (index-only scan).
    CREATE INDEX calls_figures ON linedesk.calls (offered_at)
      INCLUDE (desk_id, direction, disposition, answered_at, talk_ms, hold_ms, wrapup_ms, offered_hour, line, decline_reason);
    CREATE INDEX calls_live ON linedesk.calls (desk_id) WHERE ended_at IS NULL;

    CREATE TABLE linedesk.offers (
      desk_id    uuid    NOT NULL,
      call       bigint  NOT NULL,
      seq        integer NOT NULL,
      owner      name    NOT NULL DEFAULT current_user,
      rev        bigint  NOT NULL,
      line       text    NOT NULL,
      attempt    integer NOT NULL,
      offered_at bigint  NOT NULL,
      ended_at   bigint,
      outcome    text,
      detail     text,
      PRIMARY KEY (desk_id, call, seq)
    );

    CREATE TABLE linedesk.agent_intervals (
      desk_id    uuid   NOT NULL,
      id         bigint NOT NULL,
      owner      name   NOT NULL DEFAULT current_user,
      rev        bigint NOT NULL,
      state      text   NOT NULL,
      reason     text,
      started_at bigint NOT NULL,
      ended_at   bigint,
      call       bigint,
      PRIMARY KEY (desk_id, id)
    );
    CREATE INDEX agent_intervals_current ON linedesk.agent_intervals (desk_id) WHERE ended_at IS NULL;
    CREATE INDEX agent_intervals_by_end ON linedesk.agent_intervals (ended_at);

    CREATE TABLE linedesk.line_states (
      desk_id uuid   NOT NULL,
      line    text   NOT NULL,
      owner   name   NOT NULL DEFAULT current_user,
      rev     bigint NOT NULL,
      state   text   NOT NULL,
      since   bigint NOT NULL,
      PRIMARY KEY (desk_id, line)
    );

    -- Does the current role own this desk? (Invoker's rights: row-level security on desks applies.)
    CREATE FUNCTION linedesk.owns_desk(d uuid) RETURNS boolean LANGUAGE sql STABLE AS
      $$ SELECT EXISTS (SELECT 1 FROM linedesk.desks WHERE desk_id = d AND owner = current_user) $$;

    -- Supervisors LISTEN on linedesk_team; the payload is only a desk id (a notification
    -- reaches every listener whatever row-level security says, so it carries no data).
    CREATE FUNCTION linedesk.notify_team() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN PERFORM pg_notify('linedesk_team', NEW.desk_id::text); RETURN NULL; END $$;
    CREATE TRIGGER agent_intervals_notify AFTER INSERT OR UPDATE ON linedesk.agent_intervals
      FOR EACH ROW EXECUTE FUNCTION linedesk.notify_team();
    CREATE TRIGGER line_states_notify AFTER INSERT OR UPDATE ON linedesk.line_states
      FOR EACH ROW EXECUTE FUNCTION linedesk.notify_team();
    CREATE TRIGGER calls_notify AFTER INSERT OR UPDATE OF line, answered_at, ended_at ON linedesk.calls
      FOR EACH ROW EXECUTE FUNCTION linedesk.notify_team();
  `);

  // Access: what each group role may do, then which rows (row-level security).
  pgm.sql(`
    GRANT USAGE ON SCHEMA linedesk TO linedesk_agent, linedesk_supervisor;
    GRANT SELECT, INSERT, UPDATE ON linedesk.agents, linedesk.desks, linedesk.calls, linedesk.offers,
      linedesk.agent_intervals, linedesk.line_states TO linedesk_agent;
    GRANT SELECT ON ALL TABLES IN SCHEMA linedesk TO linedesk_supervisor;
    REVOKE ALL ON linedesk.pgmigrations FROM linedesk_agent, linedesk_supervisor;
    GRANT EXECUTE ON FUNCTION linedesk.owns_desk(uuid) TO linedesk_agent, linedesk_supervisor;

    ALTER TABLE linedesk.agents ENABLE ROW LEVEL SECURITY;
    CREATE POLICY own_rows ON linedesk.agents TO linedesk_agent
      USING (owner = current_user) WITH CHECK (owner = current_user);
    CREATE POLICY team_reads ON linedesk.agents FOR SELECT TO linedesk_supervisor USING (true);

    ALTER TABLE linedesk.desks ENABLE ROW LEVEL SECURITY;
    CREATE POLICY own_rows ON linedesk.desks TO linedesk_agent
      USING (owner = current_user)
      WITH CHECK (owner = current_user AND EXISTS (SELECT 1 FROM linedesk.agents a WHERE a.agent_id = desks.agent_id AND a.owner = current_user));
    CREATE POLICY team_reads ON linedesk.desks FOR SELECT TO linedesk_supervisor USING (true);
  `);
  for (const table of ['calls', 'offers', 'agent_intervals', 'line_states']) {
    pgm.sql(`
      ALTER TABLE linedesk.${table} ENABLE ROW LEVEL SECURITY;
      CREATE POLICY own_rows ON linedesk.${table} TO linedesk_agent
        USING (owner = current_user) WITH CHECK (owner = current_user AND linedesk.owns_desk(desk_id));
      CREATE POLICY team_reads ON linedesk.${table} FOR SELECT TO linedesk_supervisor USING (true);
    `);
  }
};

export const down = false;
