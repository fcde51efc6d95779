import { RunInterruptedError, type RunRecord } from '../../runs/index.ts';
import { revertSkippedRows } from '../../runs/revert/index.ts';
import { parse, requirePositional } from '../args.ts';
import type { Command } from '../command.ts';
import { usageOf } from '../command-table.ts';
import { EXIT, EXIT_FOR_OUTCOME } from '../exit-codes.ts';
import { createOutput, formatCount } from '../output.ts';
import { execResult } from '../run-json.ts';
import { cliActor } from './preflight.ts';
import { withOps } from './with-ops.ts';

const usage = usageOf('revert');

/** Skipped rows shown on a terminal; --json carries up to 200. */
const SHOWN_SKIPPED = 20;

/**
 * `ops-daemon revert <run-id> --reason-code … --reason-text … --confirm REVERT`: a revert run of
 * its own through the run service (locks, record, audit), then the rows it skipped because they
 * changed since the run. Exit codes as `exec`.
 */
export const revertCommand: Command = {
  async run(argv) {
    const { values, positionals } = parse(
      argv,
      {
        'reason-code': { type: 'string' },
        'reason-text': { type: 'string' },
        confirm: { type: 'string' },
      },
      usage,
    );
    const out = createOutput(Boolean(values.json));
    const runId = requirePositional(positionals, 0, '<run-id>', usage);
    return withOps(async (ops) => {
      for (const run of await ops.service.reapInterrupted())
        out.info(`run ${run.id} (${run.type}) was interrupted: its process stopped; marked completed/failed`);
      const { run, done } = await ops.service.revert({
        runId,
        actor: cliActor(),
        reasonCode: values['reason-code'],
        reasonText: values['reason-text'],
        confirmation: values.confirm,
        onProgress: (p) => out.event({ event: 'progress', ...p }),
      });
      const rows = (run.context.preflight as { affected_count?: number } | undefined)?.affected_count ?? 0;
      out.info(`run ${run.id} started: reverting run ${runId} (${formatCount(rows)} journaled rows)`);
      out.event({ event: 'started', run_id: run.id, reverts_run_id: runId, runbook_id: run.type });
      const onSigint = () => void ops.service.requestCancel(run.id);
      process.on('SIGINT', onSigint);
      let final: RunRecord;
      try {
        final = await done;
      } catch (error) {
        if (!(error instanceof RunInterruptedError)) throw error;
        out.result(
          {
            run_id: error.runId,
            reverts_run_id: runId,
            status: 'interrupted',
            outcome: null,
            error: { code: 'DATABASE_UNAVAILABLE', message: error.message },
            resume: `run the same command again when the database is back: rows already restored are left alone`,
          },
          `error: ${error.message}`,
        );
        return EXIT.databaseUnreachable;
      } finally {
        process.off('SIGINT', onSigint);
      }
      const skipped = await revertSkippedRows(ops.db.pool, final.id);
      const lines = [
        `run ${final.id} ${final.status}: ${final.outcome} (revert of run ${runId})`,
        `  restored ${formatCount(final.summary.updated_count ?? 0)} of ${formatCount(final.summary.affected_count ?? 0)} journaled rows; skipped ${formatCount(skipped.total)} changed since`,
        ...skipped.rows
          .slice(0, SHOWN_SKIPPED)
          .map(
            (r) =>
              `  skipped ${r.table} ${r.key}: ${r.outcome === 'missing' ? 'the row is gone' : 'changed since the run'}`,
          ),
        ...(skipped.total > SHOWN_SKIPPED
          ? [`  … and ${formatCount(skipped.total - SHOWN_SKIPPED)} more`]
          : []),
      ];
      out.result(
        { ...execResult(final), reverts_run_id: runId, skipped_total: skipped.total, skipped: skipped.rows },
        lines.join('\n'),
      );
      return EXIT_FOR_OUTCOME[final.outcome];
    });
  },
};
