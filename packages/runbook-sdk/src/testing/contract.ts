import pg from 'pg';
import type { SqlExecutor } from '../context.ts';
import { definitionProblems, type RunbookDefinition } from '../define.ts';
import { ParameterError, parseParameters } from '../parameters.ts';
import { PRODUCT_SCHEMA_SQL } from '../product-schema.ts';
import { PLATFORM_TENANT_EXTERNAL_ID, type ResolvedScope } from '../scope.ts';
import { CORE_SUMMARY_KEYS } from '../summary-keys.ts';
import { changedKeys, databaseChecksum, SHARED_ROWS, tenantChecksums } from './checksum.ts';
import { type KitInput, KitInputError, kitInputOf } from './kit-input.ts';
import { checkNarrowing } from './narrowing.ts';
import { executorOf, hasAffectedWith, preflightWith, runWithReferenceDriver } from './reference-runner.ts';
import { startThrowawayPostgres, type ThrowawayPostgres } from './throwaway-postgres.ts';
import { DEFAULT_KIT_TIME_LIMITS, type KitTimeLimits, PluginCallTimeoutError } from './time-limit.ts';

export interface ContractOptions {
  /**
   * Creates the plugin's fixtures; the product's tables (PRODUCT_SCHEMA_SQL) exist already. They
   * must hold the platform tenant (external_id 'platform') and customers, each with rows the
   * runbook would repair: `insertKitTenants(db)` inserts such tenants.
   */
  setup(db: SqlExecutor): Promise<void>;
  scope?: ResolvedScope;
  /** Parameter values as an operator gives them; parsed by the runbook's schema as the daemon does. */
  params?: Record<string, unknown>;
  /**
   * A CSV-input runbook's file: its text, `{ fileName, text }`, or rows. Parsed by `parseCsvInput` as
   * the daemon parses an upload (a bad file fails the check by line and column) and passed as
   * `ctx.input` to preflight, hasAffected and run. Give ids the fixtures hold (e.g. explicit ids).
   */
  input?: KitInput;
  /** Small, so the fixtures span several chunks and interruption lands mid-way. */
  chunkSize?: number;
  /** `table.column` pairs that differ between two runs of the same work (e.g. `findings.updated_at`). */
  volatileColumns?: string[];
  /** A server to reuse; by default one is started and stopped for this check. */
  postgres?: ThrowawayPostgres;
  /** Time limits of each plugin call (see DEFAULT_KIT_TIME_LIMITS). */
  limits?: Partial<KitTimeLimits>;
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

/** The checks' names, as a report lists them. */
export const CONTRACT_CHECKS = {
  definition: 'definition is valid',
  parameters: 'parameters are accepted as the daemon accepts them',
  input: 'the input file is accepted as the daemon accepts it',
  platformFixture: 'fixtures hold the platform tenant',
  preflightReadOnly: 'preflight is read-only',
  fixturesGiveWork: 'fixtures give the runbook work',
  platformUnchanged: 'the platform tenant never changes',
  outsideScope: 'nothing outside the scope changes',
  summaryKeys: 'reports only declared summary keys',
  numbers: 'reports numbers only',
  thenZero: 'run then preflight reports 0',
  secondRun: 'a second run updates 0',
  cancellation: 'cancellation is honoured within one chunk',
  resume: 'an interrupted run resumed from its checkpoint ends like an uninterrupted one',
  narrowing: 'applyChunk honours the narrowing (onlyTenantId, excludeTenantIds)',
  tenantsInRange: 'tenantsInRange names every tenant a chunk writes',
  tenantRun: 'a run on one tenant changes only that tenant',
  timeLimits: 'every plugin call finishes within its time limit',
  noThrow: 'runs without throwing',
} as const;

let databaseCounter = 0;

/**
 * Checks a runbook against the contract on a real PostgreSQL, driving it as the daemon does:
 * parameters parsed by its schema (unknown ones refused); a valid definition; a read-only
 * preflight; the platform tenant never changed and nothing outside the scope; run then preflight
 * reports 0; a second run updates 0; only declared summary keys; cancellation honoured within one
 * chunk; an interrupted run resumed from its checkpoint ends like an uninterrupted one; chunks
 * narrowed to one tenant or leaving tenants out write only what they may; every plugin call
 * within its time limit. Never throws for a broken runbook: the report says.
 */
export async function checkRunbookContract(
  def: RunbookDefinition,
  options: ContractOptions,
): Promise<ContractReport> {
  const checks: ContractCheck[] = [];
  const check = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });
  const problems = definitionProblems(def);
  check(CONTRACT_CHECKS.definition, problems.length === 0, problems.join('; ') || 'ok');
  if (problems.length > 0) return { ok: false, checks };
  let params: Record<string, unknown>;
  try {
    params = parseParameters(def.parameters, options.params ?? {});
    check(CONTRACT_CHECKS.parameters, true, JSON.stringify(params));
  } catch (error) {
    if (!(error instanceof ParameterError)) throw error;
    check(CONTRACT_CHECKS.parameters, false, `${error.message} (the daemon refuses the run the same way)`);
    return { ok: false, checks };
  }
  // Checked only for a runbook that takes a file, or a check given one: as the daemon checks an upload.
  let input: ReturnType<typeof kitInputOf> = null;
  if (def.input || options.input != null) {
    try {
      input = kitInputOf(def, options.input);
      check(
        CONTRACT_CHECKS.input,
        true,
        `${input?.fileName}: ${input?.rowCount} row(s), sha256 ${input?.sha256.slice(0, 12)}…`,
      );
    } catch (error) {
      if (!(error instanceof KitInputError)) throw error;
      check(CONTRACT_CHECKS.input, false, `${error.message} (the daemon refuses the file the same way)`);
      return { ok: false, checks };
    }
  }
  const raw = options.params ?? {};
  const file = options.input ?? null;
  const limits: KitTimeLimits = { ...DEFAULT_KIT_TIME_LIMITS, ...options.limits };

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
  const run = (
    pool: pg.Pool,
    extra: { resumeCursor?: string | null; abortAfterChunks?: number; scope?: ResolvedScope } = {},
  ) =>
    runWithReferenceDriver(def, pool, extra.scope ?? scope, {
      params: raw,
      input: file,
      chunkSize,
      limits,
      ...extra,
    });
  const affected = async (pool: pg.Pool) =>
    (await preflightWith(def, pool, scope, raw, limits, file)).affected_count;
  const checksum = (pool: pg.Pool) => databaseChecksum(pool, options.volatileColumns);
  const perTenant = (pool: pg.Pool) => tenantChecksums(pool, options.volatileColumns);
  try {
    const prefix = `kit_${process.pid}_${++databaseCounter}`;
    const fixtureUrl = await server.createDatabase(`${prefix}_fixture`);
    const fixture = open(fixtureUrl);
    // What a daemon's database always has: the platform's own schema and the product's tables.
    await fixture.query('CREATE SCHEMA IF NOT EXISTS ops');
    await fixture.query(PRODUCT_SCHEMA_SQL);
    await options.setup(executorOf(fixture));
    const { rows: tenantRows } = await fixture.query<{ id: string; external_id: string }>(
      'SELECT id::text, external_id FROM public.tenants ORDER BY id',
    );
    await fixture.end();
    pools.pop();
    const platformId = tenantRows.find((t) => t.external_id === PLATFORM_TENANT_EXTERNAL_ID)?.id ?? null;
    const nameOf = new Map(tenantRows.map((t) => [t.id, t.external_id]));
    const named = (ids: string[]) => ids.map((id) => `${nameOf.get(id) ?? '?'} (id ${id})`).join(', ');
    check(
      CONTRACT_CHECKS.platformFixture,
      platformId !== null,
      platformId !== null
        ? `platform tenant id ${platformId}, ${tenantRows.length - 1} other tenant(s)`
        : `no tenant with external_id '${PLATFORM_TENANT_EXTERNAL_ID}': insert one with rows the runbook would repair (insertKitTenants does), so the kit can check they never change`,
    );
    const copy = async (name: string) =>
      open(await server.createDatabase(`${prefix}_${name}`, `${prefix}_fixture`));
    const straight = await copy('straight');
    const interrupted = await copy('interrupted');
    const narrowed = await copy('narrowed');

    const before = await checksum(straight);
    const tenantsBefore = await perTenant(straight);
    const initial = await affected(straight);
    check(
      CONTRACT_CHECKS.preflightReadOnly,
      before === (await checksum(straight)),
      'checksums of public and ops compared',
    );
    // hasAffected (optional) must agree with the preflight: the daemon starts exec runs on it.
    const existsBefore = await hasAffectedWith(def, straight, scope, raw, limits, file);
    check(
      CONTRACT_CHECKS.fixturesGiveWork,
      initial > 0 && existsBefore !== false,
      `preflight affected_count ${initial}${existsBefore === null ? '' : `; hasAffected ${existsBefore}`}`,
    );

    const first = await run(straight);
    const changed = changedKeys(tenantsBefore, await perTenant(straight)).filter((k) => k !== SHARED_ROWS);
    const platformChanged = platformId !== null && changed.includes(platformId);
    check(
      CONTRACT_CHECKS.platformUnchanged,
      !platformChanged,
      platformChanged
        ? `the run wrote rows of the platform tenant (external_id '${PLATFORM_TENANT_EXTERNAL_ID}', id ${platformId}): leave them out of every count and write (the daemon's rule for every runbook)`
        : 'per-tenant checksums compared',
    );
    const outside = changed.filter(
      (id) => id !== platformId && scope.kind === 'tenant' && id !== String(scope.tenantId),
    );
    check(
      CONTRACT_CHECKS.outsideScope,
      outside.length === 0,
      outside.length
        ? `a run on ${scope.kind === 'tenant' ? `tenant ${scope.externalId}` : 'all tenants'} wrote tenant ${named(outside)}`
        : `changed: ${named(changed) || 'no tenant'}`,
    );
    const allowed = new Set<string>([...CORE_SUMMARY_KEYS, ...(def.summaryKeys ?? [])]);
    const undeclared = Object.keys(first.result).filter((k) => !allowed.has(k));
    const nonNumeric = Object.entries(first.result)
      .filter(([, v]) => typeof v !== 'number')
      .map(([k]) => k);
    check(
      CONTRACT_CHECKS.summaryKeys,
      undeclared.length === 0,
      undeclared.length ? `undeclared: ${undeclared.join(', ')}` : 'ok',
    );
    check(
      CONTRACT_CHECKS.numbers,
      nonNumeric.length === 0,
      nonNumeric.length ? `not numbers: ${nonNumeric.join(', ')}` : 'ok',
    );
    const after = await affected(straight);
    const existsAfter = await hasAffectedWith(def, straight, scope, raw, limits, file);
    check(
      CONTRACT_CHECKS.thenZero,
      after === 0 && existsAfter !== true,
      `preflight after the run: ${after}${existsAfter === null ? '' : `; hasAffected ${existsAfter}`}`,
    );
    const straightEnd = await checksum(straight);
    const second = await run(straight);
    const secondUpdated = Number(second.result.updated_count ?? 0);
    check(
      CONTRACT_CHECKS.secondRun,
      secondUpdated === 0 && straightEnd === (await checksum(straight)),
      `second run updated_count ${secondUpdated}`,
    );

    const cancelled = await run(interrupted, { abortAfterChunks: 1 });
    const left = await affected(interrupted);
    check(
      CONTRACT_CHECKS.cancellation,
      cancelled.chunksAfterAbort <= 1 && (initial <= chunkSize || left > 0),
      `chunks written after the abort: ${cancelled.chunksAfterAbort}; affected left: ${left}`,
    );
    await run(interrupted, { resumeCursor: cancelled.checkpoint });
    check(
      CONTRACT_CHECKS.resume,
      (await checksum(interrupted)) === straightEnd,
      `resumed from checkpoint ${cancelled.checkpoint}`,
    );

    const verdict = await checkNarrowing(
      def,
      narrowed,
      scope,
      params,
      limits,
      options.volatileColumns ?? [],
      input,
    );
    check(CONTRACT_CHECKS.narrowing, verdict.narrowing.ok, verdict.narrowing.detail);
    check(CONTRACT_CHECKS.tenantsInRange, verdict.tenants.ok, verdict.tenants.detail);

    // A runbook that offers tenant scope is also run on one customer (the first with changes).
    const customer = changed.find((id) => id !== platformId);
    if (scope.kind === 'all' && def.scopes.includes('tenant') && customer) {
      const scoped = await copy('scoped');
      const tenantScope: ResolvedScope = {
        kind: 'tenant',
        tenantId: Number(customer),
        externalId: nameOf.get(customer) ?? customer,
        name: nameOf.get(customer) ?? customer,
      };
      const scopedBefore = await perTenant(scoped);
      await run(scoped, { scope: tenantScope });
      const wrote = changedKeys(scopedBefore, await perTenant(scoped)).filter(
        (k) => k !== SHARED_ROWS && k !== customer,
      );
      check(
        CONTRACT_CHECKS.tenantRun,
        wrote.length === 0,
        wrote.length
          ? `a run on tenant ${tenantScope.externalId} also wrote tenant ${named(wrote)}`
          : `ran on tenant ${tenantScope.externalId}`,
      );
    }
  } catch (error) {
    if (error instanceof PluginCallTimeoutError) check(CONTRACT_CHECKS.timeLimits, false, error.message);
    else check(CONTRACT_CHECKS.noThrow, false, (error as Error).stack ?? String(error));
  } finally {
    // A pool whose client a hung plugin call holds would wait for it: do not wait on them.
    await Promise.all(
      pools.map((p) => Promise.race([p.end(), new Promise((r) => setTimeout(r, 2000).unref())])),
    );
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
