import os from 'node:os';
import {
  type ChangeSampleRow,
  coerceParameterStrings,
  describeParameters,
  ParameterError,
} from '@ops/runbook-sdk';
import { InputError } from '../../errors.ts';
import type { Ops } from '../../ops.ts';
import { type Actor, CHANGE_SAMPLE_LIMITS } from '../../runs/index.ts';
import { intOption, parse, requirePositional } from '../args.ts';
import type { Command } from '../command.ts';
import { usageOf } from '../command-table.ts';
import { formatChangeSample } from '../diff-table.ts';
import { createOutput, formatCount } from '../output.ts';
import { readInputFile } from './input-file.ts';
import { withOps } from './with-ops.ts';

const usage = usageOf('preflight');

/** `--param name=value` pairs typed by the runbook's parameter kinds. Throws InputError naming the parameter. */
export function cliParams(ops: Ops, runbookId: string, pairs: string[] | undefined): Record<string, unknown> {
  try {
    return coerceParameterStrings(describeParameters(ops.service.runbook(runbookId).parameters), pairs ?? []);
  } catch (error) {
    if (error instanceof ParameterError) throw new InputError(`params.${error.parameter}`, error.message);
    throw error;
  }
}

/** The actor of every CLI run, with who ran it and where (kept on the run record). */
export const cliActor = (): Actor => ({
  kind: 'system',
  label: 'system:cli',
  user: process.env.USER ?? process.env.LOGNAME ?? 'unknown',
  host: os.hostname(),
});

export const preflightCommand: Command = {
  async run(argv) {
    const { values, positionals } = parse(
      argv,
      {
        tenant: { type: 'string' },
        param: { type: 'string', multiple: true },
        input: { type: 'string' },
        diff: { type: 'string' },
      },
      usage,
    );
    const out = createOutput(Boolean(values.json));
    const diffLimit =
      values.diff === undefined
        ? null
        : intOption(
            values.diff,
            'diff',
            CHANGE_SAMPLE_LIMITS.default,
            CHANGE_SAMPLE_LIMITS.min,
            CHANGE_SAMPLE_LIMITS.max,
          );
    const runbookId = requirePositional(positionals, 0, '<runbook-id>', usage);
    return withOps(async (ops) => {
      const request = {
        runbookId,
        scope: { kind: 'externalId' as const, externalId: values.tenant },
        params: cliParams(ops, runbookId, values.param),
        input: await readInputFile(ops, runbookId, values.input),
        actor: cliActor(),
      };
      // Both at once: the sampled estimate answers in a fraction of a second, the count follows.
      const counting = ops.service.preflight(request);
      counting.catch(() => {}); // handled below, once the estimate is out; not an unhandled rejection meanwhile
      // The change sample (issue 14) is as quick as the estimate; it is printed with the count.
      const sampling =
        diffLimit === null
          ? null
          : ops.service.sampleChanges({ ...request, limit: diffLimit, limitField: '--diff' });
      sampling?.catch(() => {});
      const estimated = await ops.service.estimate(request).catch(() => null);
      if (estimated?.estimate) {
        const e = estimated.estimate;
        out.event({ event: 'estimate', runbook_id: runbookId, scope: estimated.scope, ...e });
        out.info(
          e.exact
            ? `estimate: ${formatCount(e.affected_count)} affected (counted outright)`
            : `estimate: ${formatCount(e.affected_count)} ± ${formatCount(e.margin)} affected (95%, from ${formatCount(e.sampled)} of ${formatCount(e.population)} sampled); counting exactly…`,
        );
      }
      const { scope, result, input, notReversible } = await counting;
      const sampled = sampling ? await sampling : null;
      const where = scope.kind === 'all' ? 'all tenants' : `tenant ${scope.externalId}`;
      const lines = Object.entries(result).map(([k, v]) => `  ${k.padEnd(20)} ${formatCount(v)}`);
      const file = input
        ? `\n  input ${input.file_name}: ${formatCount(input.row_count)} rows, sha256 ${input.sha256}`
        : '';
      out.result(
        {
          runbook_id: runbookId,
          scope,
          ...result,
          ...(input ? { input } : {}),
          ...(sampled ? { diff: sampled.diff } : {}),
          ...(notReversible ? { not_reversible: notReversible } : {}),
        },
        `${runbookId} on ${where}: ${formatCount(result.affected_count)} affected\n${lines.join('\n')}${file}${sampled ? diffText(runbookId, sampled) : ''}${notReversible ? `\nnot reversible here: ${notReversible}` : ''}`,
      );
      return 0;
    });
  },
};

/** The change sample under the figures: its table, or why there is none. */
function diffText(runbookId: string, sampled: { limit: number; diff: ChangeSampleRow[] | null }): string {
  if (sampled.diff === null) return `\n\nno change sample: runbook ${runbookId} has no sampleChanges`;
  if (sampled.diff.length === 0) return '\n\nchange sample: no rows would change';
  const keys = new Set(sampled.diff.map((r) => r.key)).size;
  return `\n\nchange sample: ${formatCount(keys)} of the rows it would change (at most ${sampled.limit}, spread over tenants), before → after\n${formatChangeSample(sampled.diff)}`;
}
