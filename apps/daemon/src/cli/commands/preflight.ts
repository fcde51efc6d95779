import os from 'node:os';
import { coerceParameterStrings, describeParameters, ParameterError } from '@ops/runbook-sdk';
import { InputError } from '../../errors.ts';
import type { Ops } from '../../ops.ts';
import type { Actor } from '../../runs/index.ts';
import { parse, requirePositional } from '../args.ts';
import type { Command } from '../command.ts';
import { usageOf } from '../command-table.ts';
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
      { tenant: { type: 'string' }, param: { type: 'string', multiple: true }, input: { type: 'string' } },
      usage,
    );
    const out = createOutput(Boolean(values.json));
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
      const { scope, result, input } = await counting;
      const where = scope.kind === 'all' ? 'all tenants' : `tenant ${scope.externalId}`;
      const lines = Object.entries(result).map(([k, v]) => `  ${k.padEnd(20)} ${formatCount(v)}`);
      const file = input
        ? `\n  input ${input.file_name}: ${formatCount(input.row_count)} rows, sha256 ${input.sha256}`
        : '';
      out.result(
        { runbook_id: runbookId, scope, ...result, ...(input ? { input } : {}) },
        `${runbookId} on ${where}: ${formatCount(result.affected_count)} affected\n${lines.join('\n')}${file}`,
      );
      return 0;
    });
  },
};
