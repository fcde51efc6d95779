import {
  defaultLockRequests,
  describeScope,
  type LockRequest,
  type ResolvedScope,
  type RunbookDefinition,
} from '@ops/runbook-sdk';
import type pg from 'pg';
import { ConflictError } from '../errors.ts';
import { leaseHeld, locksConflict } from '../locks/index.ts';
import type { RunRecord } from './run-record.ts';
import type { RunRepository } from './run-repository.ts';

/** The runbook's own lock hierarchy, or the default one over its id and the resources it writes. */
export function lockRequestsOf(def: RunbookDefinition, scope: ResolvedScope): LockRequest[] {
  return def.lockRequests?.(scope) ?? defaultLockRequests(def.id, scope, def.resources ?? []);
}

const locksOf = (run: RunRecord) => (run.context.locks as LockRequest[] | undefined) ?? [];

/**
 * Another active run whose locks conflict with `wanted` and whose owner still holds its lease.
 * Free advisory locks do not prove the scope free: a run whose lock connection dropped still
 * writes (fenced by its lease) until it stops or takes its locks again.
 */
export async function leasedConflictingRun(
  pool: pg.Pool,
  runs: RunRepository,
  wanted: readonly LockRequest[],
): Promise<RunRecord | null> {
  for (const run of await runs.listActive()) {
    if (locksConflict(wanted, locksOf(run)) && (await leaseHeld(pool, run.id))) return run;
  }
  return null;
}

/** The refusal an operator or pipeline reads when the scope is taken: which run, whose, since when. */
export async function lockConflictError(
  runs: RunRepository,
  def: RunbookDefinition,
  scope: ResolvedScope,
  wanted: LockRequest[],
): Promise<ConflictError> {
  const holder = (await runs.listActive()).find((run) => locksConflict(wanted, locksOf(run)));
  if (!holder) {
    return new ConflictError(
      `another run of ${def.id} holds the lock for ${describeScope(scope)}; try again when it ends`,
    );
  }
  return new ConflictError(
    `run ${holder.id} (${describeScope(holder.scope)}, by ${holder.actorLabel}) holds the lock for ${def.id} since ${holder.createdAt}`,
    { runId: holder.id, actor: holder.actorLabel, startedAt: holder.startedAt ?? holder.createdAt },
  );
}
