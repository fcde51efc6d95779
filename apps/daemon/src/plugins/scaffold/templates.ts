/** The files of a new plugin package; `{{…}}` placeholders are filled by `scaffoldPlugin`. */
export const TEMPLATES: Record<string, string> = {
  'src/index.ts': `import { defineRunbook, type KeysetWork, type ResolvedScope, sql } from '@ops/runbook-sdk';
import { z } from 'zod';

// An example to start from: lower-cases findings' severity ("HIGH" -> "high"). Replace the SQL
// with your repair; keep the shape: a read-only preflight, and keyset chunks that write only the
// rows that need it, so a second run changes nothing. Build SQL with the sql\`…\` template: every
// \${value} in it is sent as a bound parameter, never spliced into the text.

/** Findings (f) of tenants (t) in scope; never the platform tenant's. */
const inScope = (scope: ResolvedScope) =>
  scope.kind === 'all'
    ? sql\`t.external_id <> \${'platform'}\`
    : sql\`t.external_id <> \${'platform'} AND f.tenant_id = \${scope.tenantId}::bigint\`;

/** Rows to repair: a severity not in lower case (only \`severity\`'s, any case, when the operator names one). */
const needsWork = (severity: string | null) =>
  sql\`f.severity <> lower(f.severity) AND (\${severity}::text IS NULL OR lower(f.severity) = lower(\${severity}::text))\`;

const parameters = z.object({
  severity: z.string().trim().max(40).optional().describe('Only this severity (any case, e.g. HIGH); all when empty'),
});
const severityOf = (params: Record<string, unknown>) => (params as z.infer<typeof parameters>).severity || null;
const FROM = sql\`findings f JOIN tenants t ON t.id = f.tenant_id\`;

function work(scope: ResolvedScope, severity: string | null): KeysetWork {
  return {
    async countItems(db) {
      const { rows } = await db.query<{ n: number }>(sql\`SELECT count(*)::int AS n FROM \${FROM} WHERE \${inScope(scope)}\`);
      return rows[0]?.n ?? 0;
    },
    async nextChunk(db, afterId, size) {
      const { rows } = await db.query<{ last: string | null; n: number }>(
        sql\`SELECT max(id)::text AS last, count(*)::int AS n FROM (
              SELECT f.id FROM \${FROM} WHERE f.id > coalesce(\${afterId}::bigint, 0) AND \${inScope(scope)}
               ORDER BY f.id LIMIT \${size}) c\`,
      );
      return rows[0]?.last ? { lastId: rows[0].last, items: rows[0].n } : null;
    },
    async tenantsInRange(db, range) {
      const { rows } = await db.query<{ tenant_id: string; external_id: string }>(
        sql\`SELECT DISTINCT f.tenant_id, t.external_id FROM \${FROM}
             WHERE f.id > coalesce(\${range.afterId}::bigint, 0) AND f.id <= \${range.lastId}::bigint AND \${inScope(scope)}\`,
      );
      return rows.map((r) => ({ tenantId: Number(r.tenant_id), externalId: r.external_id }));
    },
    async applyChunk(tx, chunk) {
      const { rowCount } = await tx.query(
        sql\`UPDATE findings f SET severity = lower(f.severity), updated_at = now() FROM tenants t
             WHERE t.id = f.tenant_id AND f.id > coalesce(\${chunk.afterId}::bigint, 0) AND f.id <= \${chunk.lastId}::bigint
               AND (\${chunk.onlyTenantId}::bigint IS NULL OR f.tenant_id = \${chunk.onlyTenantId}::bigint)
               AND NOT (f.tenant_id = ANY(\${chunk.excludeTenantIds}::bigint[]))
               AND \${needsWork(severity)} AND \${inScope(scope)}\`,
      );
      return { updated: rowCount };
    },
  };
}

export default defineRunbook({
  id: '{{id}}',
  version: '0.1.0',
  title: '{{title}}',
  description: 'Describe what this runbook repairs, and what it never touches.',
  sdk: '^2.0.0',
  capability: '{{capability}}',
  scopes: ['all', 'tenant'],
  confirmationPhrase: '{{phrase}}',
  // The tables this runbook writes: its database role may change these and no others.
  resources: ['table:findings'],
  // Typed parameters: the console renders a form, the CLI takes --param severity=HIGH.
  parameters,
  async preflight(ctx, scope) {
    const NEEDS_WORK = needsWork(severityOf(ctx.params));
    const { rows } = await ctx.db.query<{ affected: number; scanned: number; tenants: number }>(
      sql\`SELECT count(*) FILTER (WHERE \${NEEDS_WORK})::int AS affected, count(*)::int AS scanned,
                 count(DISTINCT f.tenant_id) FILTER (WHERE \${NEEDS_WORK})::int AS tenants
            FROM \${FROM} WHERE \${inScope(scope)}\`,
    );
    const r = rows[0]!;
    return { affected_count: r.affected, total_scanned: r.scanned, estimated_tenants: r.tenants };
  },
  async run(ctx, scope) {
    return { ...(await ctx.runChunked(work(scope, severityOf(ctx.params)))) };
  },
  // Optional lifecycle hooks: called once the run has ended, outside any transaction, within
  // OPS_HOOK_TIMEOUT_MS; audited, and they never change the run's outcome.
  async afterComplete(ctx, { outcome, summary }) {
    ctx.log(\`{{id}} \${outcome}: \${summary.updated_count ?? 0} findings normalised\`);
  },
});
`,
  'src/runbook.test.ts': `import { assertRunbookContract, insertKitTenants } from '@ops/runbook-sdk/testing';
import { expect, it } from 'vitest';
import runbook from './index.ts';

// The SDK's kit runs the runbook as the daemon does, on a throwaway PostgreSQL: parameters parsed
// by its schema, the platform tenant never written, narrowing honoured, every call within a limit.
it('keeps the runbook contract on a real PostgreSQL', async () => {
  const report = await assertRunbookContract(runbook, {
    volatileColumns: ['findings.updated_at'],
    async setup(db) {
      // The platform tenant and three customers, each with findings the runbook would repair.
      await insertKitTenants(db);
      await db.query(\`INSERT INTO findings (tenant_id, fingerprint, title, severity, created_at, updated_at)
        SELECT t.id, 'fp-' || g, 'Finding', (ARRAY['HIGH', 'low', 'Medium'])[1 + g % 3], now(), now()
          FROM tenants t CROSS JOIN generate_series(1, 6) g\`);
    },
  });
  expect(report.ok).toBe(true);
}, 180_000);
`,
  // import.meta\u002eurl below: the CLI's build replaces the text of import.meta's url in every
  // source, strings included (scripts/build-cli.mjs), so the template must not spell it out.
  'src/runbook.e2e.test.ts': `import { fileURLToPath } from 'node:url';
import { insertKitTenants, type KitTenantIds, startTestDaemon } from '@ops/runbook-sdk/testing';
import { expect, it } from 'vitest';

// End to end: the kit serves the real daemon (API, run service, plugin sandbox) with this folder's
// plugin on a throwaway PostgreSQL, and the runbook runs through the API as an operator runs it.
// Needs @ops/daemon (a devDependency: the daemon's folder, linked by \`plugins new\`).
const pluginFolder = fileURLToPath(new URL('..', import.meta\u002eurl));

it('runs through the real daemon\u2019s API with this plugin loaded', async () => {
  let tenants: KitTenantIds | undefined;
  const daemon = await startTestDaemon({
    plugins: [pluginFolder],
    async setup(db) {
      tenants = await insertKitTenants(db);
      // Per tenant: 2 "HIGH" and 2 "Medium" to lower-case, 2 "low" already fine.
      await db.query(\`INSERT INTO findings (tenant_id, fingerprint, title, severity, created_at, updated_at)
        SELECT t.id, 'fp-' || g, 'Finding', (ARRAY['HIGH', 'low', 'Medium'])[1 + g % 3], now(), now()
          FROM tenants t CROSS JOIN generate_series(1, 6) g\`);
    },
  });
  try {
    const catalog = await daemon.call<{ id: string; unavailableReason: string | null }[]>('runbooks.list');
    // A plugin the daemon refused is listed with the reason (its folder as the id).
    expect(catalog.filter((r) => r.unavailableReason)).toEqual([]);
    expect(catalog.map((r) => r.id)).toContain('{{id}}');
    const one = await daemon.runToEnd('{{id}}', { kind: 'tenant', tenantId: tenants!.acme });
    expect(one.outcome).toBe('succeeded');
    expect(one.summary.updated_count).toBe(4);
    const all = await daemon.runToEnd('{{id}}', { kind: 'all' });
    expect(all.outcome).toBe('succeeded');
    expect(all.summary.updated_count).toBe(8); // globex's and initech's; acme's are done
    const { rows } = await daemon.db.query<{ external_id: string; n: number }>(
      \`SELECT t.external_id, count(*)::int AS n FROM findings f JOIN tenants t ON t.id = f.tenant_id
        WHERE f.severity <> lower(f.severity) GROUP BY t.external_id\`,
    );
    expect(rows).toEqual([{ external_id: 'platform', n: 4 }]); // the platform tenant is never written
  } finally {
    await daemon.stop();
  }
}, 300_000);
`,
  'README.md': `# {{id}}

A runbook for Ops Runbooks, made by \`ops-daemon plugins new\`.

- \`npm test\` checks it against the runbook contract on a throwaway PostgreSQL (the SDK's kit),
  then serves it in the real daemon (\`startTestDaemon()\`, from the linked \`@ops/daemon\`) and
  runs it through the API (src/runbook.e2e.test.ts).
- \`ops-daemon plugins check {{dir}}\` validates the definition without starting anything.
- \`ops-daemon plugins add {{dir}}\` registers this folder with the daemon (in its OPS_DATA_DIR), so
  \`ops-daemon serve\` and every command started with that data folder load it.

Next steps:

\`\`\`sh
{{next}}
\`\`\`
`,
  '.gitignore': `node_modules/
`,
};

/**
 * Only outside the repository: \`@ops/*\` resolves to an address that answers nobody, so a missing
 * SDK tarball fails the install loudly instead of fetching a stranger's \`@ops/runbook-sdk\` from the
 * public registry (dependency confusion). The SDK itself comes from its \`file:\` tarball.
 */
export const OUTSIDE_NPMRC = `# @ops/* packages are never taken from a registry: @ops/runbook-sdk comes from a file (package.json).
@ops:registry=http://127.0.0.1:9/
`;
