import { InputError } from '../../errors.ts';
import { RUN_STATUSES, type RunRecord, type RunStatus } from '../../runs/index.ts';
import { intOption, parse, requirePositional } from '../args.ts';
import type { Command } from '../command.ts';
import { usageOf } from '../command-table.ts';
import { UsageError } from '../exit-codes.ts';
import { createOutput, formatCount } from '../output.ts';
import { runRecordJson } from '../run-json.ts';
import { withOps } from './with-ops.ts';

const usage = usageOf('runs');

// Reading run records needs no plugin: not loading them saves most of the command's start.
const READ_RUNS = { plugins: false };

function line(run: RunRecord): string {
  const scope = run.scope.kind === 'all' ? 'all tenants' : `tenant ${run.scope.externalId}`;
  return `#${run.id.padEnd(6)} ${run.type}  ${scope}  ${run.status}/${run.outcome}  ${run.actorLabel}  ${run.createdAt}  updated ${formatCount(run.summary.updated_count ?? 0)}`;
}

/** A run of a reversible runbook that ran without its journal says so first: it cannot be reverted. */
function notReversibleLine(run: RunRecord): string {
  const journal = run.context.journal as { status?: string; reason?: string } | undefined;
  return journal?.status === 'unavailable' ? `not reversible: ${journal.reason}\n` : '';
}

export const runsCommand: Command = {
  async run(argv) {
    const { values, positionals } = parse(
      argv,
      { runbook: { type: 'string' }, status: { type: 'string' }, limit: { type: 'string' } },
      usage,
    );
    const out = createOutput(Boolean(values.json));
    const sub = requirePositional(positionals, 0, 'list|show', usage);
    if (sub === 'list') {
      const limit = intOption(values.limit, 'limit', 20, 1, 500);
      if (values.status !== undefined && !(RUN_STATUSES as readonly string[]).includes(values.status)) {
        throw new InputError(
          '--status',
          `--status must be one of ${RUN_STATUSES.join(', ')} (got ${JSON.stringify(values.status)})`,
        );
      }
      return withOps(async (ops) => {
        const { items } = await ops.service.list({
          runbookId: values.runbook,
          status: values.status as RunStatus | undefined,
          limit,
        });
        out.result(
          { items: items.map(runRecordJson) },
          items.length ? items.map(line).join('\n') : 'no runs',
        );
        return 0;
      }, READ_RUNS);
    }
    if (sub === 'show') {
      const id = requirePositional(positionals, 1, '<run-id>', usage);
      return withOps(async (ops) => {
        const run = await ops.service.get(id);
        out.result(
          runRecordJson(run),
          `${line(run)}\n${notReversibleLine(run)}${JSON.stringify({ reason: [run.reasonCode, run.reasonText], summary: run.summary, context: run.context }, null, 2)}`,
        );
        return 0;
      }, READ_RUNS);
    }
    throw new UsageError('list|show', `unknown runs subcommand ${JSON.stringify(sub)}\nusage: ${usage}`);
  },
};
