import { groupRoleSql } from '../../plugins/containment/index.ts';
import type { Migration } from '../migrator.ts';

// The audit trail is append-only for every application role, the daemon's included: a statement
// trigger refuses UPDATE, DELETE and TRUNCATE, even one that would match no row. ENABLE ALWAYS: it
// fires even with session_replication_role = replica. Only the table's owner (or a superuser),
// dropping the trigger first, can rewrite the trail; plugin roles cannot even read it.
//
// Plugin statements run under restricted roles (plugins/containment/plugin-roles.ts): the group
// role ops_plugin is created here when the connected user may create roles; the per-runbook roles
// depend on the plugins loaded, so the daemon creates them after loading (ensurePluginRoles). A
// user that may not create roles skips this part; `ops-daemon migrate` says so and
// `ops-daemon migrate --print-sql` prints what a DBA runs once.
export const up: Migration = async ({ context: sql }) => {
  await sql(`
    CREATE FUNCTION ops.refuse_audit_rewrite() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      RAISE EXCEPTION 'ops.audit_events is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'audit events are written once and never changed or removed';
    END
    $fn$;
    CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ops.audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION ops.refuse_audit_rewrite();
    ALTER TABLE ops.audit_events ENABLE ALWAYS TRIGGER audit_events_append_only;
  `);
  // Each statement on its own: a grant the user may not give (schema public owned by someone
  // else) leaves a notice, not a failed migration; plugins then get "denied access" errors.
  const statements = groupRoleSql()
    .map(
      (s) =>
        `BEGIN EXECUTE ${dollarQuoted(s)}; EXCEPTION WHEN insufficient_privilege THEN RAISE NOTICE '%', SQLERRM; END;`,
    )
    .join('\n        ');
  await sql(`
    DO $ops010$
    BEGIN
      IF (SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user) THEN
        ${statements}
      END IF;
    END
    $ops010$;
  `);
};

export const down: Migration = async ({ context: sql }) => {
  await sql(`
    DROP TRIGGER IF EXISTS audit_events_append_only ON ops.audit_events;
    DROP FUNCTION IF EXISTS ops.refuse_audit_rewrite();
  `);
};

const dollarQuoted = (text: string) => `$stmt$${text}$stmt$`;
