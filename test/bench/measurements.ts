import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { derivedLifecycleSql, LIFECYCLE_FIELDS, preflightQuery } from '@ops/findings-lifecycle-backfill';
import pg from 'pg';
import { loadConfig } from '../../apps/daemon/src/config.ts';
import { openOps } from '../../apps/daemon/src/ops.ts';
import type { ChunkStatsSummary } from '../../apps/daemon/src/runs/chunk-stats.ts';
import { OPS_DAEMON_BIN } from '../support/cli.ts';

export const RUNBOOK = 'findings.lifecycle.backfill';
const PEAK_RSS = fileURLToPath(new URL('./peak-rss.mjs', import.meta.url));
const SYSTEM = { kind: 'system' as const, label: 'system:cli' as const };

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * The floor: what a DBA would run by hand. One UPDATE … FROM (the runbook's own derivation) of
 * every affected row of every tenant, holding each row lock until it commits.
 */
export function floorStatement(): { text: string; values: unknown[] } {
  const set = LIFECYCLE_FIELDS.map((c) => `${c} = d.${c}`).join(', ');
  return {
    text: `UPDATE public.findings AS target SET ${set}, updated_at = now()
           FROM (${derivedLifecycleSql('t.external_id <> $1', 'scan-all')}) d
           WHERE target.id = d.id AND d.affected AND target.status IS NOT DISTINCT FROM d.read_status`,
    values: ['platform'],
  };
}

/** The floor statement at default settings (`workMem` null) or with a session work_mem. */
export async function measureFloor(
  url: string,
  workMem: string | null,
): Promise<{ ms: number; rows: number }> {
  return withClient(url, async (client) => {
    if (workMem) await client.query(`SET work_mem = '${workMem}'`);
    const { text, values } = floorStatement();
    const { ms, value } = await timed(() => client.query(text, values));
    return { ms, rows: value.rowCount ?? 0 };
  });
}

export interface ExecSample {
  /** Process start to exit: what a deploy pipeline waits for, its checks and preflight included. */
  wallMs: number;
  /** The run itself (the run record's duration). */
  runMs: number;
  updated: number;
  scanned: number;
  peakRssKb: number;
  chunks: ChunkStatsSummary;
}

/**
 * The bench measures the run, not four-eyes approval (issue 14): on its throwaway copy, the runbook's
 * policy is set to need none, so `exec` on all tenants starts without a second operator.
 */
async function withoutApproval(url: string): Promise<void> {
  await withClient(url, async (client) => {
    const { rows } = await client.query<{ present: boolean }>(
      "SELECT to_regclass('ops.approval_policies') IS NOT NULL AS present",
    );
    if (!rows[0]?.present) return;
    await client.query(
      `INSERT INTO ops.approval_policies (runbook_id, mode) VALUES ($1, 'none')
       ON CONFLICT (runbook_id) DO UPDATE SET mode = 'none'`,
      [RUNBOOK],
    );
  });
}

/** What a finished `ops-daemon` command printed, and its `--json` result line. */
export interface DaemonCommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Process start to exit. */
  wallMs: number;
  last: { run_id?: string; outcome?: string; summary?: Record<string, number> };
}

/** Runs `ops-daemon <args>` (the real CLI, its own process) against `url` with exactly `env`. */
export async function runDaemonCommand(
  args: string[],
  url: string,
  env: NodeJS.ProcessEnv,
  nodeArgs: string[] = [],
): Promise<DaemonCommandResult> {
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, OPS_DAEMON_BIN, ...args], {
    env: { ...env, DATABASE_URL: url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const wallMs = performance.now() - started;
  const last = JSON.parse(stdout.trim().split('\n').at(-1) || '{}') as DaemonCommandResult['last'];
  return { code, stdout, stderr, wallMs, last };
}

/** `ops-daemon exec` on all tenants, the real CLI in its own process, with default OPS_* settings. */
export async function measureExec(url: string): Promise<ExecSample> {
  // Only the database comes from us: the caller's OPS_* variables must not tune the run. The one
  // exception is the benchmark switch OPS_PLUGIN_ISOLATION=off, to measure what plugin isolation costs.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('OPS_') || k === 'OPS_PLUGIN_ISOLATION'),
  );
  await withoutApproval(url);
  const { code, stdout, stderr, wallMs, last } = await runDaemonCommand(
    [
      'exec',
      RUNBOOK,
      '--reason-code',
      'DATA_REPAIR',
      '--reason-text',
      'benchmark',
      '--confirm',
      'BACKFILL',
      '--json',
    ],
    url,
    env,
    ['--import', PEAK_RSS],
  );
  if (code !== 0 || last.outcome !== 'succeeded' || !last.run_id) {
    throw new Error(`exec failed (exit ${code}): ${stdout.slice(-2000)}\n${stderr.slice(-2000)}`);
  }
  const peakRssKb = Number(/@@peak_rss_kb=(\d+)/.exec(stderr)?.[1] ?? Number.NaN);
  const chunks = await withClient(url, async (client) => {
    const { rows } = await client.query<{ chunk_stats: ChunkStatsSummary }>(
      "SELECT context->'chunk_stats' AS chunk_stats FROM ops.runs WHERE id = $1",
      [last.run_id],
    );
    return rows[0]!.chunk_stats;
  });
  return {
    wallMs,
    runMs: last.summary?.duration_ms ?? Number.NaN,
    updated: last.summary?.updated_count ?? 0,
    scanned: last.summary?.total_scanned ?? 0,
    peakRssKb,
    chunks,
  };
}

export interface PreflightSample {
  /** The preflight's count statement as a plain query at default settings, and with work_mem 64MB. */
  countDefaultMs: number;
  count64Ms: number;
  /** Ours: the run service's all-tenants preflight (tuned in its own transaction). */
  preflightMs: number;
  exact: number;
  estimateMs: number;
  estimate: { affected: number; margin: number };
  /** Single-tenant preflights: the first call on a fresh copy, then the same again. */
  tenants: { externalId: string; findings: number; firstMs: number; againMs: number }[];
}

/**
 * Read-only measurements on one fresh copy. The estimate and the single-tenant preflights go first,
 * on cold caches (pessimistic: an operator's first click); the three counts follow in `order`.
 */
export async function measurePreflights(
  url: string,
  tenants: { externalId: string; findings: number }[],
  order: readonly ('default' | '64MB' | 'ours')[],
): Promise<PreflightSample> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OPS_')));
  const ops = await openOps(loadConfig({ ...env, DATABASE_URL: url }), { log: () => {} });
  try {
    const estimate = await timed(() =>
      ops.service.estimate({ runbookId: RUNBOOK, scope: { kind: 'all' }, actor: SYSTEM }),
    );
    const tenantTimes: PreflightSample['tenants'] = [];
    for (const tenant of tenants) {
      const once = () =>
        timed(() =>
          ops.service.preflight({
            runbookId: RUNBOOK,
            scope: { kind: 'externalId', externalId: tenant.externalId },
            actor: SYSTEM,
          }),
        );
      // The first call reads the tenant's pages from the OS; a second finds them in PostgreSQL's cache.
      const first = await once();
      const again = await once();
      tenantTimes.push({ ...tenant, firstMs: first.ms, againMs: again.ms });
    }
    const counts: Record<string, number> = {};
    let exact = 0;
    for (const which of order) {
      if (which === 'ours') {
        const { ms, value } = await timed(() =>
          ops.service.preflight({ runbookId: RUNBOOK, scope: { kind: 'all' }, actor: SYSTEM }),
        );
        counts.ours = ms;
        exact = value.result.affected_count;
      } else {
        counts[which] = await withClient(url, async (client) => {
          if (which === '64MB') await client.query("SET work_mem = '64MB'");
          const { text, values } = preflightQuery({ kind: 'all' });
          return (await timed(() => client.query(text, values))).ms;
        });
      }
    }
    const e = estimate.value.estimate;
    return {
      countDefaultMs: counts.default ?? Number.NaN,
      count64Ms: counts['64MB'] ?? Number.NaN,
      preflightMs: counts.ours ?? Number.NaN,
      exact,
      estimateMs: estimate.ms,
      estimate: { affected: e?.affected_count ?? Number.NaN, margin: e?.margin ?? Number.NaN },
      tenants: tenantTimes,
    };
  } finally {
    await ops.close();
  }
}

/** The median-sized and the largest customer tenant, by findings. */
export async function pickTenants(url: string): Promise<{ externalId: string; findings: number }[]> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ external_id: string; n: string }>(
      `SELECT t.external_id, count(*) AS n FROM public.findings f JOIN public.tenants t ON t.id = f.tenant_id
       WHERE t.external_id <> 'platform' GROUP BY t.external_id ORDER BY count(*), t.external_id`,
    );
    const pick = (i: number) => ({ externalId: rows[i]!.external_id, findings: Number(rows[i]!.n) });
    return [pick(Math.floor(rows.length / 2)), pick(rows.length - 1)];
  });
}
