import type { Migration } from '../migrator.ts';

// The work of a run, split into id ranges that several workers (in one daemon or several) share.
// Column meanings mirror runs/work-units.ts.
export const up: Migration = async ({ context: sql }) => {
  await sql(`
    -- One row per run whose work is driven in units: what every worker of the run shares.
    CREATE TABLE ops.run_work (
      run_id         bigint PRIMARY KEY REFERENCES ops.runs(id) ON DELETE CASCADE,
      -- Items in scope when the work was planned, for progress; null until counted.
      total_items    bigint,
      -- Rows per second for all workers of the run together; null: no cap.
      write_budget   integer CHECK (write_budget > 0),
      -- Rows that may be written now; negative is a debt the workers wait off (see write-budget.ts).
      budget_balance double precision NOT NULL DEFAULT 0,
      budget_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
      -- Tenants left out of the rest of the run after their writes failed (RunFailure objects).
      failures       jsonb NOT NULL DEFAULT '[]',
      created_at     timestamptz NOT NULL DEFAULT now()
    );

    -- An id range (after_id, last_id] of a run's work. A worker claims a unit with FOR UPDATE SKIP
    -- LOCKED, writes one chunk after cursor and moves cursor in that same transaction, so each
    -- chunk is written exactly once, whoever dies when. A dead worker's lock dies with its connection.
    CREATE TABLE ops.run_work_units (
      run_id     bigint NOT NULL REFERENCES ops.run_work(run_id) ON DELETE CASCADE,
      unit_no    integer NOT NULL,
      after_id   bigint,               -- null: from the first id
      last_id    bigint,               -- null: until the keys run out
      cursor     bigint,               -- ids up to here are done; null: none yet
      done       boolean NOT NULL DEFAULT false,
      processed  bigint NOT NULL DEFAULT 0,
      updated    bigint NOT NULL DEFAULT 0,
      chunks     integer NOT NULL DEFAULT 0,
      done_by    text,                 -- the worker that finished it
      updated_at timestamptz,
      PRIMARY KEY (run_id, unit_no)
    );
    CREATE INDEX run_work_units_open_idx ON ops.run_work_units (run_id, unit_no) WHERE NOT done;
  `);
};

export const down: Migration = async ({ context: sql }) => {
  await sql('DROP TABLE IF EXISTS ops.run_work_units, ops.run_work');
};
