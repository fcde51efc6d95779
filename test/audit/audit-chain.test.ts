import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../apps/daemon/src/audit/index.ts';
import { openDatabase } from '../../apps/daemon/src/db/connection.ts';
import { seedDemoData } from '../../apps/daemon/src/seed/index.ts';
import { type CliResult, collect, runCli } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const VERIFIER = fileURLToPath(new URL('../../docs/verify-audit-chain.mjs', import.meta.url));
const RUNBOOK = 'findings.lifecycle.backfill';

/** The standalone verifier an auditor runs on an export: its own process, no repository code. */
function runVerifier(file: string, ...args: string[]): Promise<CliResult> {
  return collect(spawn(process.execPath, [VERIFIER, file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }));
}

/**
 * Rewrites the trail the way only a database superuser or the table's owner can: the append-only
 * trigger set aside for one transaction (it fires even under session_replication_role = replica).
 */
async function tamper(url: string, statement: string, params: unknown[] = []): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query('ALTER TABLE ops.audit_events DISABLE TRIGGER audit_events_append_only');
    await client.query(statement, params);
    await client.query('ALTER TABLE ops.audit_events ENABLE ALWAYS TRIGGER audit_events_append_only');
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}

async function writeEvents(audit: AuditLog, n: number, label: string): Promise<void> {
  for (let i = 0; i < n; i += 1) {
    const written = await audit.record({
      action: 'runbook.preflight',
      actorLabel: `${label}@ops.local`,
      runbookId: RUNBOOK,
      scope: { kind: 'all' },
      details: { n: i, note: `by ${label}` },
    });
    expect(written.ok).toBe(true);
  }
}

describe('ops-daemon audit verify and export: the tamper-evident audit trail', () => {
  let t: TestDatabase;
  let env: Record<string, string>;
  let dir: string;

  beforeAll(async () => {
    t = await createTestDatabase();
    env = { DATABASE_URL: t.url };
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-audit-chain-'));
    await writeEvents(new AuditLog(t.db.pool), 8, 'operator');
  });
  afterAll(async () => {
    await t?.drop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const seqOf = async (n: number) =>
    (await t.sql<{ id: string }>('SELECT id::text AS id FROM ops.audit_events WHERE seq = $1', [n]))[0]!.id;

  it('verifies an untouched chain, and the standalone script verifies its export', async () => {
    const verified = await runCli(['audit', 'verify'], env);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toContain('verified 8 events through #8');
    const file = path.join(dir, 'chain.jsonl');
    const exported = await runCli(['audit', 'export', '--out', file], env);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toContain('exported 8 events through #8');
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(8);
    const last = JSON.parse(lines.at(-1)!) as { seq: string; hash: string; details: string };
    expect(JSON.parse(last.details)).toEqual({ n: 7, note: 'by operator' });
    const auditor = await runVerifier(file, '--expect-head', `${last.seq}:${last.hash}`);
    expect(auditor.code, auditor.stdout + auditor.stderr).toBe(0);
    expect(auditor.stdout).toContain(`verified 8 events through #8 (head hash ${last.hash})`);
  });

  it('names an event changed directly in the database, in the CLI and in the standalone script', async () => {
    const [original] = await t.sql<{ details: unknown }>(
      'SELECT details FROM ops.audit_events WHERE seq = 3',
    );
    const id = await seqOf(3);
    await tamper(
      t.url,
      `UPDATE ops.audit_events SET details = '{"n": 99, "note": "by operator"}' WHERE seq = 3`,
    );
    const verified = await runCli(['audit', 'verify'], env);
    expect(verified.code).toBe(1);
    expect(verified.stdout).toContain(
      `audit chain broken at event #3 (id ${id}): content: its content hash differs`,
    );
    expect(verified.stdout).toContain('2 events before it verified');
    const json = (await runCli(['audit', 'verify', '--json'], env)).json<{ ok: boolean; broken: unknown }>();
    expect(json).toMatchObject({ ok: false, broken: { seq: '3', id, kind: 'content' } });

    const file = path.join(dir, 'tampered.jsonl');
    expect((await runCli(['audit', 'export', '--out', file], env)).code).toBe(0);
    const auditor = await runVerifier(file);
    expect(auditor.code).toBe(1);
    expect(auditor.stdout).toContain(`broken at event #3 (id ${id}): content:`);

    // The tamperer recomputes the event's hash too: the next event's link gives it away.
    await tamper(
      t.url,
      `UPDATE ops.audit_events SET hash = ops.audit_event_hash(seq, id, occurred_at, action, actor_label, actor,
         run_id, runbook_id, scope, outcome, ip, details, prev_hash) WHERE seq = 3`,
    );
    const relinked = await runCli(['audit', 'verify'], env);
    expect(relinked.code).toBe(1);
    expect(relinked.stdout).toContain(`audit chain broken at event #4 (id ${await seqOf(4)}): link:`);

    // Put back as it was: the chain holds again (the stored hash of #3 never changed the chain's links).
    await tamper(
      t.url,
      `UPDATE ops.audit_events SET details = $1, hash = ops.audit_event_hash(seq, id, occurred_at, action,
         actor_label, actor, run_id, runbook_id, scope, outcome, ip, $1, prev_hash) WHERE seq = 3`,
      [JSON.stringify(original!.details)],
    );
    expect((await runCli(['audit', 'verify'], env)).stdout).toContain('verified 8 events through #8');
  });

  it('names the gap a deleted event leaves, in the CLI and in the standalone script', async () => {
    const next = await seqOf(6);
    await tamper(t.url, 'DELETE FROM ops.audit_events WHERE seq = 5');
    const verified = await runCli(['audit', 'verify'], env);
    expect(verified.code).toBe(1);
    expect(verified.stdout).toContain(
      `audit chain broken at event #6 (id ${next}): link: event #5 is missing`,
    );
    const file = path.join(dir, 'gap.jsonl');
    expect((await runCli(['audit', 'export', '--out', file], env)).code).toBe(0);
    const auditor = await runVerifier(file);
    expect(auditor.code).toBe(1);
    expect(auditor.stdout).toContain(`broken at event #6 (id ${next}): link: expected event #5 after #4`);
  });

  it('names events removed from the end (the chain head remembers them)', async () => {
    const t2 = await createTestDatabase();
    try {
      await writeEvents(new AuditLog(t2.db.pool), 4, 'viewer');
      await tamper(t2.url, 'DELETE FROM ops.audit_events WHERE seq = 4');
      const verified = await runCli(['audit', 'verify'], { DATABASE_URL: t2.url });
      expect(verified.code).toBe(1);
      expect(verified.stdout).toContain(
        'audit chain broken at event #4: link: the chain head records #4 but the last event is #3',
      );
    } finally {
      await t2.drop();
    }
  });
});

describe('concurrent audit writers', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await seedDemoData(t.db.pool, { tenants: 4, findings: 400, drift: 0.3, seed: 1 });
  });
  afterAll(() => t?.drop());

  it('keeps one valid chain without gaps: two pools hammering and two daemon processes running', async () => {
    const [a, b] = [await openDatabase(t.url), await openDatabase(t.url)];
    const before = Number(
      (await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM ops.audit_events'))[0]!.n,
    );
    try {
      const hammer = (pool: pg.Pool, label: string) =>
        Promise.all(
          Array.from({ length: 4 }, (_, i) => writeEvents(new AuditLog(pool), 75, `${label}-${i}`)),
        );
      const execs = ['tenant-1', 'tenant-2'].map((tenant) =>
        runCli(['exec', RUNBOOK, '--tenant', tenant, '--json'], { DATABASE_URL: t.url }),
      );
      const [, , ...runs] = await Promise.all([hammer(a.pool, 'a'), hammer(b.pool, 'b'), ...execs]);
      for (const run of runs) expect(run.code, run.stderr).toBe(0);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    const rows = await t.sql<{ seq: string; action: string }>(
      'SELECT seq::text AS seq, action FROM ops.audit_events a ORDER BY a.seq',
    );
    expect(rows.length).toBeGreaterThanOrEqual(before + 600 + 4);
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => String(i + 1)));
    expect(rows.filter((r) => r.action === 'run.completed')).toHaveLength(2);
    const verified = await runCli(['audit', 'verify'], { DATABASE_URL: t.url });
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toContain(
      `verified ${rows.length.toLocaleString('en-US')} events through #${rows.length.toLocaleString('en-US')}`,
    );
  });

  it('never fails a run: with the chain head held by a stuck transaction, the run completes and keeps its audit failures', async () => {
    const stuck = new pg.Client({ connectionString: t.url });
    await stuck.connect();
    let result: CliResult;
    try {
      await stuck.query('BEGIN');
      await stuck.query(
        "INSERT INTO ops.audit_events (action, actor_label) VALUES ('run.started', 'stuck writer')",
      );
      result = await runCli(['exec', RUNBOOK, '--tenant', 'tenant-3', '--json'], { DATABASE_URL: t.url });
    } finally {
      await stuck.query('ROLLBACK').catch(() => {});
      await stuck.end();
    }
    expect(result.code, result.stderr).toBe(0);
    const run = result.json<{ run_id: string; outcome: string }>();
    expect(run.outcome).toBe('succeeded');
    expect(result.stderr).toMatch(/could not write audit event run\.started/);
    const [record] = await t.sql<{ context: { audit_failures: string[] } }>(
      'SELECT context FROM ops.runs WHERE id = $1',
      [run.run_id],
    );
    expect(record!.context.audit_failures).toEqual(
      expect.arrayContaining([expect.stringMatching(/run\.started.*statement timeout/)]),
    );
    // The rolled-back insert left no gap; the next write continues the chain.
    const verified = await runCli(['audit', 'verify'], { DATABASE_URL: t.url });
    expect(verified.code, verified.stdout).toBe(0);
  });
});
