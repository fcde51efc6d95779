import { filterSummary } from '@ops/runbook-sdk';
import type pg from 'pg';
import type { AuditLog } from '../audit/index.ts';
import { leaseHeld, RunLease } from '../locks/index.ts';
import type { PluginRegistry } from '../plugins/index.ts';
import { auditRunEvent } from './run-audit.ts';
import type { RunRecord } from './run-record.ts';
import type { RunRepository } from './run-repository.ts';
import { WorkUnits } from './work-units.ts';

export interface ReaperDeps {
  pool: pg.Pool;
  runs: RunRepository;
  audit: AuditLog;
  registry: PluginRegistry;
  leaseMs: number;
  /** Who takes the leases over, as the lease row shows it. */
  reaperName: string;
}

/**
 * Ends queued or running runs whose owner provably stopped — its lease ran out, not merely one
 * of its connections dropped — as `completed/failed` with an `interrupted` reason. Taking the
 * lease over bumps the fence first, so the old owner can never commit again, and waits for a
 * chunk of it that is already past its fence check. The record's counts are reconciled from the
 * committed work units (what was really written). Paused runs are left alone: they wait,
 * checkpointed, for any daemon to resume them.
 */
export async function reapInterrupted(deps: ReaperDeps): Promise<RunRecord[]> {
  const candidates = (await deps.runs.listActive()).filter((r) => r.status !== 'paused');
  const reaped: RunRecord[] = [];
  const { pool } = deps;
  for (const run of candidates) {
    if (await leaseHeld(pool, run.id)) continue;
    await RunLease.adoptOrphan(pool, run.id, deps.leaseMs * 2);
    const lease = await RunLease.takeOver(pool, run.id, deps.reaperName, deps.leaseMs);
    if (!lease) continue;
    const totals = await new WorkUnits(pool).totals(run.id);
    const written = totals.units > 0 ? totals : null;
    const interrupted = {
      reason: 'interrupted',
      message: 'the process running it stopped (its lease ran out) before it finished',
      last_heartbeat_at: run.heartbeatAt,
      checkpoint: written?.lowWater ?? run.context.checkpoint ?? null,
      detected_at: new Date().toISOString(),
    };
    if (written) {
      await deps.runs.recordProgress(
        run.id,
        {
          total: Math.max(written.totalItems ?? written.processed, written.processed),
          processed: written.processed,
          updated: written.updated,
          rowsPerSecond: 0,
          etaSeconds: null,
          cursor: written.lowWater,
        },
        { checkpoint: written.lowWater, failures: written.failures },
      );
    }
    const updated = written?.updated ?? run.progress.updated ?? 0;
    const moved = await deps.runs.transition(run, 'completed', 'failed', {
      summary: filterSummary(
        {
          updated_count: updated,
          total_scanned: written?.processed ?? run.progress.processed ?? 0,
          error_count: (written?.failures.length ?? 0) + 1,
        },
        deps.registry.runbooks.get(run.type)?.summaryKeys ?? [],
      ),
      contextPatch: {
        interrupted,
        updated_count: updated,
        ...(written ? { failures: written.failures } : {}),
      },
    });
    await lease.release();
    if (!moved) continue;
    reaped.push(await deps.runs.get(run.id));
    await auditRunEvent(deps, run, 'run.interrupted', {
      outcome: 'failed',
      details: {
        last_heartbeat_at: run.heartbeatAt,
        checkpoint: interrupted.checkpoint,
        updated_count: updated,
      },
    });
  }
  return reaped;
}
