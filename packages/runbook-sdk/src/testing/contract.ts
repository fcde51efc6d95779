import pg from 'pg';
import type { SqlExecutor } from '../context.ts';
import { definitionProblems, type RunbookDefinition } from '../define.ts';
import { PRODUCT_SCHEMA_SQL } from '../product-schema.ts';
import type { ResolvedScope } from '../scope.ts';
import { CORE_SUMMARY_KEYS } from '../summary-keys.ts';
import { databaseChecksum } from './checksum.ts';
import { executorOf, preflightWith, runWithReferenceDriver } from './reference-runner.ts';
import { startThrowawayPostgres, type ThrowawayPostgres } from './throwaway-postgres.ts';

export interface ContractOptions {
  /** Creates the plugin's fixtures; the product's tables (PRODUCT_SCHEMA_SQL) exist already. */
  setup(db: SqlExecutor): Promise<void>;
  scope?: ResolvedScope;
  params?: Record<string, unknown>;
  /** Small, so the fixtures span several chunks and interruption lands mid-way. */
  chunkSize?: number;
  /** `table.column` pairs that differ between two runs of the same work (e.g. `findings.updated_at`). */
  volatileColumns?: string[];
  /** A server to reuse; by default one is started and stopped for this check. */
  postgres?: ThrowawayPostgres;
}

export interface ContractCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ContractReport {
  ok: boolean;
  checks: ContractCheck[];
}

let databaseCounter = 0;

/**
 * Checks a runbook against the contract on a real PostgreSQL: a valid definition; a read-only
 * preflight; run then preflight reports 0; a second run updates 0; only declared summary keys;
 * cancellation honoured within one chunk; a run interrupted and resumed from its checkpoint ends
 * in the same state as an uninterrupted one. Never throws for a broken runbook: the report says.
 */
export async function checkRunbookContract(
  def: RunbookDefinition,
  options: ContractOptions,
): Promise<ContractReport> {
  const checks: ContractCheck[] = [];
  const check = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });
  const problems = definitionProblems(def);
  check('definition is valid', problems.length === 0, problems.join('; ') || 'ok');
  if (problems.length > 0) return { ok: false, checks };

  const server = options.postgres ?? (await startThrowawayPostgres());
  const pools: pg.Pool[] = [];
  const open = (url: string) => {
    const pool = new pg.Pool({ connectionString: url, max: 3 });
    // The server stops right after the check; a closing connection's error must not crash the caller.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    pools.push(pool);
    return pool;
  };
  const scope = options.scope ?? { kind: 'all' };
  const chunkSize = options.chunkSize ?? 2;
  const run = (pool: pg.Pool, extra: { resumeCursor?: string | null; abortAfterChunks?: number } = {}) =>
    runWithReferenceDriver(def, pool, scope, { params: options.params, chunkSize, ...extra });
  const affected = async (pool: pg.Pool) =>
    (await preflightWith(def, pool, scope, options.params)).affected_count;
  const checksum = (pool: pg.Pool) => databaseChecksum(pool, options.volatileColumns);
  try {
    const prefix = `kit_${process.pid}_${++databaseCounter}`;
    const fixtureUrl = await server.createDatabase(`${prefix}_fixture`);
    const fixture = open(fixtureUrl);
    // What a daemon's database always has: the platform's own schema and the product's tables.
    await fixture.query('CREATE SCHEMA IF NOT EXISTS ops');
    await fixture.query(PRODUCT_SCHEMA_SQL);
    await options.setup(executorOf(fixture));
    await fixture.end();
    pools.pop();
    const straight = open(await server.createDatabase(`${prefix}_straight`, `${prefix}_fixture`));
    const interrupted = open(await server.createDatabase(`${prefix}_interrupted`, `${prefix}_fixture`));

    const before = await checksum(straight);
    const initial = await affected(straight);
    check(
      'preflight is read-only',
      before === (await checksum(straight)),
      'checksums of public and ops compared',
    );
    check('fixtures give the runbook work', initial > 0, `preflight affected_count ${initial}`);

    const first = await run(straight);
    const allowed = new Set<string>([...CORE_SUMMARY_KEYS, ...(def.summaryKeys ?? [])]);
    const undeclared = Object.keys(first.result).filter((k) => !allowed.has(k));
    const nonNumeric = Object.entries(first.result)
      .filter(([, v]) => typeof v !== 'number')
      .map(([k]) => k);
    check(
      'reports only declared summary keys',
      undeclared.length === 0,
      undeclared.length ? `undeclared: ${undeclared.join(', ')}` : 'ok',
    );
    check(
      'reports numbers only',
      nonNumeric.length === 0,
      nonNumeric.length ? `not numbers: ${nonNumeric.join(', ')}` : 'ok',
    );
    const after = await affected(straight);
    check('run then preflight reports 0', after === 0, `preflight after the run: ${after}`);
    const straightEnd = await checksum(straight);
    const second = await run(straight);
    const secondUpdated = Number(second.result.updated_count ?? 0);
    check(
      'a second run updates 0',
      secondUpdated === 0 && straightEnd === (await checksum(straight)),
      `second run updated_count ${secondUpdated}`,
    );

    const cancelled = await run(interrupted, { abortAfterChunks: 1 });
    const left = await affected(interrupted);
    check(
      'cancellation is honoured within one chunk',
      cancelled.chunksAfterAbort <= 1 && (initial <= chunkSize || left > 0),
      `chunks written after the abort: ${cancelled.chunksAfterAbort}; affected left: ${left}`,
    );
    await run(interrupted, { resumeCursor: cancelled.checkpoint });
    check(
      'an interrupted run resumed from its checkpoint ends like an uninterrupted one',
      (await checksum(interrupted)) === straightEnd,
      `resumed from checkpoint ${cancelled.checkpoint}`,
    );
  } catch (error) {
    check('runs without throwing', false, (error as Error).stack ?? String(error));
  } finally {
    await Promise.all(pools.map((p) => p.end()));
    if (!options.postgres) await server.stop();
  }
  return { ok: checks.every((c) => c.ok), checks };
}

/** Like checkRunbookContract, but throws an Error listing every failed check (for any test runner). */
export async function assertRunbookContract(
  def: RunbookDefinition,
  options: ContractOptions,
): Promise<ContractReport> {
  const report = await checkRunbookContract(def, options);
  if (!report.ok) {
    const failed = report.checks.filter((c) => !c.ok).map((c) => `✗ ${c.name}: ${c.detail}`);
    throw new Error(`runbook ${def.id} breaks the contract:\n${failed.join('\n')}`);
  }
  return report;
}
