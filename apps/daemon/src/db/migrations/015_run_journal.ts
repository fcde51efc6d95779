import type { Migration } from '../migrator.ts';

// Reversible runs (issue 14). A reversible runbook's chunks leave a before-image of every row they
// change in ops.run_journal, written by a statement trigger of the daemon's in the chunk's own
// transaction (runs/revert/journal-triggers.ts installs it on each declared table), so a chunk and
// its journal commit or roll back together. A revert run reads the journal back through the
// functions of schema ops_journal: the only door a runbook's role has into it.
export const up: Migration = async ({ context: sql }) => {
  await sql(`
    -- One row per changed row of a journaled run: the declared columns before and after.
    -- (run_id, seq) is the only index: one index entry per journaled row.
    CREATE TABLE ops.run_journal (
      run_id     bigint NOT NULL,
      seq        bigint GENERATED ALWAYS AS IDENTITY,
      table_name text NOT NULL,
      row_key    text NOT NULL,
      before     jsonb NOT NULL,
      after      jsonb NOT NULL,
      PRIMARY KEY (run_id, seq)
    );
    -- A run that journaled anything, and when its journal was dropped (OPS_JOURNAL_DAYS).
    CREATE TABLE ops.run_journal_state (
      run_id       bigint PRIMARY KEY REFERENCES ops.runs (id) ON DELETE CASCADE,
      first_at     timestamptz NOT NULL DEFAULT now(),
      dropped_at   timestamptz,
      dropped_rows bigint
    );
    -- Which tables carry the journal trigger, their key and the columns journaled (set by the daemon).
    CREATE TABLE ops.journaled_tables (
      table_name text PRIMARY KEY,
      key_column text NOT NULL,
      key_type   text NOT NULL,
      columns    text[] NOT NULL
    );
    -- Runbooks loaded as reversible, with the tables each declared (refreshed at start).
    CREATE TABLE ops.reversible_runbooks (
      runbook_id text PRIMARY KEY,
      tables     text[] NOT NULL
    );
    -- A revert run and the run it reverts: both directions of the link.
    CREATE TABLE ops.run_reverts (
      revert_run_id   bigint PRIMARY KEY REFERENCES ops.runs (id) ON DELETE CASCADE,
      original_run_id bigint NOT NULL REFERENCES ops.runs (id) ON DELETE CASCADE
    );
    CREATE INDEX run_reverts_original_idx ON ops.run_reverts (original_run_id);
    -- Journal rows a revert did not restore: changed since the run (skipped), already as before, gone.
    CREATE TABLE ops.run_revert_rows (
      revert_run_id bigint NOT NULL REFERENCES ops.runs (id) ON DELETE CASCADE,
      seq           bigint NOT NULL,
      table_name    text NOT NULL,
      row_key       text NOT NULL,
      outcome       text NOT NULL CHECK (outcome IN ('skipped', 'already_restored', 'missing')),
      current       jsonb,
      PRIMARY KEY (revert_run_id, seq)
    );

    CREATE SCHEMA IF NOT EXISTS ops_journal;
    REVOKE ALL ON SCHEMA ops_journal FROM PUBLIC;

    -- The journal of a run as keyset work: its seq bounds, its size, its next chunk.
    CREATE FUNCTION ops_journal.bounds(p_run bigint, OUT first_id text, OUT last_id text)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
        SELECT (SELECT min(seq) FROM ops.run_journal WHERE run_id = p_run)::text,
               (SELECT max(seq) FROM ops.run_journal WHERE run_id = p_run)::text
    $fn$;
    CREATE FUNCTION ops_journal.size(p_run bigint) RETURNS bigint
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
        SELECT count(*) FROM ops.run_journal WHERE run_id = p_run
    $fn$;
    CREATE FUNCTION ops_journal.next_chunk(p_run bigint, p_after bigint, p_size integer, p_until bigint,
                                           OUT last_id text, OUT items bigint)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
        SELECT max(c.seq)::text, count(*) FROM (
          SELECT seq FROM ops.run_journal
           WHERE run_id = p_run AND seq > coalesce(p_after, 0) AND (p_until IS NULL OR seq <= p_until)
           ORDER BY seq LIMIT p_size) c
    $fn$;

    -- Restores the journal rows (p_after, p_last] of the run that p_revert reverts: a row whose
    -- journaled columns still hold what the run wrote gets its before-image back; any other is
    -- recorded in ops.run_revert_rows with why and its current values. Only inside a chunk of
    -- that revert run (ops.run_id is set by the chunk's fence check). Times as UTC, so the jsonb
    -- of a timestamptz reads the same as when it was journaled.
    CREATE FUNCTION ops_journal.revert_chunk(p_revert bigint, p_after bigint, p_last bigint,
                                             OUT restored bigint, OUT left_over bigint)
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' AS $fn$
      DECLARE
        v_original bigint;
        t record;
        v_cols text;
        v_now text;
        v_restored bigint;
        v_left bigint;
      BEGIN
        IF current_setting('ops.run_id', true) IS DISTINCT FROM p_revert::text THEN
          RAISE EXCEPTION 'revert_chunk: run % is not the writing run of this transaction', p_revert;
        END IF;
        SELECT original_run_id INTO v_original FROM ops.run_reverts WHERE revert_run_id = p_revert;
        IF v_original IS NULL THEN
          RAISE EXCEPTION 'revert_chunk: run % is not a revert', p_revert;
        END IF;
        restored := 0;
        left_over := 0;
        FOR t IN
          SELECT jt.* FROM ops.journaled_tables jt
           WHERE jt.table_name IN (SELECT DISTINCT j.table_name FROM ops.run_journal j
                                    WHERE j.run_id = v_original AND j.seq > coalesce(p_after, 0) AND j.seq <= p_last)
        LOOP
          SELECT string_agg(format('%I', c), ', '),
                 'jsonb_build_object(' || string_agg(format('%L, t.%I', c, c), ', ') || ')'
            INTO v_cols, v_now FROM unnest(t.columns) c;
          EXECUTE format($q$
            WITH j AS (
              SELECT seq, row_key, before, after FROM ops.run_journal
               WHERE run_id = $1 AND seq > coalesce($2, 0) AND seq <= $3 AND table_name = $4),
            restored AS (
              UPDATE %1$s AS t SET (%2$s) = (SELECT %5$s FROM jsonb_populate_record(NULL::%1$s, j.before) b)
                FROM j WHERE t.%3$I = j.row_key::%4$s AND %6$s = j.after
              RETURNING j.seq),
            left_over AS (
              INSERT INTO ops.run_revert_rows (revert_run_id, seq, table_name, row_key, outcome, current)
              SELECT $5, j.seq, $4, j.row_key,
                     CASE WHEN cur.v IS NULL THEN 'missing' WHEN cur.v = j.before THEN 'already_restored' ELSE 'skipped' END,
                     cur.v
                FROM j LEFT JOIN LATERAL (SELECT %6$s AS v FROM %1$s AS t WHERE t.%3$I = j.row_key::%4$s) cur ON true
               WHERE j.seq NOT IN (SELECT seq FROM restored)
              ON CONFLICT DO NOTHING
              RETURNING 1)
            SELECT (SELECT count(*) FROM restored), (SELECT count(*) FROM left_over)
          $q$, t.table_name, v_cols, t.key_column, t.key_type,
               (SELECT string_agg(format('b.%I', c), ', ') FROM unnest(t.columns) c), v_now)
          INTO v_restored, v_left
          USING v_original, p_after, p_last, t.table_name, p_revert;
          restored := restored + v_restored;
          left_over := left_over + v_left;
        END LOOP;
      END
    $fn$;

    REVOKE ALL ON ALL FUNCTIONS IN SCHEMA ops_journal FROM PUBLIC;
    DO $grant$ BEGIN
      IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ops_plugin') THEN
        GRANT USAGE ON SCHEMA ops_journal TO ops_plugin;
        GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ops_journal TO ops_plugin;
      END IF;
    END $grant$;
  `);
};

export const down: Migration = async ({ context: sql }) => {
  await sql(`
    DROP SCHEMA IF EXISTS ops_journal CASCADE;
    DROP TABLE IF EXISTS ops.run_revert_rows, ops.run_reverts, ops.reversible_runbooks,
      ops.journaled_tables, ops.run_journal_state, ops.run_journal;
  `);
};
