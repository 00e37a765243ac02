import type { MigrationBuilder } from 'node-pg-migrate';

/**
 * Version 2: per-day team figures kept by triggers, so a month of a 500-agent team reads
 * a few hundred thousand small rows instead of a million and a half calls.
 *
 * linedesk.call_figures holds, per UTC day (offered_at / 86400000) and desk, the same four
 * breakdowns as the desk's own SQLite store (stats/migrations.ts): d "direction:disposition"
 * (calls, Σ answer wait, answered within the service level, talk, hold, wrap-up), h local
 * hour (inbound calls), l line (inbound calls, inbound answered, talk), r decline reason.
 * Statement triggers with transition tables add each batch's change in one aggregated
 * upsert. They run as the table owner (SECURITY DEFINER): desks may read their figures but
 * not write them.
 *
 * The service-level threshold is the team's (linedesk.settings service_level_ms, set by
 * `team init --service-level-seconds`); a supervisor asking for another threshold gets it
 * computed from the calls. `linedesk.refresh_call_figures()` rebuilds the table (after a
 * bulk load with triggers off, or a new threshold).
 */
export const up = (pgm: MigrationBuilder): void => {
  pgm.sql(`
    CREATE TABLE linedesk.settings (key text PRIMARY KEY, value bigint NOT NULL);
    INSERT INTO linedesk.settings (key, value) VALUES ('service_level_ms', 20000);

    CREATE TABLE linedesk.call_figures (
      day         integer NOT NULL,
      desk_id     uuid    NOT NULL,
      dim         text    NOT NULL,
      key         text    NOT NULL,
      calls       bigint  NOT NULL DEFAULT 0,
      answered    bigint  NOT NULL DEFAULT 0,
      answer_wait bigint  NOT NULL DEFAULT 0,
      within_sl   bigint  NOT NULL DEFAULT 0,
      talk_ms     bigint  NOT NULL DEFAULT 0,
      hold_ms     bigint  NOT NULL DEFAULT 0,
      wrapup_ms   bigint  NOT NULL DEFAULT 0,
      PRIMARY KEY (day, desk_id, dim, key)
    );

    -- One set of changed call rows (sign +1 for new states, -1 for replaced ones) as figure deltas.
    CREATE FUNCTION linedesk.figure_deltas(rows_json json, sl bigint)
      RETURNS TABLE (day integer, desk_id uuid, dim text, key text, calls bigint, answered bigint, answer_wait bigint,
                     within_sl bigint, talk_ms bigint, hold_ms bigint, wrapup_ms bigint)
      LANGUAGE sql IMMUTABLE AS $$
      WITH c AS (
        SELECT (r->>'offered_at')::bigint / 86400000 AS day, (r->>'desk_id')::uuid AS desk_id, r->>'direction' AS direction,
               r->>'disposition' AS disposition, r->>'offered_hour' AS offered_hour, r->>'line' AS line, r->>'decline_reason' AS decline_reason,
               (r->>'answered_at')::bigint - (r->>'offered_at')::bigint AS wait, (r->>'talk_ms')::bigint AS talk_ms,
               (r->>'hold_ms')::bigint AS hold_ms, (r->>'wrapup_ms')::bigint AS wrapup_ms, (r->>'sign')::int AS sign
          FROM json_array_elements(rows_json) r)
      SELECT day::int, desk_id, 'd', direction || ':' || disposition, sum(sign), 0::bigint, sum(sign * coalesce(wait, 0)),
             sum(sign * (direction = 'in' AND wait IS NOT NULL AND wait <= sl)::int), sum(sign * talk_ms), sum(sign * hold_ms), sum(sign * wrapup_ms)
        FROM c GROUP BY 1, 2, 4
      UNION ALL
      SELECT day::int, desk_id, 'h', offered_hour, sum(sign), 0, 0, 0, 0, 0, 0 FROM c WHERE direction = 'in' GROUP BY 1, 2, 4
      UNION ALL
      SELECT day::int, desk_id, 'l', line, sum(sign * (direction = 'in')::int), sum(sign * (direction = 'in' AND disposition IN ('answered', 'active'))::int),
             0, 0, sum(sign * talk_ms), 0, 0
        FROM c WHERE line IS NOT NULL GROUP BY 1, 2, 4
      UNION ALL
      SELECT day::int, desk_id, 'r', coalesce(decline_reason, ''), sum(sign), 0, 0, 0, 0, 0, 0
        FROM c WHERE direction = 'in' AND disposition = 'declined' GROUP BY 1, 2, 4
    $$;

    CREATE FUNCTION linedesk.apply_figure_deltas(rows_json json) RETURNS void
      LANGUAGE sql SECURITY DEFINER SET search_path = linedesk, pg_temp AS $$
      INSERT INTO linedesk.call_figures AS f (day, desk_id, dim, key, calls, answered, answer_wait, within_sl, talk_ms, hold_ms, wrapup_ms)
        SELECT * FROM linedesk.figure_deltas(rows_json, (SELECT value FROM linedesk.settings WHERE key = 'service_level_ms'))
      ON CONFLICT (day, desk_id, dim, key) DO UPDATE SET
        calls = f.calls + excluded.calls, answered = f.answered + excluded.answered, answer_wait = f.answer_wait + excluded.answer_wait,
        within_sl = f.within_sl + excluded.within_sl, talk_ms = f.talk_ms + excluded.talk_ms, hold_ms = f.hold_ms + excluded.hold_ms,
        wrapup_ms = f.wrapup_ms + excluded.wrapup_ms
    $$;

    -- The columns the figures read: an update that changes none of them changes no figure.
    CREATE FUNCTION linedesk.calls_figures_trigger() RETURNS trigger
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = linedesk, pg_temp AS $$
      DECLARE delta json;
      BEGIN
        IF TG_OP = 'INSERT' THEN
          SELECT json_agg(to_jsonb(n) || '{"sign": 1}') INTO delta FROM new_rows n;
        ELSIF TG_OP = 'DELETE' THEN
          SELECT json_agg(to_jsonb(o) || '{"sign": -1}') INTO delta FROM old_rows o;
        ELSE
          SELECT json_agg(x) INTO delta FROM (
            SELECT to_jsonb(n) || '{"sign": 1}' AS x, n.desk_id, n.id FROM new_rows n JOIN old_rows o USING (desk_id, id)
             WHERE (o.offered_at, o.direction, o.disposition, o.offered_hour, o.line, o.decline_reason, o.answered_at, o.talk_ms, o.hold_ms, o.wrapup_ms)
                   IS DISTINCT FROM (n.offered_at, n.direction, n.disposition, n.offered_hour, n.line, n.decline_reason, n.answered_at, n.talk_ms, n.hold_ms, n.wrapup_ms)
            UNION ALL
            SELECT to_jsonb(o) || '{"sign": -1}', o.desk_id, o.id FROM old_rows o JOIN new_rows n USING (desk_id, id)
             WHERE (o.offered_at, o.direction, o.disposition, o.offered_hour, o.line, o.decline_reason, o.answered_at, o.talk_ms, o.hold_ms, o.wrapup_ms)
                   IS DISTINCT FROM (n.offered_at, n.direction, n.disposition, n.offered_hour, n.line, n.decline_reason, n.answered_at, n.talk_ms, n.hold_ms, n.wrapup_ms)
          ) d;
        END IF;
        IF delta IS NOT NULL THEN PERFORM linedesk.apply_figure_deltas(delta); END IF;
        RETURN NULL;
      END $$;

    CREATE TRIGGER calls_figures_insert AFTER INSERT ON linedesk.calls REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION linedesk.calls_figures_trigger();
    CREATE TRIGGER calls_figures_update AFTER UPDATE ON linedesk.calls REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION linedesk.calls_figures_trigger();
    CREATE TRIGGER calls_figures_delete AFTER DELETE ON linedesk.calls REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION linedesk.calls_figures_trigger();

    -- Rebuilds every figure from the calls (after a bulk load with triggers off, or a new threshold).
    CREATE FUNCTION linedesk.refresh_call_figures() RETURNS void
      LANGUAGE sql SECURITY DEFINER SET search_path = linedesk, pg_temp AS $$
      TRUNCATE linedesk.call_figures;
      -- In day order, as the triggers write them: a day's figures then sit together on disk.
      INSERT INTO linedesk.call_figures (day, desk_id, dim, key, calls, answered, answer_wait, within_sl, talk_ms, hold_ms, wrapup_ms)
      SELECT * FROM (
      WITH sl AS (SELECT value FROM linedesk.settings WHERE key = 'service_level_ms')
      SELECT (offered_at / 86400000)::int, desk_id, 'd', direction || ':' || disposition, count(*), 0, sum(coalesce(answered_at - offered_at, 0)),
             count(*) FILTER (WHERE direction = 'in' AND answered_at - offered_at <= (SELECT value FROM sl)), sum(talk_ms), sum(hold_ms), sum(wrapup_ms)
        FROM linedesk.calls GROUP BY 1, 2, 4
      UNION ALL
      SELECT (offered_at / 86400000)::int, desk_id, 'h', offered_hour::text, count(*), 0, 0, 0, 0, 0, 0
        FROM linedesk.calls WHERE direction = 'in' GROUP BY 1, 2, 4
      UNION ALL
      SELECT (offered_at / 86400000)::int, desk_id, 'l', line, count(*) FILTER (WHERE direction = 'in'),
             count(*) FILTER (WHERE direction = 'in' AND disposition IN ('answered', 'active')), 0, 0, sum(talk_ms), 0, 0
        FROM linedesk.calls WHERE line IS NOT NULL GROUP BY 1, 2, 4
      UNION ALL
      SELECT (offered_at / 86400000)::int, desk_id, 'r', coalesce(decline_reason, ''), count(*), 0, 0, 0, 0, 0, 0
        FROM linedesk.calls WHERE direction = 'in' AND disposition = 'declined' GROUP BY 1, 2, 4
      ) f ORDER BY 1, 2
    $$;
    REVOKE ALL ON FUNCTION linedesk.refresh_call_figures() FROM PUBLIC;
    REVOKE ALL ON FUNCTION linedesk.apply_figure_deltas(json) FROM PUBLIC;

    GRANT SELECT ON linedesk.settings, linedesk.call_figures TO linedesk_agent, linedesk_supervisor;
    ALTER TABLE linedesk.call_figures ENABLE ROW LEVEL SECURITY;
    CREATE POLICY own_rows ON linedesk.call_figures FOR SELECT TO linedesk_agent USING (linedesk.owns_desk(desk_id));
    CREATE POLICY team_reads ON linedesk.call_figures FOR SELECT TO linedesk_supervisor USING (true);
  `);
};

export const down = false;
