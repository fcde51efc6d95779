import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importDaemon, insertKitTenants, type KitDaemon, startTestDaemon } from '@ops/runbook-sdk/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { linkModules, REPO } from './plugin-fixtures.ts';

const RUNBOOK = 'findings.severity.normalize';
const EXAMPLE = path.join(REPO, 'packages/runbook-sdk/src/examples/severity-normalize.ts');

/** The suite's PostgreSQL server, as the kit's `postgres` option wants it. */
const suiteServer = {
  async createDatabase(name: string) {
    const client = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE "${name}"`);
    } finally {
      await client.end();
    }
    return inject('pgAdminUrl').replace(/\/postgres$/, `/${name}`);
  },
};

// The keyset-helper example as an author's plugin folder, served by the real daemon through the kit.
describe('a keysetRepair runbook served by the daemon (the kit’s startTestDaemon)', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-keyset-plugin-'));
  fs.chmodSync(root, 0o755);
  let d: KitDaemon;
  const severities = async (tenant: string) =>
    (
      await d.db.query<{ severity: string }>(
        'SELECT f.severity FROM findings f JOIN tenants t ON t.id = f.tenant_id WHERE t.external_id = $1 ORDER BY f.id',
        [tenant],
      )
    ).rows.map((r) => r.severity);

  beforeAll(async () => {
    const plugin = path.join(root, 'severity-normalize');
    fs.mkdirSync(plugin);
    fs.writeFileSync(
      path.join(plugin, 'package.json'),
      JSON.stringify({ name: 'severity-normalize', type: 'module', exports: { '.': './index.ts' } }),
    );
    fs.writeFileSync(path.join(plugin, 'index.ts'), `export { default } from ${JSON.stringify(EXAMPLE)};\n`);
    linkModules(plugin);
    d = await startTestDaemon({
      plugins: [plugin],
      postgres: suiteServer,
      env: { OPS_CHUNK_SIZE: '5' },
      async setup(db) {
        await insertKitTenants(db);
        await db.query(`INSERT INTO findings (tenant_id, fingerprint, title, severity, created_at, updated_at)
          SELECT t.id, 'fp-' || g, 'Finding ' || g, (ARRAY['HIGH', 'low', ' Medium', 'critical', 'Info '])[1 + g % 5],
                 now(), now()
            FROM tenants t CROSS JOIN generate_series(1, 20) g ORDER BY g, t.id`);
      },
    });
  });
  afterAll(async () => {
    await d?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('lists the runbook, refuses an unknown parameter in the kit’s words, and runs it on one tenant, then all', async () => {
    const catalog = await d.call<{ id: string; available: boolean }[]>('runbooks.list');
    expect(catalog.find((r) => r.id === RUNBOOK)).toMatchObject({ available: true });
    await expect(
      d.call('runbooks.preflight', { runbookId: RUNBOOK, scope: { kind: 'all' }, params: { force: true } }),
    ).rejects.toThrow('runbooks.preflight answered 400: this runbook takes no parameters (got force)');

    const [acme] = (await d.db.query<{ id: string }>("SELECT id FROM tenants WHERE external_id = 'acme'"))
      .rows;
    const scoped = await d.runToEnd(RUNBOOK, { kind: 'tenant', tenantId: Number(acme!.id) });
    expect(scoped).toMatchObject({ outcome: 'succeeded', summary: { updated_count: 12, error_count: 0 } });
    expect(await severities('acme')).not.toContain('HIGH');
    expect(await severities('globex')).toContain('HIGH');

    const all = await d.runToEnd(RUNBOOK, { kind: 'all' });
    expect(all).toMatchObject({ outcome: 'succeeded', summary: { updated_count: 24, error_count: 0 } });
    for (const customer of ['acme', 'globex', 'initech']) {
      expect(new Set(await severities(customer))).toEqual(
        new Set(['low', 'medium', 'critical', 'info', 'high']),
      );
    }
    // The platform tenant's findings stay as they were.
    expect(await severities('platform')).toContain(' Medium');
  });

  it('says how to install the daemon when it is missing', async () => {
    await expect(importDaemon('@ops/no-such-daemon')).rejects.toThrow(
      "startTestDaemon needs the daemon package @ops/no-such-daemon, which is not installed: add it to your plugin's devDependencies (the same way you installed @ops/runbook-sdk), or test with assertRunbookContract, which needs no daemon",
    );
  });
});
