import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineRunbook, type RunbookDefinition } from '../define.ts';
import {
  assertRunbookContract,
  CONTRACT_CHECKS,
  type ContractOptions,
  checkRunbookContract,
} from './contract.ts';
import { startThrowawayPostgres, type ThrowawayPostgres } from './throwaway-postgres.ts';
import { toyFixtures, toyRunbook, toyWork } from './toy-runbook.ts';

const good = toyRunbook();

describe('checkRunbookContract', () => {
  let pg: ThrowawayPostgres;
  beforeAll(async () => {
    pg = await startThrowawayPostgres();
  });
  afterAll(() => pg.stop());

  const failures = async (def: RunbookDefinition, options: Partial<ContractOptions> = {}) => {
    const report = await checkRunbookContract(def, { setup: toyFixtures, postgres: pg, ...options });
    return report.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
  };

  it('passes a runbook that keeps the contract, with every check listed', async () => {
    const report = await checkRunbookContract(defineRunbook(good), { setup: toyFixtures, postgres: pg });
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.checks.map((c) => c.name)).toEqual([
      CONTRACT_CHECKS.definition,
      CONTRACT_CHECKS.parameters,
      CONTRACT_CHECKS.platformFixture,
      CONTRACT_CHECKS.preflightReadOnly,
      CONTRACT_CHECKS.fixturesGiveWork,
      CONTRACT_CHECKS.platformUnchanged,
      CONTRACT_CHECKS.outsideScope,
      CONTRACT_CHECKS.summaryKeys,
      CONTRACT_CHECKS.numbers,
      CONTRACT_CHECKS.thenZero,
      CONTRACT_CHECKS.secondRun,
      CONTRACT_CHECKS.cancellation,
      CONTRACT_CHECKS.resume,
      CONTRACT_CHECKS.narrowing,
      CONTRACT_CHECKS.tenantsInRange,
      CONTRACT_CHECKS.tenantRun,
    ]);
  });

  it('refuses an unknown parameter as the daemon does, before running anything', async () => {
    const withParams = {
      ...good,
      parameters: z.object({ dryRun: z.boolean().default(false) }),
    };
    expect(await failures(withParams, { params: { dryrun: true } })).toEqual([
      'parameters are accepted as the daemon accepts them: unknown parameter dryrun (the daemon refuses the run the same way)',
    ]);
    expect(await failures(withParams, { params: { dryRun: 'yes' } })).toEqual([
      expect.stringMatching(
        /^parameters are accepted as the daemon accepts them: parameter dryRun: .*boolean.* \(the daemon refuses the run the same way\)$/,
      ),
    ]);
    // A runbook without parameters takes none.
    await expect(
      assertRunbookContract(good, { setup: toyFixtures, postgres: pg, params: { force: true } }),
    ).rejects.toThrow(
      'runbook kit.toy.stamp breaks the contract:\n✗ parameters are accepted as the daemon accepts them: this runbook takes no parameters (got force) (the daemon refuses the run the same way)',
    );
  });

  it('refuses a run whose applyChunk ignores the narrowing', async () => {
    // Tenants: platform 1, acme 2, globex 3, initech 4; the range holds all 28 findings.
    expect(await failures(toyRunbook({ ignoreNarrowing: true }))).toEqual([
      "applyChunk honours the narrowing (onlyTenantId, excludeTenantIds): applyChunk of chunk start..28 with excludeTenantIds [2, 3] wrote tenant acme (id 2), globex (id 3): a chunk must leave out the tenants the daemon excludes after their rows failed; applyChunk of chunk start..28 narrowed to tenant acme (id 2) (onlyTenantId) also wrote tenant globex (id 3), initech (id 4): a narrowed chunk must write only that tenant's rows",
      'a run on one tenant changes only that tenant: a run on tenant acme also wrote tenant globex (id 3), initech (id 4)',
    ]);
  });

  it('refuses a run that writes the platform tenant', async () => {
    expect(await failures(toyRunbook({ writePlatform: true }))).toEqual([
      "the platform tenant never changes: the run wrote rows of the platform tenant (external_id 'platform', id 1): leave them out of every count and write (the daemon's rule for every runbook)",
    ]);
  });

  it('refuses fixtures without the platform tenant', async () => {
    const failed = await failures(good, {
      async setup(db) {
        await db.query("INSERT INTO tenants (external_id, name) VALUES ('acme', 'Acme')");
        await db.query(`INSERT INTO findings (tenant_id, fingerprint, title, severity, created_at, updated_at)
                        SELECT 1, 'fp-' || g, 't', 'low', now(), now() FROM generate_series(1, 5) g`);
      },
    });
    expect(failed).toEqual([
      "fixtures hold the platform tenant: no tenant with external_id 'platform': insert one with rows the runbook would repair (insertKitTenants does), so the kit can check they never change",
    ]);
  });

  it('refuses a tenantsInRange that names nobody: the daemon could not isolate a failing tenant', async () => {
    expect(await failures(toyRunbook({ noTenants: true }))).toEqual([
      'tenantsInRange names every tenant a chunk writes: tenantsInRange of chunk start..28 did not name tenant acme (id 2), globex (id 3), initech (id 4) whose rows the chunk wrote: the daemon retries a failing chunk tenant by tenant from that list',
    ]);
  });

  it('catches a preflight that writes', async () => {
    const def = {
      ...good,
      async preflight(ctx: Parameters<RunbookDefinition['preflight']>[0]) {
        await ctx.db.query("UPDATE tenants SET name = name || '!'");
        return good.preflight(ctx, { kind: 'all' });
      },
    };
    expect(await failures(def)).toContainEqual(expect.stringMatching(/^preflight is read-only/));
  });

  it('catches an undeclared summary key', async () => {
    const def = {
      ...good,
      run: async (...args: Parameters<RunbookDefinition['run']>) => ({
        ...(await good.run(...args)),
        rows_touched: 1,
      }),
    };
    expect(await failures(def)).toEqual(['reports only declared summary keys: undeclared: rows_touched']);
  });

  it('catches a run that ignores cancellation and writes outside runChunked', async () => {
    const def = {
      ...good,
      async run(ctx: Parameters<RunbookDefinition['run']>[0]) {
        const { rowCount } = await ctx.db.query(
          `UPDATE findings SET lifecycle_version = 1 WHERE lifecycle_version IS NULL
              AND tenant_id <> (SELECT id FROM tenants WHERE external_id = 'platform')`,
        );
        return { updated_count: rowCount };
      },
    };
    const failed = await failures(def);
    expect(failed).toContainEqual(
      expect.stringMatching(/^cancellation is honoured within one chunk: .*affected left: 0/),
    );
    expect(failed).toContainEqual(
      'applyChunk honours the narrowing (onlyTenantId, excludeTenantIds): run wrote tenants 2, 3, 4 without ctx.runChunked: the daemon can neither narrow, retry nor resume such writes',
    );
  });

  it('catches a run that is not idempotent', async () => {
    const def = {
      ...good,
      async run(ctx: Parameters<RunbookDefinition['run']>[0]) {
        await ctx.runChunked(toyWork());
        const { rowCount } = await ctx.db.query(
          "UPDATE tenants SET name = name || '+' WHERE external_id = 'acme'",
        );
        return { updated_count: rowCount };
      },
    };
    expect(await failures(def)).toContainEqual(expect.stringMatching(/^a second run updates 0/));
  });

  it('catches a hasAffected that disagrees with the preflight', async () => {
    const def = { ...good, hasAffected: async () => true };
    expect(await failures(def)).toEqual([
      'run then preflight reports 0: preflight after the run: 0; hasAffected true',
    ]);
  });

  it('reports a definition that breaks the rules without running anything', async () => {
    expect(await failures({ ...good, id: 'Bad' })).toEqual([
      'definition is valid: id must be dotted lower-case words like "findings.lifecycle.backfill" (got "Bad")',
    ]);
  });
});
