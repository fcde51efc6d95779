import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pluginRoleName } from '../../apps/daemon/src/plugins/containment/index.ts';
import { runCli } from '../support/cli.ts';
import { restrictedUser } from '../support/restricted-user.ts';

const LIFECYCLE = 'findings.lifecycle.backfill';

/** A managed database: the daemon's user owns its database but may not create roles. */
describe('ops-daemon migrate where the user may not create roles', () => {
  const managed = restrictedUser('managed', [LIFECYCLE]);
  const { user, database, url, asAdmin } = managed;
  const env = { DATABASE_URL: url, OPS_PLUGINS: '' };

  beforeAll(() => managed.create());
  afterAll(() => managed.drop());

  it('migrates, says that a DBA must create the roles, prints their SQL, and works once it is applied', async () => {
    const first = await runCli(['migrate'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`the database user ${user} may not create roles`);
    expect(first.stdout).toContain('ops-daemon migrate --print-sql');
    expect(first.stdout).toContain(`role ${pluginRoleName(LIFECYCLE)} is not granted to ${user}`);

    const printed = await runCli(['migrate', '--print-sql'], env);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toContain(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON "public"."findings" TO "${pluginRoleName(LIFECYCLE)}"`,
    );
    expect(printed.stdout).toContain(`GRANT "${pluginRoleName(LIFECYCLE)}" TO "${user}"`);
    expect(printed.stdout).not.toMatch(/ON "ops"\./);

    await asAdmin(database, (c) => c.query(printed.stdout)); // what the DBA does, once

    const again = await runCli(['migrate', '--json'], env);
    expect(again.code, again.stderr).toBe(0);
    const result = JSON.parse(again.stdout.trim().split('\n').at(-1)!);
    expect(result.pluginRoles.missing).toEqual([]);
    expect(result.pluginRoles.ready).toContainEqual({
      runbookId: LIFECYCLE,
      role: pluginRoleName(LIFECYCLE),
    });

    const preflight = await runCli(['preflight', LIFECYCLE, '--json'], env);
    expect(preflight.code, preflight.stderr).toBe(0);
    expect(JSON.parse(preflight.stdout.trim().split('\n').at(-1)!)).toMatchObject({ affected_count: 0 });
  }, 120_000);
});
