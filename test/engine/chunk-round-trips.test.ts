import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../apps/daemon/src/config.ts';
import { type Ops, openOps } from '../../apps/daemon/src/ops.ts';
import { seedDemoData } from '../../apps/daemon/src/seed/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

/*
 * What a chunk costs in round trips (issue 16): every statement of a chunk transaction waits for
 * the database, so on a loaded machine the count matters as much as the SQL. Counted on the wire
 * (every Client.query of the daemon's pool, grouped by connection from the chunk's BEGIN to its
 * COMMIT), on a real run of the findings runbook over its work table.
 */
const CHUNK_BEGIN = 'BEGIN; SET LOCAL lock_timeout';

describe('a findings chunk transaction', () => {
  let t: TestDatabase;
  let ops: Ops | undefined;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-round-trips-'));
  const original = pg.Client.prototype.query;
  const open = new WeakMap<object, string[]>();
  const chunks: string[][] = [];

  beforeAll(async () => {
    t = await createTestDatabase();
    await seedDemoData(t.db.pool, { tenants: 3, findings: 900, drift: 0.5, seed: 7 });
  });
  afterAll(async () => {
    pg.Client.prototype.query = original;
    await ops?.service.shutdown();
    await ops?.close();
    await t.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('takes at most 9 round trips: begin, fence, claim, role, next chunk, write, role, cursor, commit', async () => {
    // biome-ignore lint/suspicious/noExplicitAny: the wire is counted through pg's own overloads
    pg.Client.prototype.query = function (this: pg.Client, ...args: any[]) {
      const first = args[0] as string | { text?: string };
      const text = typeof first === 'string' ? first : (first?.text ?? '');
      if (text.startsWith(CHUNK_BEGIN)) open.set(this, []);
      const statements = open.get(this);
      if (statements) {
        statements.push(text.trim().split(/\s+/).slice(0, 3).join(' '));
        if (text === 'COMMIT' || text === 'ROLLBACK') {
          chunks.push(statements);
          open.delete(this);
        }
      }
      // biome-ignore lint/suspicious/noExplicitAny: forwarded as given
      return (original as any).apply(this, args);
    } as typeof pg.Client.prototype.query;

    const config = loadConfig({ DATABASE_URL: t.url, OPS_DATA_DIR: dataDir, OPS_CHUNK_SIZE: '50' });
    ops = await openOps(config, { log: () => {} });
    const { done } = await ops.service.start({
      runbookId: 'findings.lifecycle.backfill',
      scope: { kind: 'externalId', externalId: 'tenant-1' },
      actor: { kind: 'system', label: 'system:cli' },
    });
    const final = await done;
    pg.Client.prototype.query = original;
    expect(final.outcome).toBe('succeeded');
    expect(final.summary.updated_count).toBeGreaterThan(0);

    // Chunks that wrote (a drained unit's last look commits without a write).
    const writing = chunks.filter((c) => c.some((s) => s.startsWith('WITH mark AS')));
    expect(writing.length).toBeGreaterThan(1);
    for (const chunk of writing) expect(chunk.length, chunk.join(' | ')).toBeLessThanOrEqual(9);
  });
});
