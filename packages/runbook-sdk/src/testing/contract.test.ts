import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeysetWork, SqlExecutor } from '../context.ts';
import { defineRunbook, type RunbookDefinition } from '../define.ts';
import { checkRunbookContract } from './contract.ts';
import { startThrowawayPostgres, type ThrowawayPostgres } from './throwaway-postgres.ts';

// A toy runbook (stamp lifecycle_version = 1 where it is missing), and ways to break it.
const affectedSql = 'SELECT count(*)::int AS n FROM findings WHERE lifecycle_version IS NULL';

const work: KeysetWork = {
  async countItems(db) {
    return (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM findings')).rows[0]!.n;
  },
  async nextChunk(db, afterId, size) {
    const { rows } = await db.query<{ last: string | null; n: number }>(
      'SELECT max(id)::text AS last, count(*)::int AS n FROM (SELECT id FROM findings WHERE id > coalesce($1::bigint, 0) ORDER BY id LIMIT $2) c',
      [afterId, size],
    );
    return rows[0]!.last === null ? null : { lastId: rows[0]!.last, items: rows[0]!.n };
  },
  async tenantsInRange() {
    return [];
  },
  async applyChunk(tx, chunk) {
    const { rowCount } = await tx.query(
      'UPDATE findings SET lifecycle_version = 1 WHERE id > coalesce($1::bigint, 0) AND id <= $2::bigint AND lifecycle_version IS NULL',
      [chunk.afterId, chunk.lastId],
    );
    return { updated: rowCount };
  },
};

const good: RunbookDefinition = {
  id: 'kit.toy.stamp',
  version: '1.0.0',
  title: 'Stamp',
  description: 'Stamps lifecycle_version',
  sdk: '^1.0.0',
  capability: 'platform.runbooks.kit_toy',
  scopes: ['all'],
  confirmationPhrase: 'STAMP',
  async preflight(ctx) {
    return { affected_count: (await ctx.db.query<{ n: number }>(affectedSql)).rows[0]!.n };
  },
  async run(ctx) {
    return { ...(await ctx.runChunked(work)) };
  },
};

async function setup(db: SqlExecutor) {
  await db.query("INSERT INTO tenants (external_id, name) VALUES ('acme', 'Acme')");
  await db.query(`INSERT INTO findings (tenant_id, fingerprint, title, severity, created_at, updated_at)
                  SELECT 1, 'fp-' || g, 't', 'low', now(), now() FROM generate_series(1, 7) g`);
}

describe('checkRunbookContract', () => {
  let pg: ThrowawayPostgres;
  beforeAll(async () => {
    pg = await startThrowawayPostgres();
  });
  afterAll(() => pg.stop());

  const failures = async (def: RunbookDefinition) => {
    const report = await checkRunbookContract(def, { setup, postgres: pg });
    return report.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
  };

  it('passes a runbook that keeps the contract', async () => {
    expect(await failures(defineRunbook(good))).toEqual([]);
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
      run: async (ctx: Parameters<RunbookDefinition['run']>[0]) => ({
        ...(await ctx.runChunked(work)),
        rows_touched: 1,
      }),
    };
    expect(await failures(def)).toEqual(['reports only declared summary keys: undeclared: rows_touched']);
  });

  it('catches a run that ignores cancellation', async () => {
    const def = {
      ...good,
      async run(ctx: Parameters<RunbookDefinition['run']>[0]) {
        const { rowCount } = await ctx.db.query(
          'UPDATE findings SET lifecycle_version = 1 WHERE lifecycle_version IS NULL',
        );
        return { updated_count: rowCount };
      },
    };
    expect(await failures(def)).toContainEqual(
      expect.stringMatching(/^cancellation is honoured within one chunk: .*affected left: 0/),
    );
  });

  it('catches a run that is not idempotent', async () => {
    const def = {
      ...good,
      async run(ctx: Parameters<RunbookDefinition['run']>[0]) {
        await ctx.runChunked(work);
        const { rowCount } = await ctx.db.query("UPDATE tenants SET name = name || '+'");
        return { updated_count: rowCount };
      },
    };
    expect(await failures(def)).toContainEqual(expect.stringMatching(/^a second run updates 0/));
  });

  it('reports a definition that breaks the rules without running anything', async () => {
    expect(await failures({ ...good, id: 'Bad' })).toEqual([
      'definition is valid: id must be dotted lower-case words like "findings.lifecycle.backfill" (got "Bad")',
    ]);
  });
});
