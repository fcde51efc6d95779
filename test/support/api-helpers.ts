import { TRPCClientError } from '@trpc/client';
import type { RunRecord } from '../../apps/daemon/src/runs/index.ts';
import { waitFor } from './cli.ts';
import type { TestDaemon } from './daemon.ts';

export type Api = ReturnType<TestDaemon['client']>;
export const RUNBOOK = 'findings.lifecycle.backfill';

/** The tRPC error of a call expected to fail: code, message and data (with `field` for bad input). */
export async function errorOf(
  promise: Promise<unknown>,
): Promise<{ code: string; message: string; data: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCClientError)
      return { code: error.data?.code, message: error.message, data: error.data };
    throw error;
  }
  throw new Error('expected the call to fail');
}

/** Preflight and run through the API as the console does; resolves with the completed record. */
export async function runToEnd(
  api: Api,
  scope: { kind: 'all' } | { kind: 'tenant'; tenantId: number },
): Promise<RunRecord> {
  const preflight = await api.runbooks.preflight.mutate({ runbookId: RUNBOOK, scope });
  const { runId } = await api.runbooks.run.mutate({
    runbookId: RUNBOOK,
    scope,
    reasonCode: 'INCIDENT',
    reasonText: 'alert test',
    confirmation: 'BACKFILL',
    preflightAffectedCount: preflight.affected_count,
  });
  return waitFor(
    async () => {
      const run = await api.runs.get.query({ id: runId });
      return run.status === 'completed' ? (run as RunRecord) : undefined;
    },
    30_000,
    `run ${runId} to complete`,
  );
}
