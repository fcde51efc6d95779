import { PLATFORM_TENANT_EXTERNAL_ID } from '@ops/runbook-sdk';
import type pg from 'pg';
import { dropForBulk, restoreAfterBulk } from './bulk-schema.ts';
import { type SeedOptions, validateSeedOptions } from './options.ts';
import {
  COUNT_STAGED,
  INSERT_EVENTS,
  INSERT_FINDINGS,
  INSERT_PLATFORM_TENANT,
  INSERT_TENANTS,
  STAGE_EVENTS,
  STAGE_FINDINGS,
  STAGE_HISTORY,
  STAGE_IDS,
} from './statements.ts';

export { DEFAULT_SEED_OPTIONS, SeedOptionError, type SeedOptions, validateSeedOptions } from './options.ts';

/** What one seed call added (customer tenants only, except the platform fields). */
export interface SeedResult {
  /** Customer tenants created (existing `tenant-N` rows are kept, not counted). */
  tenants: number;
  /** Customer findings created. */
  findings: number;
  /** Events of those findings (every kind, `commented` included). */
  events: number;
  /** Those of the created customer findings whose lifecycle fields differ from the derivation. */
  drifted: number;
  durationMs: number;
  /** Findings created for the platform tenant, all drifted; no runbook may count or touch them. */
  platformFindings: number;
  platformEvents: number;
  /**
   * What the database held before this call: customer tenants and their findings. A seed adds only
   * what is missing, so `ops-daemon seed` after `npm start` (which seeds on first start) adds nothing,
   * and the command says so with these.
   */
  before: { tenants: number; findings: number };
}

/** A handful for the platform tenant: 1% of N, at least 5 (none when no findings are asked for). */
export function platformFindingCount(findings: number): number {
  return findings === 0 ? 0 : Math.max(5, Math.round(findings / 100));
}

// Session settings for one bulk transaction. synchronous_commit off only drops the wait for the
// commit's WAL flush: a crash loses the seed, never corrupts. work_mem keeps the sorts and hashes
// over millions of staged rows in memory (the time-ordered sort of 3.5M events takes ~350MB).
const BULK_SETTINGS = [
  'SET LOCAL synchronous_commit = off',
  "SET LOCAL work_mem = '512MB'",
  "SET LOCAL maintenance_work_mem = '512MB'",
];

/**
 * Writes demo data per findings-lifecycle.md: tenants `tenant-1`…`tenant-T` plus the platform
 * tenant, N findings with 1 to 6 events each, a fraction `drift` of them drifted. Deterministic
 * for a given seed (same options on a fresh database → identical rows, ids included).
 *
 * All in one transaction: a failed seed leaves nothing. Re-running is safe: existing tenants are
 * kept, and a tenant that already has findings gets no new ones, so nothing is duplicated; on an
 * already seeded database the call adds nothing and reports zeros. (Refusing would make
 * `ops-daemon seed`, which also ensures the demo accounts, fail on its second run.)
 */
export async function seedDemoData(pool: pg.Pool, options: SeedOptions): Promise<SeedResult> {
  const { tenants, findings, drift, seed } = validateSeedOptions(options);
  const started = performance.now();
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    for (const setting of BULK_SETTINGS) await client.query(setting);
    // Serializes concurrent seeds (the mode conflicts with itself) while readers carry on.
    await client.query(
      'LOCK TABLE public.tenants, public.findings, public.finding_events IN SHARE ROW EXCLUSIVE MODE',
    );
    const before = await customerCounts(client);
    await client.query(INSERT_PLATFORM_TENANT, [PLATFORM_TENANT_EXTERNAL_ID]);
    const createdTenants = await client.query(INSERT_TENANTS, [seed, tenants]);
    await client.query(STAGE_FINDINGS, [
      seed,
      tenants,
      findings,
      platformFindingCount(findings),
      drift,
      PLATFORM_TENANT_EXTERNAL_ID,
    ]);
    const staged = await stagedCounts(client);
    if (staged.findings + staged.platformFindings > 0) {
      await writeFindingsAndEvents(client, seed, staged.findings + staged.platformFindings);
    }
    await client.query('COMMIT');
    return {
      tenants: createdTenants.rowCount ?? 0,
      ...staged,
      durationMs: Math.round(performance.now() - started),
      before,
    };
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

/** Customer tenants (all but the platform tenant) and their findings. */
async function customerCounts(client: pg.PoolClient): Promise<{ tenants: number; findings: number }> {
  const { rows } = await client.query<{ tenants: string; findings: string }>(
    `SELECT (SELECT count(*) FROM public.tenants WHERE external_id <> $1) AS tenants,
            (SELECT count(*) FROM public.findings f JOIN public.tenants t ON t.id = f.tenant_id
              WHERE t.external_id <> $1) AS findings`,
    [PLATFORM_TENANT_EXTERNAL_ID],
  );
  return { tenants: Number(rows[0]!.tenants), findings: Number(rows[0]!.findings) };
}

async function writeFindingsAndEvents(
  client: pg.PoolClient,
  seed: number,
  newFindings: number,
): Promise<void> {
  await client.query(STAGE_EVENTS, [seed]);
  await client.query(STAGE_HISTORY);
  // Temporary tables get no statistics by themselves; without them the planner guesses merge
  // joins with external sorts where hash joins fit in memory.
  await client.query('ANALYZE seed_findings, seed_events, seed_history');
  const dropped = await dropForBulk(client, newFindings);
  await client.query(INSERT_FINDINGS);
  await client.query(STAGE_IDS);
  await client.query('ANALYZE seed_ids');
  await client.query(INSERT_EVENTS);
  await restoreAfterBulk(client, dropped);
  // Fresh statistics (a sample, so bounded in cost), so a preflight right after a seed is planned
  // on the real sizes rather than on whatever autovacuum last saw.
  await client.query('ANALYZE public.tenants, public.findings, public.finding_events');
}

async function stagedCounts(
  client: pg.PoolClient,
): Promise<Omit<SeedResult, 'tenants' | 'durationMs' | 'before'>> {
  const { rows } = await client.query<Record<string, string>>(COUNT_STAGED);
  const row = rows[0] ?? {};
  const count = (name: string) => Number(row[name] ?? 0);
  return {
    findings: count('findings'),
    events: count('events'),
    drifted: count('drifted'),
    platformFindings: count('platform_findings'),
    platformEvents: count('platform_events'),
  };
}
