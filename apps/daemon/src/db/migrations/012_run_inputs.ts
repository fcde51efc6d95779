import type { Migration } from '../migrator.ts';

// A run's uploaded file (a runbook's CSV input), stored with the run in the transaction that
// creates it, as validated typed rows: the run reads its rows from here on every start, resume and
// helper, so a paused or restarted run works on exactly the file the operator confirmed. The hash
// and row count are also on the run's context (`context.input`) and in its audit event.
export const up: Migration = async ({ context: sql }) => {
  await sql(`
    CREATE TABLE ops.run_inputs (
      run_id     bigint PRIMARY KEY REFERENCES ops.runs(id) ON DELETE CASCADE,
      file_name  text NOT NULL,
      sha256     text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
      row_count  integer NOT NULL CHECK (row_count > 0),
      byte_count integer NOT NULL CHECK (byte_count >= 0),
      columns    jsonb NOT NULL,
      rows       jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )
  `);
};

export const down: Migration = async ({ context: sql }) => {
  await sql('DROP TABLE IF EXISTS ops.run_inputs');
};
