import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf } from '../support/api-helpers.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { writePlugin } from './plugin-fixtures.ts';

/**
 * `sampleChanges` of plugins loaded through OPS_PLUGINS, in the sandbox: it runs read-only like a
 * preflight (a write is refused, nothing changes), and what it returns reaches the operator as plain
 * rows only (at most `limit` keys, never the platform tenant).
 */
const WRITING = 'careless.sample.writes';
const LOOSE = 'careless.sample.loose';

const plugin = (id: string, body: string) => `import { defineRunbook } from '@ops/runbook-sdk';
export default defineRunbook({
  id: '${id}', version: '1.0.0', title: '${id}', description: 'careless on purpose', sdk: '^2.0.0',
  capability: 'platform.runbooks.${id.replaceAll('.', '_')}', scopes: ['all', 'tenant'], confirmationPhrase: 'GO',
  resources: ['table:findings'],
  preflight: async () => ({ affected_count: 1 }),
  run: async () => ({}),
  ${body}
});
`;

const writing = plugin(
  WRITING,
  `async sampleChanges(ctx) {
    await ctx.db.query("UPDATE findings SET severity = 'PWNED' WHERE id = 3");
    return [];
  },`,
);

const loose = plugin(
  LOOSE,
  `async sampleChanges(_ctx, _scope, { limit }) {
    const rows = [{ key: 1, tenant: 'platform', field: 'status', before: 'open', after: 'new' }];
    for (let i = 2; i < 2 + limit + 5; i++) {
      rows.push({ key: i, tenant: 'tenant-1', field: 'status', before: null, after: { nested: i }, secret: 'x' });
    }
    return rows;
  },`,
);

describe('sampleChanges in the plugin sandbox', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-change-sample-'));
  fs.chmodSync(root, 0o755);
  const dirs = [writePlugin(root, 'writing', writing), writePlugin(root, 'loose', loose)];
  let d: TestDaemon;
  let api: ReturnType<TestDaemon['client']>;

  const findingsChecksum = async () =>
    (
      await d.t.sql<{ sum: string }>(
        "SELECT md5(string_agg(f::text, '|' ORDER BY id)) AS sum FROM findings f",
      )
    )[0]!.sum;

  beforeAll(async () => {
    d = await startTestDaemon({ tenants: 2, findings: 200 }, { OPS_PLUGINS: dirs.join(',') });
    api = d.client((await d.signIn('operator@ops.local')).cookie);
  });
  afterAll(async () => {
    await d?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('refuses a sample that writes, in words naming it; no row changed, the attempt audited', async () => {
    const before = await findingsChecksum();
    const error = await errorOf(
      api.runbooks.diff.mutate({ runbookId: WRITING, scope: { kind: 'all' }, limit: 5 }),
    );
    expect(error.message).toContain(`runbook ${WRITING}'s change sample tried to write`);
    expect(error.message).not.toMatch(/SQLSTATE|read-only transaction/);
    expect(await findingsChecksum()).toBe(before);
    const [audited] = await d.t.sql<{ details: { read: string } }>(
      `SELECT details FROM ops.audit_events WHERE action = 'runbook.preflight_failed' AND runbook_id = $1
        ORDER BY id DESC LIMIT 1`,
      [WRITING],
    );
    expect(audited!.details.read).toBe('change sample');
  });

  it('passes on plain text rows only: at most `limit` keys, no platform row, nothing extra', async () => {
    const { diff } = await api.runbooks.diff.mutate({ runbookId: LOOSE, scope: { kind: 'all' }, limit: 3 });
    expect(diff).toEqual([
      { key: '2', tenant: 'tenant-1', field: 'status', before: null, after: '{"nested":2}' },
      { key: '3', tenant: 'tenant-1', field: 'status', before: null, after: '{"nested":3}' },
      { key: '4', tenant: 'tenant-1', field: 'status', before: null, after: '{"nested":4}' },
    ]);
  });
});
