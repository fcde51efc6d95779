import type { Migration } from '../migrator.ts';

// The platform's own records. Status and outcome values mirror runs/state-machine.ts.
export const up: Migration = async ({ context: sql }) => {
  await sql(`
    CREATE TABLE ops.runs (
      id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      type             text NOT NULL,
      runbook_version  text NOT NULL,
      scope            jsonb NOT NULL,
      scope_kind       text NOT NULL CHECK (scope_kind IN ('all', 'tenant')),
      scope_tenant_id  bigint,
      status           text NOT NULL DEFAULT 'queued'
                       CHECK (status IN ('queued', 'running', 'paused', 'completed')),
      outcome          text NOT NULL DEFAULT 'pending'
                       CHECK (outcome IN ('pending', 'succeeded', 'partially_succeeded', 'failed', 'cancelled')),
      actor            jsonb NOT NULL,
      actor_label      text NOT NULL,
      break_glass      jsonb,
      reason_code      text,
      reason_text      text,
      summary          jsonb NOT NULL DEFAULT '{}',
      context          jsonb NOT NULL DEFAULT '{}',
      progress         jsonb NOT NULL DEFAULT '{}',
      requested_action text CHECK (requested_action IN ('pause', 'cancel')),
      owner            jsonb,
      heartbeat_at     timestamptz,
      created_at       timestamptz NOT NULL DEFAULT now(),
      started_at       timestamptz,
      finished_at      timestamptz,
      updated_at       timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX runs_created_idx ON ops.runs (created_at DESC, id DESC);
    CREATE INDEX runs_type_created_idx ON ops.runs (type, created_at DESC, id DESC);
    CREATE INDEX runs_active_idx ON ops.runs (status) WHERE status <> 'completed';

    CREATE TABLE ops.audit_events (
      id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      occurred_at timestamptz NOT NULL DEFAULT now(),
      action      text NOT NULL,
      actor_label text NOT NULL,
      actor       jsonb,
      run_id      bigint,
      runbook_id  text,
      scope       jsonb,
      outcome     text,
      ip          text,
      details     jsonb NOT NULL DEFAULT '{}'
    );
    CREATE INDEX audit_events_occurred_idx ON ops.audit_events (occurred_at DESC, id DESC);
    CREATE INDEX audit_events_run_idx ON ops.audit_events (run_id, id);
    CREATE INDEX audit_events_action_idx ON ops.audit_events (action, id DESC);
  `);
};

export const down: Migration = async ({ context: sql }) => {
  await sql('DROP TABLE IF EXISTS ops.audit_events, ops.runs');
};
