import type { Migration } from '../migrator.ts';

// Alert destinations and their deliveries, and cron schedules with their occurrences. Status values
// mirror alerts/delivery-state.ts and schedules/schedule-store.ts.
export const up: Migration = async ({ context: sql }) => {
  await sql(`
    CREATE TABLE ops.alert_destinations (
      id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      kind              text NOT NULL CHECK (kind IN ('email', 'teams')),
      name              text NOT NULL,
      -- e-mail: who receives it; empty for Teams.
      recipients        text[] NOT NULL DEFAULT '{}',
      -- Teams: the webhook URL; e-mail: an SMTP URL overriding OPS_SMTP_URL (it may hold a password).
      -- Never returned by the API in full.
      secret            text,
      enabled           boolean NOT NULL DEFAULT true,
      notify_on_success boolean NOT NULL DEFAULT false,
      -- Set for the destinations made from OPS_ALERT_EMAILS / OPS_TEAMS_WEBHOOK_URL.
      env_key           text UNIQUE,
      created_by        text,
      created_at        timestamptz NOT NULL DEFAULT now(),
      updated_at        timestamptz NOT NULL DEFAULT now(),
      CHECK (kind <> 'teams' OR secret IS NOT NULL),
      CHECK (kind <> 'email' OR cardinality(recipients) > 0)
    );

    CREATE TABLE ops.schedules (
      id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name        text NOT NULL,
      cron        text NOT NULL,
      timezone    text NOT NULL,
      runbook_id  text NOT NULL,
      scope       jsonb NOT NULL,
      params      jsonb NOT NULL DEFAULT '{}',
      mode        text NOT NULL CHECK (mode IN ('preflight', 'run')),
      reason_code text,
      reason_text text,
      enabled     boolean NOT NULL DEFAULT true,
      created_by  jsonb NOT NULL,
      -- Bumped by every edit, so each daemon knows to rebuild its cron task.
      version     integer NOT NULL DEFAULT 1,
      created_at  timestamptz NOT NULL DEFAULT now(),
      updated_at  timestamptz NOT NULL DEFAULT now(),
      CHECK (mode <> 'run' OR (reason_code IS NOT NULL AND reason_text IS NOT NULL))
    );

    -- One row per daemon per tick. The daemon that wins the tick inserts the claimed row (the unique
    -- index below makes the claim exactly-once); the others record a skipped row.
    CREATE TABLE ops.schedule_occurrences (
      id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      schedule_id    bigint NOT NULL REFERENCES ops.schedules (id) ON DELETE CASCADE,
      slot_at        timestamptz NOT NULL,
      claimed        boolean NOT NULL,
      status         text NOT NULL CHECK (status IN
                       ('firing', 'started', 'nothing_to_do', 'drift_detected', 'clean', 'skipped', 'failed')),
      reason         text,
      run_id         bigint REFERENCES ops.runs (id),
      affected_count bigint,
      daemon         text NOT NULL,
      created_at     timestamptz NOT NULL DEFAULT now(),
      finished_at    timestamptz
    );
    CREATE UNIQUE INDEX schedule_occurrences_claim_idx ON ops.schedule_occurrences (schedule_id, slot_at)
      WHERE claimed;
    CREATE INDEX schedule_occurrences_schedule_idx ON ops.schedule_occurrences (schedule_id, id DESC);

    -- A finished run is announced (in-app notification, deliveries) exactly once, whichever process
    -- gets there first: the one that ran it, or a daemon's sweep for runs ended elsewhere (the CLI).
    CREATE TABLE ops.run_announcements (
      run_id       bigint PRIMARY KEY REFERENCES ops.runs (id),
      announced_at timestamptz NOT NULL DEFAULT now()
    );
    INSERT INTO ops.run_announcements (run_id) SELECT id FROM ops.runs WHERE status = 'completed';
    CREATE INDEX runs_finished_idx ON ops.runs (finished_at) WHERE status = 'completed';

    CREATE TABLE ops.alert_deliveries (
      id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      destination_id   bigint REFERENCES ops.alert_destinations (id) ON DELETE SET NULL,
      destination_kind text NOT NULL,
      destination_name text NOT NULL,
      event            text NOT NULL,
      run_id           bigint REFERENCES ops.runs (id),
      occurrence_id    bigint REFERENCES ops.schedule_occurrences (id) ON DELETE SET NULL,
      message          jsonb NOT NULL,
      status           text NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending', 'sending', 'delivered', 'failed')),
      attempts         integer NOT NULL DEFAULT 0,
      max_attempts     integer NOT NULL,
      next_attempt_at  timestamptz NOT NULL DEFAULT now(),
      leased_by        text,
      lease_until      timestamptz,
      last_error       text,
      created_at       timestamptz NOT NULL DEFAULT now(),
      updated_at       timestamptz NOT NULL DEFAULT now(),
      delivered_at     timestamptz
    );
    CREATE UNIQUE INDEX alert_deliveries_once_idx ON ops.alert_deliveries (destination_id, run_id, event)
      WHERE run_id IS NOT NULL;
    CREATE INDEX alert_deliveries_run_idx ON ops.alert_deliveries (run_id, id);
    CREATE INDEX alert_deliveries_due_idx ON ops.alert_deliveries (next_attempt_at)
      WHERE status IN ('pending', 'sending');

    CREATE TABLE ops.alert_delivery_attempts (
      id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      delivery_id bigint NOT NULL REFERENCES ops.alert_deliveries (id) ON DELETE CASCADE,
      attempt     integer NOT NULL,
      ok          boolean NOT NULL,
      error       text,
      daemon      text NOT NULL,
      started_at  timestamptz NOT NULL,
      finished_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX alert_delivery_attempts_delivery_idx ON ops.alert_delivery_attempts (delivery_id, attempt);
  `);
};

export const down: Migration = async ({ context: sql }) => {
  await sql(`
    DROP TABLE IF EXISTS ops.alert_delivery_attempts, ops.alert_deliveries, ops.run_announcements,
      ops.schedule_occurrences, ops.schedules, ops.alert_destinations;
    DROP INDEX IF EXISTS ops.runs_finished_idx;
  `);
};
