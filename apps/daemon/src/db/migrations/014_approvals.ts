import type { Migration } from '../migrator.ts';

// Four-eyes approval (issue 14). A policy per runbook says which runs need a second operator;
// `runbook_id = '*'` is the policy of every runbook without its own row (no row at all: the
// product default, all-tenants runs need approval — approvals/policy.ts). A run request records
// what was asked for (runbook, scope, parameters, reason, the preflight it was based on) and moves
// through approvals/request-state.ts: pending → approved/rejected/expired, approved → started/expired.
export const up: Migration = async ({ context: sql }) => {
  await sql(`
    CREATE TABLE ops.approval_policies (
      runbook_id        text PRIMARY KEY,
      mode              text NOT NULL CHECK (mode IN ('none', 'all_tenants', 'every_run')),
      exempt_identities text[] NOT NULL DEFAULT '{}',
      updated_by        jsonb,
      updated_at        timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE ops.run_requests (
      id               bigserial PRIMARY KEY,
      runbook_id       text NOT NULL,
      scope            jsonb NOT NULL,
      params           jsonb NOT NULL DEFAULT '{}',
      reason_code      text,
      reason_text      text,
      preflight        jsonb NOT NULL,
      requester        jsonb NOT NULL,
      requester_id     text NOT NULL,
      status           text NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending', 'approved', 'rejected', 'expired', 'started')),
      decided_by       jsonb,
      decision_comment text,
      decided_at       timestamptz,
      expires_at       timestamptz NOT NULL,
      run_id           bigint REFERENCES ops.runs (id),
      created_at       timestamptz NOT NULL DEFAULT now(),
      updated_at       timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX run_requests_open_idx ON ops.run_requests (expires_at) WHERE status IN ('pending', 'approved');
    CREATE INDEX run_requests_runbook_idx ON ops.run_requests (runbook_id, id DESC);
  `);
};

export const down: Migration = async ({ context: sql }) => {
  await sql('DROP TABLE IF EXISTS ops.run_requests; DROP TABLE IF EXISTS ops.approval_policies;');
};
