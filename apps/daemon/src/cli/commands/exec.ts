import readline from 'node:readline/promises';
import type { OpsConfig } from '../../config.ts';
import { InputError, NothingToDoError } from '../../errors.ts';
import { RunInterruptedError, type RunRecord } from '../../runs/index.ts';
import { parse, requirePositional } from '../args.ts';
import type { Command } from '../command.ts';
import { usageOf } from '../command-table.ts';
import { EXIT, EXIT_FOR_OUTCOME } from '../exit-codes.ts';
import { createOutput, formatCount, type Output } from '../output.ts';
import { ttyProgress } from '../progress-bar.ts';
import { execResult } from '../run-json.ts';
import { readInputFile } from './input-file.ts';
import { cliActor, cliParams } from './preflight.ts';
import { withOps } from './with-ops.ts';

const usage = usageOf('exec');

function describeRun(run: RunRecord): string {
  const s = run.summary;
  const lines = [
    `run ${run.id} ${run.status}: ${run.outcome}`,
    `  updated ${formatCount(s.updated_count ?? 0)} of ${formatCount(s.affected_count ?? 0)} affected, ${formatCount(s.total_scanned ?? 0)} scanned in ${((s.duration_ms ?? 0) / 1000).toFixed(1)} s`,
  ];
  const failures =
    (run.context.failures as { tenantExternalId: string | null; errorClass: string; message: string }[]) ??
    [];
  for (const f of failures)
    lines.push(`  failed: tenant ${f.tenantExternalId ?? '-'}: ${f.errorClass}: ${f.message}`);
  return lines.join('\n');
}

async function promptConfirmation(out: Output): Promise<string | undefined> {
  if (out.json || !process.stdin.isTTY) return undefined;
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (
      await rl.question(
        'This modifies customer data in ALL tenants. Type the confirmation phrase to continue: ',
      )
    ).trim();
  } finally {
    rl.close();
  }
}

/** Who this deploy is, for an approval policy's exemption: OPS_DEPLOY_IDENTITY, or `$USER@host`. */
function deployIdentityOf(config: OpsConfig): string {
  const actor = cliActor();
  return config.deployIdentity ?? (actor.kind === 'system' ? `${actor.user}@${actor.host}` : 'unknown');
}

/** `--approval <request-id>`: a run request's id (decimal digits). Throws InputError. */
function approvalIdOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,18}$/.test(value))
    throw new InputError('approval', `must be a run request id (digits), got ${JSON.stringify(value)}`);
  return value;
}

export const execCommand: Command = {
  async run(argv) {
    const { values, positionals } = parse(
      argv,
      {
        tenant: { type: 'string' },
        'reason-code': { type: 'string' },
        'reason-text': { type: 'string' },
        confirm: { type: 'string' },
        param: { type: 'string', multiple: true },
        approval: { type: 'string' },
        input: { type: 'string' },
      },
      usage,
    );
    const out = createOutput(Boolean(values.json));
    const runbookId = requirePositional(positionals, 0, '<runbook-id>', usage);
    return withOps(async (ops) => {
      const reaped = await ops.service.reapInterrupted();
      for (const run of reaped) {
        out.info(`run ${run.id} (${run.type}) was interrupted: its process stopped; marked completed/failed`);
        out.event({ event: 'interrupted', run_id: run.id, runbook_id: run.type });
      }
      let confirmation = values.confirm;
      if (
        values.tenant === undefined &&
        confirmation === undefined &&
        values['reason-code'] &&
        values['reason-text']
      ) {
        confirmation = await promptConfirmation(out);
      }
      const input = await readInputFile(ops, runbookId, values.input);
      const bar = process.stderr.isTTY && !out.json ? ttyProgress() : null;
      let throttled: string | null = null;
      let started: Awaited<ReturnType<typeof ops.service.start>>;
      try {
        // Through the approval gate (approvals/): a run its policy holds for approval starts only from
        // an approved request (--approval) or when the policy exempts this deploy identity.
        started = await ops.approvals.start(
          {
            runbookId,
            scope: { kind: 'externalId', externalId: values.tenant },
            actor: cliActor(),
            reasonCode: values['reason-code'],
            reasonText: values['reason-text'],
            confirmation,
            params: cliParams(ops, runbookId, values.param),
            input,
            onProgress: (p) => {
              bar?.update(p);
              out.event({ event: 'progress', ...p });
              // Without a live bar, say when the workers start and stop waiting, and why.
              if (!bar && (p.throttled ?? null) !== throttled) {
                throttled = p.throttled ?? null;
                out.info(throttled ? `throttled: ${throttled}` : 'writing again');
              }
            },
          },
          { approvalRequestId: approvalIdOf(values.approval), deployIdentity: deployIdentityOf(ops.config) },
        );
      } catch (error) {
        if (!(error instanceof NothingToDoError)) throw error;
        out.result(
          { runbook_id: runbookId, scope: error.scope, outcome: 'nothing_to_do', affected_count: 0 },
          `${runbookId}: nothing to do (preflight found 0 affected rows)`,
        );
        return 0;
      }
      const { run, done } = started;
      const preflight = run.context.preflight as { affected_count?: number } | undefined;
      out.info(
        preflight?.affected_count === undefined
          ? `run ${run.id} started: rows to repair found; counting them as it goes`
          : `run ${run.id} started: ${formatCount(preflight.affected_count)} affected`,
      );
      const file = run.context.input as { file_name: string; row_count: number; sha256: string } | undefined;
      if (file)
        out.info(`  input ${file.file_name}: ${formatCount(file.row_count)} rows, sha256 ${file.sha256}`);
      out.event({ event: 'started', run_id: run.id, runbook_id: run.type, scope: run.scope });
      let interrupts = 0;
      const onSigint = () => {
        interrupts += 1;
        if (interrupts > 1) process.exit(130); // the lock dies with the connection; the run is reaped later
        out.info('\ncancelling after the current chunk (Ctrl-C again to abort at once)');
        void ops.service.requestCancel(run.id);
      };
      process.on('SIGINT', onSigint);
      let final: RunRecord;
      try {
        final = await done;
      } catch (error) {
        process.off('SIGINT', onSigint);
        bar?.end();
        if (!(error instanceof RunInterruptedError)) throw error;
        // The database went away: nothing more can be recorded. Say what was done and how to go on.
        out.result(
          {
            run_id: error.runId,
            runbook_id: run.type,
            scope: run.scope,
            status: 'interrupted',
            outcome: null,
            written: error.written,
            error: { code: 'DATABASE_UNAVAILABLE', message: error.message },
            resume: `run the same command again when the database is back; run ${error.runId} is then marked interrupted and a new run finishes the work`,
          },
          `error: ${error.message}`,
        );
        return EXIT.databaseUnreachable;
      }
      process.off('SIGINT', onSigint);
      bar?.end();
      out.result(execResult(final), describeRun(final));
      // A failed run's alert is sent from here too: a pipeline may have no daemon running. Bounded,
      // never throws, leaves retries to daemons; loaded only when needed (it costs ~0.1 s).
      if (final.outcome !== 'succeeded')
        await (await import('../../alerts/index.ts')).announceAndDeliverOnce(ops, final, {
          timeoutMs: 5_000,
          log: out.info,
        });
      return EXIT_FOR_OUTCOME[final.outcome];
    });
  },
};
