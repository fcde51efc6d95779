import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

// The seed and the runbook derive the lifecycle independently; on a fresh seed they must agree
// exactly: preflight counts every drifted customer finding and nothing else.
describe('a fresh demo seed', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it('is reported by preflight as exactly its drifted customer findings', async () => {
    const env = { DATABASE_URL: t.url };
    const seeded = await runCli(
      ['seed', '--tenants', '12', '--findings', '6000', '--drift', '0.3', '--seed', '42', '--json'],
      env,
    );
    expect(seeded.code).toBe(0);
    const result = seeded.json<{ drifted: number; findings: number }>();
    expect(result.findings).toBe(6000);
    expect(result.drifted).toBeGreaterThan(6000 * 0.25);
    expect(result.drifted).toBeLessThan(6000 * 0.35);
    const preflight = await runCli(['preflight', 'findings.lifecycle.backfill', '--json'], env);
    expect(preflight.json()).toMatchObject({
      affected_count: result.drifted,
      total_scanned: 6000,
      estimated_tenants: 12,
    });
  });

  it('refuses a bad seed option naming it', async () => {
    const seeded = await runCli(['seed', '--drift', '1.5'], { DATABASE_URL: t.url });
    expect(seeded.code).toBe(2);
    expect(seeded.stderr).toMatch(/--drift.*from 0 to 1/);
  });
});
