import type pg from 'pg';
import type { ChunkedResult, KeysetWork, RunContext } from '../context.ts';
import type { CsvInputRows } from '../csv/csv-input.ts';
import type { RunbookDefinition } from '../define.ts';
import { PLATFORM_TENANT_EXTERNAL_ID, type ResolvedScope } from '../scope.ts';
import { changedKeys, SHARED_ROWS, tenantChecksums } from './checksum.ts';
import { executorOf, KeysetDriver } from './reference-runner.ts';
import { type KitTimeLimits, PluginCallTimeoutError, withinTimeLimit } from './time-limit.ts';

export interface NarrowingVerdict {
  /** applyChunk honours onlyTenantId and excludeTenantIds. */
  narrowing: { ok: boolean; detail: string };
  /** tenantsInRange names every tenant whose rows a chunk writes. */
  tenants: { ok: boolean; detail: string };
}

/**
 * Starts the run only to get its keyset work (the run's own statements before `runChunked` run
 * too, e.g. creating an archive table), then writes the whole id range as the daemon would after a
 * failed chunk: first leaving tenants out, then narrowed to one tenant, then whole, comparing each
 * tenant's rows after every step.
 */
export async function checkNarrowing(
  def: RunbookDefinition,
  pool: pg.Pool,
  scope: ResolvedScope,
  params: Record<string, unknown>,
  limits: KitTimeLimits,
  volatileColumns: readonly string[],
  /** A CSV-input runbook's parsed file (`ctx.input`, as the daemon gives it). */
  input: CsvInputRows | null = null,
): Promise<NarrowingVerdict> {
  const checksums = () => tenantChecksums(pool, volatileColumns);
  const start = await checksums();
  let captured: KeysetWork | null = null;
  const controller = new AbortController();
  const ctx: RunContext = {
    db: executorOf(pool),
    params,
    ...(input ? { input } : {}),
    runId: '2',
    signal: controller.signal,
    resumeCursor: null,
    preflightAffectedCount: 0,
    log: () => {},
    async runChunked(work): Promise<ChunkedResult> {
      captured ??= work;
      controller.abort('narrowing check');
      return { updated_count: 0, total_scanned: 0, error_count: 0 };
    },
  };
  await withinTimeLimit(() => def.run(ctx, scope), 'run', limits, 'runTimeoutMs');
  const work = captured as KeysetWork | null;
  if (!work) {
    const wrote = changedKeys(start, await checksums()).filter((k) => k !== SHARED_ROWS);
    const verdict = wrote.length
      ? {
          ok: false,
          detail: `run wrote tenants ${wrote.join(', ')} without ctx.runChunked: the daemon can neither narrow, retry nor resume such writes`,
        }
      : { ok: true, detail: 'no chunked work with these parameters' };
    return { narrowing: verdict, tenants: verdict };
  }

  const { rows } = await pool.query<{ id: string; external_id: string }>(
    'SELECT id::text, external_id FROM public.tenants',
  );
  const nameOf = new Map(rows.map((r) => [r.id, r.external_id]));
  const platformId = rows.find((r) => r.external_id === PLATFORM_TENANT_EXTERNAL_ID)?.id ?? null;
  const named = (ids: readonly string[]) => ids.map((id) => `${nameOf.get(id) ?? '?'} (id ${id})`).join(', ');

  const driver = new KeysetDriver(pool, work, limits);
  const bounds = await driver.idBounds();
  const whole = bounds === null ? null : await driver.nextChunk(null, 2 ** 31 - 1, bounds?.lastId);
  if (!whole) {
    const none = { ok: true, detail: 'no chunk to narrow' };
    return { narrowing: none, tenants: none };
  }
  const range = { afterId: null, lastId: whole.lastId };
  const chunk = `chunk start..${range.lastId}`;
  const inRange = await driver.tenantsInRange(range);
  const listed = new Set(inRange.map((t) => String(t.tenantId)));
  const customers = inRange.filter((t) => String(t.tenantId) !== platformId).map((t) => String(t.tenantId));
  const problems: string[] = [];
  const tenantsWritten = new Set<string>();
  /** Writes one selection of the range in a transaction it then rolls back: each step starts alike. */
  const step = async (onlyTenantId: string | null, excluded: readonly string[]) => {
    const selection = {
      ...range,
      onlyTenantId: onlyTenantId === null ? null : Number(onlyTenantId),
      excludeTenantIds: excluded.map(Number),
    };
    const what = `applyChunk of ${chunk}${onlyTenantId === null ? '' : ` narrowed to tenant ${onlyTenantId}`}`;
    const client = await pool.connect();
    let hung: Error | undefined;
    try {
      await client.query(`BEGIN; SET LOCAL statement_timeout = ${limits.chunkTimeoutMs}`);
      const before = await tenantChecksums(client, volatileColumns);
      await withinTimeLimit(
        () => work.applyChunk(executorOf(client), selection),
        what,
        limits,
        'chunkTimeoutMs',
      );
      const changed = changedKeys(before, await tenantChecksums(client, volatileColumns)).filter(
        (k) => k !== SHARED_ROWS,
      );
      for (const id of changed) tenantsWritten.add(id);
      return changed;
    } catch (error) {
      hung = error as Error;
      if ((error as { code?: string }).code === '57014')
        throw new PluginCallTimeoutError(what, limits.chunkTimeoutMs, 'chunkTimeoutMs');
      throw error;
    } finally {
      await client.query('ROLLBACK').catch(() => {});
      client.release(hung);
    }
  };

  let detail = `whole range ${chunk}, ${customers.length} customer tenant(s) in it`;
  if (customers.length > 0) {
    // Left out: every customer but the last (the only one, when there is one).
    const excluded = customers.length > 1 ? customers.slice(0, -1) : customers;
    const wroteExcluded = (await step(null, excluded)).filter((id) => excluded.includes(id));
    if (wroteExcluded.length) {
      problems.push(
        `applyChunk of ${chunk} with excludeTenantIds [${excluded.join(', ')}] wrote tenant ${named(wroteExcluded)}: a chunk must leave out the tenants the daemon excludes after their rows failed`,
      );
    }
    const target = excluded[0]!;
    const wroteOthers = (await step(target, [])).filter((id) => id !== target);
    if (wroteOthers.length) {
      problems.push(
        `applyChunk of ${chunk} narrowed to tenant ${named([target])} (onlyTenantId) also wrote tenant ${named(wroteOthers)}: a narrowed chunk must write only that tenant's rows`,
      );
    }
  } else {
    detail += ' (give customers rows to repair to check narrowing)';
  }
  await step(null, []);
  const unnamed = [...tenantsWritten].filter((id) => !listed.has(id)).sort();
  return {
    narrowing: { ok: problems.length === 0, detail: problems.join('; ') || detail },
    tenants: {
      ok: unnamed.length === 0,
      detail: unnamed.length
        ? `tenantsInRange of ${chunk} did not name tenant ${named(unnamed)} whose rows the chunk wrote: the daemon retries a failing chunk tenant by tenant from that list`
        : `named ${inRange.length} tenant(s)`,
    },
  };
}
