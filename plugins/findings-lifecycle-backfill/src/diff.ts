import {
  type ChangeSampleOptions,
  type ChangeSampleRow,
  PLATFORM_TENANT_EXTERNAL_ID,
  type PreflightContext,
  type ResolvedScope,
  type SqlExecutor,
} from '@ops/runbook-sdk';
import { derivedLifecycleSql, LIFECYCLE_FIELDS } from './derivation.ts';
import { SqlParams } from './sql-params.ts';

/**
 * "Rehearse with a diff" (issue 14): a sample of the findings a run would change, each changed
 * lifecycle field before → after. The "after" is the one derivation (derivation.ts) the run
 * applies, narrowed to a few short id windows, so the diff cannot disagree with the run and never
 * derives the whole table.
 *
 * Which findings: the tenants of the scope in id order (never the platform tenant) are walked in
 * rounds; each round reads the next window of every walking tenant's findings in id order (index
 * findings (tenant_id, id)) and keeps its affected ones. The sample is a round robin over tenants:
 * every tenant's first affected finding, then every tenant's second, and so on, `limit` findings
 * in all. A tenant stops walking once nothing it could still find would enter the sample, the
 * walk stops at DIFF_WALK_BUDGET findings in all. No randomness and no clock: the same data gives
 * the same sample. Where changes are rarer than the budget can find, the sample is smaller.
 */

/**
 * Findings derived at most per sample: bounds the cost at any table size and any drift, a clean
 * table included (npm run bench:diff: about 0.1–0.2 ms per finding on a loaded 2-core machine).
 * Enough to find 20 changed findings where 1 in 300 is affected; rarer drift gives a shorter sample.
 */
export const DIFF_WALK_BUDGET = 6_000;
/**
 * The first round's window per tenant: 8 findings per pick the tenant is expected to give (a
 * tenant among 20 for 20 rows gives one), 16 to 256; each later round doubles it. Small windows
 * where many tenants share the sample keep the walk short: at 100 rows over 100 tenants, 16
 * findings each rather than a fixed hundred.
 */
const WINDOW_PER_PICK = 8;
const MIN_WINDOW = 16;
const MAX_FIRST_WINDOW = 256;
/** Tenants walked from the start; more join (in id order) while the sample is short. */
const MIN_TENANTS = 8;

/**
 * A lifecycle value as the diff shows it: timestamps in UTC ISO 8601 with microseconds (exact, and
 * the same whatever the session's time zone), numbers and text as they are, NULL as NULL.
 */
export function lifecycleFieldText(expr: string, field: (typeof LIFECYCLE_FIELDS)[number]): string {
  if (field.endsWith('_at')) {
    return `CASE WHEN isfinite(${expr}) THEN to_char(${expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') ELSE ${expr}::text END`;
  }
  return `${expr}::text`;
}

const textArray = (alias: string) =>
  `ARRAY[${LIFECYCLE_FIELDS.map((c) => lifecycleFieldText(`${alias}.${c}`, c)).join(', ')}]`;

export interface Walker {
  tenantId: string;
  externalId: string;
  afterId: string | null;
  exhausted: boolean;
  picks: Pick[];
}

export interface Pick {
  id: string;
  before: (string | null)[];
  after: (string | null)[];
}

interface WindowRow {
  tenant_id: string;
  last_id: string | null;
  walked: string;
  picks: Pick[] | null;
}

async function tenantsOf(db: SqlExecutor, scope: ResolvedScope): Promise<Walker[]> {
  const params = new SqlParams();
  const only = scope.kind === 'tenant' ? ` AND t.id = ${params.add(String(scope.tenantId), 'bigint')}` : '';
  const { rows } = await db.query<{ id: string; external_id: string }>(
    `SELECT t.id::text AS id, t.external_id FROM public.tenants t
      WHERE t.external_id <> ${params.add(PLATFORM_TENANT_EXTERNAL_ID, 'text')}${only} ORDER BY t.id`,
    params.values,
  );
  return rows.map((r) => ({
    tenantId: r.id,
    externalId: r.external_id,
    afterId: null,
    exhausted: false,
    picks: [],
  }));
}

/**
 * One round (exported so tests and benches can EXPLAIN it): the next `window` findings of each walker's tenant after its cursor, derived by the
 * run's derivation (per finding, through the indexes). Returns per tenant the last id walked, how
 * many, and its affected findings (at most `keep`) with their fields as text, before and after.
 */
export function windowQuery(
  walkers: Walker[],
  window: number,
  keep: number,
): { text: string; values: unknown[] } {
  const params = new SqlParams();
  const tenants = params.add(
    walkers.map((w) => w.tenantId),
    'bigint[]',
  );
  const after = params.add(
    walkers.map((w) => w.afterId),
    'bigint[]',
  );
  const limit = params.add(window, 'integer');
  const notPlatform = `t.external_id <> ${params.add(PLATFORM_TENANT_EXTERNAL_ID, 'text')}`;
  const derived = derivedLifecycleSql(notPlatform, 'per-finding', {
    from: `unnest(${tenants}, ${after}) AS r(tenant_id, after_id)
      CROSS JOIN LATERAL (
        SELECT w.* FROM public.findings w
        WHERE w.tenant_id = r.tenant_id AND w.id > coalesce(r.after_id, -9223372036854775808)
        ORDER BY w.id LIMIT ${limit}
      ) f
      JOIN public.tenants t ON t.id = f.tenant_id`,
    columns: `${textArray('f')} AS before_text`,
  });
  const text = `
    SELECT d.tenant_id::text AS tenant_id, max(d.id)::text AS last_id, count(*) AS walked,
           (array_agg(jsonb_build_object('id', d.id::text, 'before', d.before_text, 'after', ${textArray('d')})
              ORDER BY d.id) FILTER (WHERE d.affected))[1:${params.add(keep, 'integer')}] AS picks
    FROM (${derived}) d
    GROUP BY d.tenant_id`;
  return { text, values: params.values };
}

/** How deep the round robin reaches for `limit` findings: every tenant's first r picks; Infinity if short. */
function depthFor(walkers: Walker[], limit: number): number {
  const total = walkers.reduce((n, w) => n + w.picks.length, 0);
  if (total < limit) return Number.POSITIVE_INFINITY;
  for (let r = 1; ; r++) {
    if (walkers.reduce((n, w) => n + Math.min(w.picks.length, r), 0) >= limit) return r;
  }
}

/** The round robin: each tenant's first pick in tenant order, then each one's second, … */
function roundRobin(walkers: Walker[], limit: number): { walker: Walker; pick: Pick }[] {
  const out: { walker: Walker; pick: Pick }[] = [];
  for (let r = 0; out.length < limit; r++) {
    const before = out.length;
    for (const walker of walkers) {
      const pick = walker.picks[r];
      if (pick && out.length < limit) out.push({ walker, pick });
    }
    if (out.length === before) break;
  }
  return out;
}

async function sample(db: SqlExecutor, scope: ResolvedScope, limit: number): Promise<ChangeSampleRow[]> {
  const all = await tenantsOf(db, scope);
  let opened = Math.min(all.length, Math.max(limit, MIN_TENANTS));
  let walked = 0;
  const perTenant = Math.ceil(limit / Math.max(1, opened));
  let window = Math.min(MAX_FIRST_WINDOW, Math.max(MIN_WINDOW, perTenant * WINDOW_PER_PICK));
  while (walked < DIFF_WALK_BUDGET) {
    const open = all.slice(0, opened);
    const depth = depthFor(open, limit);
    const walking = open.filter((w) => !w.exhausted && w.picks.length < Math.min(depth, limit));
    if (walking.length === 0) {
      if (depth !== Number.POSITIVE_INFINITY || opened >= all.length) break;
      opened = Math.min(all.length, opened * 2); // every open tenant is walked out and the sample is short
      continue;
    }
    // Within the budget: fewer findings per tenant when many tenants walk, at least one each.
    const each = Math.max(1, Math.min(window, Math.floor((DIFF_WALK_BUDGET - walked) / walking.length)));
    const { text, values } = windowQuery(walking, each, limit);
    const { rows } = await db.query<WindowRow>(text, values);
    const byTenant = new Map(rows.map((r) => [r.tenant_id, r]));
    for (const w of walking) {
      const row = byTenant.get(w.tenantId);
      const n = Number(row?.walked ?? 0);
      walked += n;
      if (!row || n < each) w.exhausted = true;
      if (row?.last_id) w.afterId = row.last_id;
      w.picks.push(...(row?.picks ?? []).slice(0, limit - w.picks.length));
    }
    window *= 2;
  }
  const rows: ChangeSampleRow[] = [];
  for (const { walker, pick } of roundRobin(all.slice(0, opened), limit)) {
    LIFECYCLE_FIELDS.forEach((field, i) => {
      const before = pick.before[i] ?? null;
      const after = pick.after[i] ?? null;
      if (before !== after) rows.push({ key: pick.id, tenant: walker.externalId, field, before, after });
    });
  }
  return rows;
}

/** The runbook's `sampleChanges`: read-only, in its own READ ONLY transaction where the host offers one. */
export function lifecycleSampleChanges(
  ctx: PreflightContext,
  scope: ResolvedScope,
  options: ChangeSampleOptions,
): Promise<ChangeSampleRow[]> {
  const limit = Math.max(1, Math.min(100, Math.floor(options.limit)));
  return ctx.readOnly ? ctx.readOnly((tx) => sample(tx, scope, limit)) : sample(ctx.db, scope, limit);
}
