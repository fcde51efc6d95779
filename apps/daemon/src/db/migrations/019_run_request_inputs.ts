import type { Migration } from '../migrator.ts';

// Four-eyes approval of CSV-input runs (issues 13 + 14). A run request of a runbook that takes a
// file keeps the file it was asked for, as validated typed rows (the SDK's parser ran when the
// request was made): the approver sees its name, row count and hash, and the start runs exactly
// these rows — a different file cannot use the approval. A requester may also withdraw a pending
// request (approvals/request-state.ts): the new `withdrawn` status.
export const up: Migration = async ({ context: sql }) => {
  await sql(`
    CREATE TABLE ops.run_request_inputs (
      request_id bigint PRIMARY KEY REFERENCES ops.run_requests(id) ON DELETE CASCADE,
      file_name  text NOT NULL,
      sha256     text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
      row_count  integer NOT NULL CHECK (row_count > 0),
      byte_count integer NOT NULL CHECK (byte_count >= 0),
      columns    jsonb NOT NULL,
      rows       jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    ALTER TABLE ops.run_requests DROP CONSTRAINT run_requests_status_check;
    ALTER TABLE ops.run_requests ADD CONSTRAINT run_requests_status_check
      CHECK (status IN ('pending', 'approved', 'rejected', 'expired', 'started', 'withdrawn'));

    -- approvals.onChange's one shared look per daemon reads the requests changed since the last look
    CREATE INDEX run_requests_updated_idx ON ops.run_requests (updated_at);
  `);
};

export const down: Migration = async ({ context: sql }) => {
  await sql(`
    DROP INDEX IF EXISTS ops.run_requests_updated_idx;
    DROP TABLE IF EXISTS ops.run_request_inputs;
    UPDATE ops.run_requests SET status = 'rejected' WHERE status = 'withdrawn';
    ALTER TABLE ops.run_requests DROP CONSTRAINT run_requests_status_check;
    ALTER TABLE ops.run_requests ADD CONSTRAINT run_requests_status_check
      CHECK (status IN ('pending', 'approved', 'rejected', 'expired', 'started'));
  `);
};
