import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database.ts';
import * as m013 from '../../db/migrations/013_audit_hash_chain.ts';
import { AuditLog } from '../audit-log.ts';
import { canonicalText, eventHash, GENESIS_HASH } from './canonical.ts';
import { auditChainStatus, eachChainRecord, verifyAuditChain } from './chain-verify.ts';

// The documented rule (canonical.ts, docs/audit-chain.md) and PostgreSQL's trigger must give the
// same hash for every event, including awkward content; the chain has no gap and links each event.
describe('the audit hash chain', () => {
  let t: TestDatabase;
  let audit: AuditLog;
  beforeAll(async () => {
    t = await createTestDatabase();
    audit = new AuditLog(t.db.pool);
  });
  afterAll(() => t?.drop());

  it('chains every event in PostgreSQL exactly as the documented rule computes it', async () => {
    const awkward = [
      {
        action: 'run.started' as const,
        actorLabel: 'operator@ops.local',
        runId: '42',
        scope: { kind: 'all' },
      },
      {
        action: 'auth.sign_in_failed' as const,
        actorLabel: 'ünïcödé 👩‍🔧 "quoted" \\ back',
        ip: '::1',
        details: {
          b: 1.5,
          a: [1, 2.0, 1e3],
          nested: { z: null, 'new\nline': 'tab\there\u0001\u001f\u007f' },
        },
      },
      { action: 'run.completed' as const, actorLabel: 'x', actor: null, outcome: 'succeeded', details: {} },
    ];
    for (const event of awkward) expect((await audit.record(event)).ok).toBe(true);
    const records: Awaited<Parameters<Parameters<typeof eachChainRecord>[1]>[0]>[] = [];
    const head = await eachChainRecord(t.db.pool, (r) => {
      records.push(r);
      return true;
    });
    expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => String(i + 1)));
    expect(records[0]!.prev_hash).toBe(GENESIS_HASH);
    for (const [i, r] of records.entries()) {
      expect(eventHash(r), `event #${r.seq}`).toBe(r.hash);
      if (i > 0) expect(r.prev_hash).toBe(records[i - 1]!.hash);
      const [{ canonical }] = (await t.sql<{ canonical: string }>(
        `SELECT ops.audit_event_canonical(seq, id, occurred_at, action, actor_label, actor, run_id, runbook_id,
                scope, outcome, ip, details, prev_hash) AS canonical FROM ops.audit_events WHERE seq = $1`,
        [r.seq],
      )) as [{ canonical: string }];
      expect(canonicalText(r)).toBe(canonical);
    }
    expect(head).toEqual({ seq: records.at(-1)!.seq, hash: records.at(-1)!.hash });
    // An SQL NULL and a JSON null are told apart; timestamps carry microseconds in UTC.
    expect(records[2]!.actor).toBe('null');
    expect(records[0]!.actor).toBeNull();
    expect(records[0]!.occurred_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  it("gives docs/audit-chain.md's worked example its documented hash, in PostgreSQL and by the rule", async () => {
    const documented = '366e007e8beb028f498c4c5a17ee98e69a1ae2a4d27dd7dd2651ef6a771358d2';
    const [{ hash }] = (await t.sql<{ hash: string }>(
      `SELECT ops.audit_event_hash(1, 1, '2026-11-28T11:36:54.123456Z', 'run.started', 'operator@ops.local',
         '{"email": "operator@ops.local", "kind": "user"}', 42, 'findings.lifecycle.backfill', '{"kind":"all"}',
         NULL, '127.0.0.1', '{}', repeat('0', 64)) AS hash`,
    )) as [{ hash: string }];
    expect(hash).toBe(documented);
    expect(
      eventHash({
        seq: '1',
        id: '1',
        occurred_at: '2026-11-28T11:36:54.123456Z',
        action: 'run.started',
        actor_label: 'operator@ops.local',
        actor: '{"kind": "user", "email": "operator@ops.local"}',
        run_id: '42',
        runbook_id: 'findings.lifecycle.backfill',
        scope: '{"kind": "all"}',
        outcome: null,
        ip: '127.0.0.1',
        details: '{}',
        prev_hash: GENESIS_HASH,
      }),
    ).toBe(documented);
  });

  it('overrides a seq or hash a writer tries to supply', async () => {
    await t.sql(
      "INSERT INTO ops.audit_events (action, actor_label, seq, prev_hash, hash) VALUES ('run.started', 'forger', 1, 'x', 'y')",
    );
    const result = await verifyAuditChain(t.db.pool);
    expect(result).toMatchObject({ ok: true, checked: 4, through: { seq: '4' } });
  });

  it('rolls the head back with a rolled-back insert, leaving no gap', async () => {
    const client = await t.db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query("INSERT INTO ops.audit_events (action, actor_label) VALUES ('run.started', 'gone')");
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    expect((await audit.record({ action: 'run.completed', actorLabel: 'after' })).ok).toBe(true);
    expect(await verifyAuditChain(t.db.pool)).toMatchObject({ ok: true, checked: 5, through: { seq: '5' } });
  });

  it('verifies a bounded slice per look for the console, and its sweep finds an event changed after it was verified', async () => {
    const t2 = await createTestDatabase();
    try {
      const log = new AuditLog(t2.db.pool);
      for (let i = 0; i < 25; i += 1)
        expect((await log.record({ action: 'run.started', actorLabel: `a${i}` })).ok).toBe(true);
      // 10 new events a look: 25 take three looks; each look says how many are left.
      expect(await auditChainStatus(t2.db.pool, 10)).toMatchObject({
        state: 'verified',
        verifiedThrough: '10',
        headSeq: '25',
        pending: '15',
      });
      expect(await auditChainStatus(t2.db.pool, 10)).toMatchObject({ verifiedThrough: '20', pending: '5' });
      expect(await auditChainStatus(t2.db.pool, 10)).toMatchObject({
        verifiedThrough: '25',
        pending: '0',
        broken: null,
      });
      // Event #4 was verified already; the sweep (10 old events a look, wrapping) finds it changed.
      await t2.sql('ALTER TABLE ops.audit_events DISABLE TRIGGER audit_events_append_only');
      await t2.sql("UPDATE ops.audit_events SET actor_label = 'changed' WHERE seq = 4");
      await t2.sql('ALTER TABLE ops.audit_events ENABLE ALWAYS TRIGGER audit_events_append_only');
      let status = await auditChainStatus(t2.db.pool, 10);
      for (let look = 0; look < 4 && status.state === 'verified'; look += 1)
        status = await auditChainStatus(t2.db.pool, 10);
      expect(status).toMatchObject({
        state: 'broken',
        broken: { seq: '4', reason: expect.stringContaining('content hash differs') },
      });
      // The break stays until a full verify passes; putting the event back and verifying clears it.
      await t2.sql('ALTER TABLE ops.audit_events DISABLE TRIGGER audit_events_append_only');
      await t2.sql("UPDATE ops.audit_events SET actor_label = 'a3' WHERE seq = 4");
      await t2.sql('ALTER TABLE ops.audit_events ENABLE ALWAYS TRIGGER audit_events_append_only');
      expect(await auditChainStatus(t2.db.pool, 10)).toMatchObject({ state: 'broken' });
      expect(await verifyAuditChain(t2.db.pool)).toMatchObject({ ok: true, checked: 25 });
      expect(await auditChainStatus(t2.db.pool, 10)).toMatchObject({
        state: 'verified',
        verifiedThrough: '25',
        broken: null,
      });
    } finally {
      await t2.drop();
    }
  });

  it('chains the events already there when migration 013 runs, in id order, across its write-back batches', async () => {
    const t2 = await createTestDatabase();
    try {
      const sql = async (text: string) => {
        await t2.db.pool.query(text);
      };
      await m013.down({ context: sql });
      await sql(`INSERT INTO ops.audit_events (action, actor_label, details)
        SELECT 'run.started', 'before-013', jsonb_build_object('n', g) FROM generate_series(1, 20005) g`);
      await m013.up({ context: sql });
      const [order] = await t2.sql<{ n: number; in_id_order: boolean }>(
        `SELECT count(*)::int AS n, bool_and(seq = rank) AS in_id_order
           FROM (SELECT seq, row_number() OVER (ORDER BY id) AS rank FROM ops.audit_events) x`,
      );
      expect(order).toEqual({ n: 20005, in_id_order: true });
      expect(
        (await new AuditLog(t2.db.pool).record({ action: 'run.completed', actorLabel: 'after-013' })).ok,
      ).toBe(true);
      expect(await verifyAuditChain(t2.db.pool)).toMatchObject({
        ok: true,
        checked: 20006,
        through: { seq: '20006' },
      });
    } finally {
      await t2.drop();
    }
  });
});
