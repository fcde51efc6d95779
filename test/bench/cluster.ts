import { createHash } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { openDatabase } from '../../apps/daemon/src/db/connection.ts';
import { type EmbeddedDatabase, openEmbeddedDatabase } from '../../apps/daemon/src/db/embedded.ts';
import { MIGRATION_NAMES, migrate } from '../../apps/daemon/src/db/migrator.ts';
import { seedDemoData } from '../../apps/daemon/src/seed/index.ts';

/**
 * The benchmark's own embedded PostgreSQL (default settings, data kept in the bench data dir), its
 * seeded template databases, and throwaway copies of them: every measurement that writes starts
 * from the same bytes.
 */
export interface BenchCluster {
  /** A database's URL on this cluster. */
  url(database: string): string;
  /** The template for these seed options, seeded on first use and reused after. */
  template(seed: { findings: number; tenants: number; drift: number; seed: number }): Promise<string>;
  /** A fresh copy of a template (a file copy: seconds for a million findings). */
  copy(template: string, name: string): Promise<string>;
  drop(database: string): Promise<void>;
  stop(): Promise<void>;
}

/** Names change with the schema, so a template from before a migration is never reused. */
const SCHEMA_KEY = createHash('sha1').update(MIGRATION_NAMES.join(',')).digest('hex').slice(0, 8);

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Server settings a bench runs under: none (PostgreSQL's defaults), or those of a server sized for
 * its data (`--pg-settings tuned`). Set with ALTER SYSTEM on every open, after a RESET ALL, so a
 * bench never inherits what an earlier (or interrupted) one set, then restarted (a second).
 */
export type ServerSettings = Readonly<Record<string, string>>;

export async function openBenchCluster(
  dataDir: string,
  log: (line: string) => void,
  settings: ServerSettings = {},
): Promise<BenchCluster> {
  const open = () => openEmbeddedDatabase(path.resolve(dataDir, 'cluster'), { database: 'postgres' });
  let embedded: EmbeddedDatabase = await open();
  const url = (database: string) => embedded.url.replace(/\/[^/]*$/, `/${database}`);
  const admin = async <T>(fn: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: url('postgres') });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };
  const exists = (name: string) =>
    admin(
      async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1,
    );
  const drop = (name: string) =>
    admin((c) => c.query(`DROP DATABASE IF EXISTS ${quote(name)} WITH (FORCE)`)).then(() => {});

  const wanted = Object.entries(settings);
  await admin(async (c) => {
    await c.query('ALTER SYSTEM RESET ALL');
    for (const [name, value] of wanted) {
      await c.query(`ALTER SYSTEM SET ${name} = '${value.replaceAll("'", "''")}'`);
    }
  });
  if (embedded.owned) {
    // shared_buffers takes a restart, and so does undoing it: always (about a second).
    await embedded.stop();
    embedded = await open();
  }
  for (const [name, value] of wanted) log(`server setting ${name} = ${value}`);

  // Copies left by an interrupted benchmark.
  const leftovers = await admin(
    async (c) =>
      (await c.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'bench_run_%'"))
        .rows,
  );
  // Without FORCE: a copy another bench process is measuring right now is in use, and is left alone.
  for (const { datname } of leftovers) {
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${quote(datname)}`)).catch(() => {});
  }

  return {
    url,
    async template(options) {
      const stem = `bench_tpl_${options.findings}_${options.tenants}_${Math.round(options.drift * 100)}_${options.seed}_`;
      const name = `${stem}${SCHEMA_KEY}`;
      if (await exists(name)) return name;
      // The same data under an older schema: migrated forward in place (seconds), not seeded again
      // (minutes at ten million findings). Migrations leave the product's rows as they are.
      const older = await admin(
        async (c) =>
          (
            await c.query<{ datname: string }>(
              "SELECT datname FROM pg_database WHERE datname LIKE $1 || '%' AND datname NOT LIKE '%_building'",
              [stem],
            )
          ).rows[0]?.datname,
      );
      if (older) {
        log(`migrating template ${older} to the current schema…`);
        const db = await openDatabase(url(older));
        try {
          await migrate(db.sequelize); // the product's tables stay vacuumed from their seeding
        } finally {
          await db.close();
        }
        await admin((c) => c.query(`ALTER DATABASE ${quote(older)} RENAME TO ${quote(name)}`));
        return name;
      }
      const building = `${name}_building`;
      await drop(building);
      await admin((c) => c.query(`CREATE DATABASE ${quote(building)}`));
      log(`seeding ${options.findings.toLocaleString('en-US')} findings into template ${name} (once)…`);
      const db = await openDatabase(url(building));
      try {
        await migrate(db.sequelize);
        // The bench measures runs, not four-eyes approval: an explicit "no approval" policy for every
        // runbook (as test/support/database.ts turnApprovalsOff), so exec starts all-tenants runs.
        await db.pool.query(
          `INSERT INTO ops.approval_policies (runbook_id, mode, updated_by)
           VALUES ('*', 'none', '{"label": "bench: approvals off"}') ON CONFLICT (runbook_id) DO NOTHING`,
        );
        await seedDemoData(db.pool, options);
        // As a table in service would be: vacuumed (visibility map set) and analyzed.
        await db.pool.query('VACUUM ANALYZE');
      } finally {
        await db.close();
      }
      await admin((c) => c.query(`ALTER DATABASE ${quote(building)} RENAME TO ${quote(name)}`));
      return name;
    },
    async copy(template, name) {
      await drop(name);
      await admin((c) =>
        c.query(`CREATE DATABASE ${quote(name)} TEMPLATE ${quote(template)} STRATEGY FILE_COPY`),
      );
      return url(name);
    },
    drop,
    stop: () => embedded.stop(),
  };
}
