import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seedDemoData } from '../../apps/daemon/src/seed/index.ts';
import { runCli } from '../support/cli.ts';
import { turnApprovalsOff } from '../support/database.ts';
import { restrictedUser } from '../support/restricted-user.ts';

const RUNBOOK = 'findings.lifecycle.backfill';
const JOURNAL_SQL = '-- Run journal of';

/**
 * A database where the daemon's user does not own the table the reversible runbook declares
 * (public.findings belongs to another role, as a product's own migrations often leave it): the
 * journal trigger cannot be installed by the daemon. Its runs say so, and a revert is refused
 * with that reason, until a DBA runs the journal's SQL from `ops-daemon migrate --print-sql`.
 */
/**
 * This test plays the DBA: it creates a login role, hands the product's table to another owner and
 * applies `migrate --print-sql` as a superuser. Against a server reached through a role that is
 * not one (CI's second pass, `.ci/server-postgres.sh`), it cannot, and says so.
 */
async function adminIsSuperuser(): Promise<boolean> {
  const client = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await client.connect();
  try {
    const { rows } = await client.query<{ on: string }>("SELECT current_setting('is_superuser') AS on");
    return rows[0]?.on === 'on';
  } finally {
    await client.end();
  }
}
const superuser = await adminIsSuperuser();
if (!superuser) {
  process.stderr.write(
    "\n*** non-owner journal test skipped: it acts as a superuser DBA, and the test server's role (DATABASE_URL) is not a superuser ***\n\n",
  );
}

describe.skipIf(!superuser)(
  'a reversible runbook whose table the daemon does not own (real PostgreSQL, CLI)',
  () => {
    const nonOwner = restrictedUser('nonowner', [RUNBOOK]);
    const { user, database, url, asAdmin } = nonOwner;
    const env = { DATABASE_URL: url, OPS_PLUGINS: '', OPS_CHUNK_SIZE: '200' };
    let printed = '';

    beforeAll(async () => {
      await nonOwner.create();
      const migrated = await runCli(['migrate'], env);
      expect(migrated.code, migrated.stderr).toBe(0);
      await asAdmin(database, async (c) => {
        // The product's table changes hands: the daemon keeps its rights on the rows, not ownership.
        await c.query('ALTER TABLE public.findings OWNER TO postgres');
        await c.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON public.findings TO ${user} WITH GRANT OPTION`);
      });
      const pool = new pg.Pool({ connectionString: nonOwner.adminUrl(database), max: 2 });
      try {
        await turnApprovalsOff(pool);
        await seedDemoData(pool, { tenants: 3, findings: 900, drift: 0.5, seed: 15 });
      } finally {
        await pool.end();
      }
      const sql = await runCli(['migrate', '--print-sql'], env);
      expect(sql.code, sql.stderr).toBe(0);
      printed = sql.stdout;
      // The DBA runs the plugin roles' part now; the journal's part only later in this test.
      const roles = printed.slice(0, printed.indexOf(JOURNAL_SQL));
      await asAdmin(database, (c) => c.query(roles));
    }, 180_000);

    afterAll(() => nonOwner.drop());

    it('says before confirming that the run would not be reversible, and why', async () => {
      const preflight = await runCli(['preflight', RUNBOOK], env);
      expect(preflight.code, preflight.stderr).toBe(0);
      expect(preflight.stdout).toContain(
        `not reversible here: the journal on public.findings could not be set up: the daemon's database user ${user} does not own public.findings`,
      );
      expect(preflight.stdout).toContain('ops-daemon migrate --print-sql');
    }, 120_000);

    it('runs, records that it ran without the journal, and a revert is refused with that reason', async () => {
      const exec = await runCli(
        [
          'exec',
          RUNBOOK,
          '--reason-code',
          'DATA_REPAIR',
          '--reason-text',
          'non-owner',
          '--confirm',
          'BACKFILL',
          '--json',
        ],
        env,
      );
      expect(exec.code, exec.stderr).toBe(0);
      const ran = exec.json<{ run_id: string; outcome: string; summary: { updated_count: number } }>();
      expect(ran.outcome).toBe('succeeded');
      expect(ran.summary.updated_count).toBeGreaterThan(0);

      const shown = await runCli(['runs', 'show', ran.run_id, '--json'], env);
      expect(shown.code, shown.stderr).toBe(0);
      const record = shown.json<{ context: { journal?: { status: string; reason: string } } }>();
      expect(record.context.journal?.status).toBe('unavailable');
      expect(record.context.journal?.reason).toContain(`does not own public.findings`);
      const text = await runCli(['runs', 'show', ran.run_id], env);
      expect(text.stdout).toContain('not reversible: the journal on public.findings could not be set up');

      const journalRows = await asAdmin(database, async (c) =>
        Number((await c.query('SELECT count(*) AS n FROM ops.run_journal')).rows[0].n),
      );
      expect(journalRows).toBe(0);
      const [audited] = await asAdmin(
        database,
        async (c) =>
          (
            await c.query<{ details: { journal?: { status: string } } }>(
              "SELECT details FROM ops.audit_events WHERE action = 'run.started' AND run_id = $1",
              [ran.run_id],
            )
          ).rows,
      );
      expect(audited?.details.journal?.status).toBe('unavailable');

      const revert = await runCli(
        ['revert', ran.run_id, '--reason-code', 'INCIDENT', '--reason-text', 'undo', '--confirm', 'REVERT'],
        env,
      );
      expect(revert.code).not.toBe(0);
      const said = revert.stdout + revert.stderr;
      expect(said).toContain(`run ${ran.run_id} cannot be reverted: it ran without the journal`);
      expect(said).toContain(`does not own public.findings`);
      expect(said).not.toContain('changed no rows');
      expect(said).not.toMatch(/must be owner/); // never PostgreSQL's text
    }, 180_000);

    it("prints the journal's trigger SQL for a DBA; once applied, runs are journaled again", async () => {
      expect(printed).toContain('CREATE TRIGGER ops_journal_update AFTER UPDATE ON "public"."findings"');
      expect(printed).toContain('REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows');
      expect(printed).toContain(`OWNER TO "${user}"`);
      await asAdmin(database, (c) => c.query(printed.slice(printed.indexOf(JOURNAL_SQL))));
      const preflight = await runCli(['preflight', RUNBOOK, '--json'], env);
      expect(preflight.code, preflight.stderr).toBe(0);
      expect(preflight.json<Record<string, unknown>>().not_reversible).toBeUndefined();
      const triggers = await asAdmin(database, async (c) =>
        (
          await c.query<{ tgname: string }>(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'public.findings'::regclass AND tgname LIKE 'ops_journal%' ORDER BY 1",
          )
        ).rows.map((r) => r.tgname),
      );
      expect(triggers).toEqual(['ops_journal_refuse', 'ops_journal_update']);
    }, 180_000);
  },
);
