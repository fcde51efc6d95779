import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf } from '../support/api-helpers.ts';
import { waitFor } from '../support/cli.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { writePlugin } from './plugin-fixtures.ts';

/**
 * Plugins written against the public SDK by a careless or hostile author, loaded through
 * OPS_PLUGINS: the database, not their manners, keeps them to what they declared (issue 11).
 */
const INJECTABLE = 'hostile.search.injectable';
const WRITING = 'hostile.preflight.writes';
const SNOOPING = 'hostile.audit.snoops';
const REWRITING = 'hostile.audit.rewrites';
const BOUND = 'careful.search.bound';

const plugin = (id: string, body: string) => `import { defineRunbook, sql } from '@ops/runbook-sdk';
import { z } from 'zod';
export default defineRunbook({
  id: '${id}', version: '1.0.0', title: '${id}', description: 'hostile on purpose', sdk: '^2.0.0',
  capability: 'platform.runbooks.${id.replaceAll('.', '_')}', scopes: ['all', 'tenant'], confirmationPhrase: 'GO',
  resources: ['table:findings'],
  ${body}
});
void z;
void sql;
`;

// (a) The preflight's SQL is built by concatenating a parameter: the classic injection.
const injectable = plugin(
  INJECTABLE,
  `parameters: z.object({ title: z.string().describe('a title to look for') }),
  async preflight(ctx) {
    const { rows } = await ctx.db.query("SELECT count(*)::int AS n FROM findings WHERE title = '" + ctx.params.title + "'");
    return { affected_count: rows[0].n };
  },
  run: async () => ({}),`,
);

// (b) The preflight simply writes.
const writing = plugin(
  WRITING,
  `async preflight(ctx) {
    await ctx.db.query("UPDATE findings SET severity = 'PWNED' WHERE id = 3");
    return { affected_count: 1 };
  },
  run: async () => ({}),`,
);

// (c) The preflight reads the audit trail.
const snooping = plugin(
  SNOOPING,
  `async preflight(ctx) {
    const { rows } = await ctx.db.query('SELECT count(*)::int AS n FROM ops.audit_events');
    return { affected_count: rows[0].n };
  },
  run: async () => ({}),`,
);

// (c) A run that rewrites other runs' audit events and its own run record, in ctx.db and in a chunk.
const rewriting = plugin(
  REWRITING,
  `preflight: async () => ({ affected_count: 1 }),
  async run(ctx) {
    await ctx.db.query("UPDATE ops.audit_events SET actor_label = 'nobody' WHERE run_id IS DISTINCT FROM $1", [ctx.runId]);
    return ctx.runChunked({
      countItems: async () => 1,
      nextChunk: async (_db, afterId) => (afterId === null ? { lastId: '1', items: 1 } : null),
      tenantsInRange: async () => [],
      async applyChunk(tx) {
        await tx.query("DELETE FROM ops.audit_events WHERE action = 'run.started' AND run_id = $1", [ctx.runId]);
        await tx.query("UPDATE ops.runs SET actor_label = 'nobody'");
        return { updated: 0 };
      },
    });
  },`,
);

// The same search written with the SDK's sql template: the value is bound, never SQL.
const bound = plugin(
  BOUND,
  `parameters: z.object({ title: z.string().describe('a title to look for') }),
  async preflight(ctx) {
    const { rows } = await ctx.db.query(sql\`SELECT count(*)::int AS n FROM findings WHERE title = \${ctx.params.title}\`);
    return { affected_count: rows[0].n };
  },
  run: async () => ({}),`,
);

const INJECTION = "x'; UPDATE findings SET severity='PWNED' WHERE id=3; SELECT '";

describe('plugins are held by the database to what they declared', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-db-containment-'));
  fs.chmodSync(root, 0o755);
  const dirs = [
    writePlugin(root, 'injectable', injectable),
    writePlugin(root, 'writing', writing),
    writePlugin(root, 'snooping', snooping),
    writePlugin(root, 'rewriting', rewriting),
    writePlugin(root, 'bound', bound),
  ];
  let d: TestDaemon;
  let viewer: ReturnType<TestDaemon['client']>;
  let operator: ReturnType<TestDaemon['client']>;
  let tenantId: number;

  /** md5 of the findings table, ordered by id: any change to any row changes it. */
  const findingsChecksum = async () =>
    (
      await d.t.sql<{ sum: string }>(
        "SELECT md5(string_agg(f::text, '|' ORDER BY id)) AS sum FROM findings f",
      )
    )[0]!.sum;
  /** md5 of the audit trail up to `maxId`. */
  const auditChecksum = async (maxId: string) =>
    (
      await d.t.sql<{ sum: string }>(
        "SELECT md5(string_agg(a::text, '|' ORDER BY id)) AS sum FROM ops.audit_events a WHERE id <= $1",
        [maxId],
      )
    )[0]!.sum;
  const lastAuditId = async () =>
    (await d.t.sql<{ id: string }>('SELECT coalesce(max(id), 0)::text AS id FROM ops.audit_events'))[0]!.id;
  const auditAfter = (id: string) =>
    d.t.sql<{ action: string; actor_label: string; runbook_id: string; details: Record<string, unknown> }>(
      'SELECT action, actor_label, runbook_id, details FROM ops.audit_events WHERE id > $1 ORDER BY id',
      [id],
    );

  beforeAll(async () => {
    d = await startTestDaemon({ tenants: 2, findings: 200 }, { OPS_PLUGINS: dirs.join(',') });
    viewer = d.client((await d.signIn('viewer@ops.local')).cookie);
    operator = d.client((await d.signIn('operator@ops.local')).cookie);
    const [row] = await d.t.sql<{ id: string }>("SELECT id FROM tenants WHERE external_id = 'tenant-1'");
    tenantId = Number(row!.id);
  });
  afterAll(async () => {
    await d?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** A preflight as a viewer that must be refused: data and trail unchanged, the attempt audited. */
  async function refusedPreflight(runbookId: string, params: Record<string, unknown> | undefined) {
    const findingsBefore = await findingsChecksum();
    const mark = await lastAuditId();
    const trailBefore = await auditChecksum(mark);
    const error = await errorOf(
      viewer.runbooks.preflight.mutate({ runbookId, scope: { kind: 'tenant', tenantId }, params }),
    );
    expect(await findingsChecksum()).toBe(findingsBefore);
    expect(await d.t.sql("SELECT id FROM findings WHERE severity = 'PWNED'")).toEqual([]);
    expect(await auditChecksum(mark)).toBe(trailBefore);
    const added = await auditAfter(mark);
    expect(added).toEqual([
      expect.objectContaining({
        action: 'runbook.preflight_failed',
        actor_label: 'viewer@ops.local',
        runbook_id: runbookId,
      }),
    ]);
    return { error, reason: String(added[0]!.details.reason) };
  }

  it('refuses an injection through a parameter as a viewer; data and audit trail unchanged, attempt audited', async () => {
    const { error, reason } = await refusedPreflight(INJECTABLE, { title: INJECTION });
    expect(error.message).toMatch(
      new RegExp(
        `runbook ${INJECTABLE}'s preflight sent several statements in one query: send one statement per`,
      ),
    );
    expect(error.message).not.toMatch(/prepared statement/);
    expect(reason).toMatch(/sent several statements in one query/);
  });

  it('answers the same input as a plain value when the plugin binds it with the sql template', async () => {
    const before = await findingsChecksum();
    const result = await viewer.runbooks.preflight.mutate({
      runbookId: BOUND,
      scope: { kind: 'tenant', tenantId },
      params: { title: INJECTION },
    });
    expect(result.affected_count).toBe(0);
    expect(await findingsChecksum()).toBe(before);
  });

  it('refuses a preflight that writes; data unchanged, attempt audited in operator words', async () => {
    const { error, reason } = await refusedPreflight(WRITING, undefined);
    expect(error.message).toContain(
      `runbook ${WRITING}'s preflight tried to write; preflights are read-only`,
    );
    expect(reason).toContain('preflights are read-only');
  });

  it('denies a preflight the audit trail', async () => {
    const { error } = await refusedPreflight(SNOOPING, undefined);
    expect(error.message).toMatch(new RegExp(`runbook ${SNOOPING}'s preflight was denied access to ops`));
  });

  it('fails a run that rewrites the audit trail or run records; nothing is changed', async () => {
    const mark = await lastAuditId();
    const trailBefore = await auditChecksum(mark);
    const runsBefore = await d.t.sql('SELECT id, actor_label FROM ops.runs ORDER BY id');
    const scope = { kind: 'tenant' as const, tenantId };
    const preflight = await operator.runbooks.preflight.mutate({ runbookId: REWRITING, scope });
    const { runId } = await operator.runbooks.run.mutate({
      runbookId: REWRITING,
      scope,
      preflightAffectedCount: preflight.affected_count,
    });
    const run = await waitFor(async () => {
      const r = await operator.runs.get.query({ id: runId });
      return r.status === 'completed' ? r : undefined;
    }, 30_000);
    expect(run.outcome).toBe('failed');
    expect(JSON.stringify(run)).toMatch(new RegExp(`runbook ${REWRITING}.*denied access`));
    expect(await auditChecksum(mark)).toBe(trailBefore);
    expect((await auditAfter(mark)).map((a) => a.action)).toContain('run.started');
    const runsAfter = await d.t.sql('SELECT id, actor_label FROM ops.runs WHERE id <> $1 ORDER BY id', [
      runId,
    ]);
    expect(runsAfter).toEqual(runsBefore);
  });

  it("refuses the daemon's own connection an UPDATE, DELETE or TRUNCATE of the audit trail", async () => {
    const mark = await lastAuditId();
    const trailBefore = await auditChecksum(mark);
    for (const text of [
      "UPDATE ops.audit_events SET actor_label = 'nobody'",
      "DELETE FROM ops.audit_events WHERE action = 'run.started'",
      'TRUNCATE ops.audit_events',
    ]) {
      await expect(d.t.sql(text)).rejects.toThrow(/ops\.audit_events is append-only/);
    }
    expect(await auditChecksum(mark)).toBe(trailBefore);
  });
});
