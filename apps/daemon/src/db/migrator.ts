import type { Sequelize, Transaction } from 'sequelize';
import type { UmzugStorage } from 'umzug';
import * as m001 from './migrations/001_tenant_tables.ts';
import * as m002 from './migrations/002_runs_and_audit.ts';
import * as m003 from './migrations/003_identity.ts';
import * as m004 from './migrations/004_notifications.ts';
import * as m005 from './migrations/005_alerts_schedules.ts';
import * as m006 from './migrations/006_work_units.ts';
import * as m007 from './migrations/007_run_params.ts';
import * as m008 from './migrations/008_run_leases.ts';
import * as m009 from './migrations/009_alert_secrets.ts';
import * as m010 from './migrations/010_plugin_roles_audit_append_only.ts';
import * as m011 from './migrations/011_occurrence_reaping.ts';
import * as m012 from './migrations/012_run_inputs.ts';
import * as m013 from './migrations/013_audit_hash_chain.ts';
import * as m014 from './migrations/014_approvals.ts';
import * as m015 from './migrations/015_run_journal.ts';
import * as m016 from './migrations/016_run_lease_fence_key.ts';
import * as m019 from './migrations/019_run_request_inputs.ts';

/** A migration gets one function: run SQL (several statements allowed). */
export type Migration = (params: { context: (sql: string) => Promise<unknown> }) => Promise<void>;

// Listed explicitly (not globbed) so the order is reviewable and works from any working directory.
const MIGRATIONS: { name: string; up: Migration; down: Migration }[] = [
  { name: '001_tenant_tables', ...m001 },
  { name: '002_runs_and_audit', ...m002 },
  { name: '003_identity', ...m003 },
  { name: '004_notifications', ...m004 },
  { name: '005_alerts_schedules', ...m005 },
  { name: '006_work_units', ...m006 },
  { name: '007_run_params', ...m007 },
  { name: '008_run_leases', ...m008 },
  { name: '009_alert_secrets', ...m009 },
  { name: '010_plugin_roles_audit_append_only', ...m010 },
  { name: '011_occurrence_reaping', ...m011 },
  { name: '012_run_inputs', ...m012 },
  { name: '013_audit_hash_chain', ...m013 },
  { name: '014_approvals', ...m014 },
  { name: '015_run_journal', ...m015 },
  { name: '016_run_lease_fence_key', ...m016 },
  { name: '019_run_request_inputs', ...m019 },
];

/** Every migration's name, in order. */
export const MIGRATION_NAMES: readonly string[] = MIGRATIONS.map((m) => m.name);

/** Umzug's record of applied migrations, written inside the migration transaction. */
class TransactionalStorage implements UmzugStorage {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly transaction: Transaction,
  ) {}
  async executed(): Promise<string[]> {
    const [rows] = await this.sequelize.query('SELECT name FROM ops.migrations ORDER BY name', {
      transaction: this.transaction,
    });
    return (rows as { name: string }[]).map((r) => r.name);
  }
  async logMigration({ name }: { name: string }): Promise<void> {
    await this.sequelize.query('INSERT INTO ops.migrations (name) VALUES ($1)', {
      bind: [name],
      transaction: this.transaction,
    });
  }
  async unlogMigration({ name }: { name: string }): Promise<void> {
    await this.sequelize.query('DELETE FROM ops.migrations WHERE name = $1', {
      bind: [name],
      transaction: this.transaction,
    });
  }
}

/**
 * Applies pending migrations and returns their names. The whole pass is one transaction under an
 * advisory lock, so daemons starting together migrate once and a failed migration leaves nothing.
 */
export async function migrate(sequelize: Sequelize): Promise<string[]> {
  return sequelize.transaction(async (transaction) => {
    const sql = (text: string) => sequelize.query(text, { transaction });
    await sql("SELECT pg_advisory_xact_lock(hashtext('ops:migrate'))");
    await sql('CREATE SCHEMA IF NOT EXISTS ops');
    await sql(
      'CREATE TABLE IF NOT EXISTS ops.migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    // Most starts find nothing to apply: umzug (a fifth of a second to import) only when there is.
    const [rows] = await sql('SELECT name FROM ops.migrations');
    const done = new Set((rows as { name: string }[]).map((r) => r.name));
    if (MIGRATION_NAMES.every((name) => done.has(name))) return [];
    const { Umzug } = await import('umzug');
    const umzug = new Umzug({
      migrations: MIGRATIONS.map(({ name, up, down }) => ({
        name,
        up: () => up({ context: sql }),
        down: () => down({ context: sql }),
      })),
      context: () => sql,
      storage: new TransactionalStorage(sequelize, transaction),
      logger: undefined,
    });
    const applied = await umzug.up();
    return applied.map((m) => m.name);
  });
}
