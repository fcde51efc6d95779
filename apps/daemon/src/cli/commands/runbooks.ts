import { describeInputColumns } from '../../runs/run-input.ts';
import { parse } from '../args.ts';
import type { Command } from '../command.ts';
import { usageOf } from '../command-table.ts';
import { createOutput } from '../output.ts';
import { withOps } from './with-ops.ts';

const usage = usageOf('runbooks');

export const runbooksCommand: Command = {
  async run(argv) {
    const { values } = parse(argv, {}, usage);
    const out = createOutput(Boolean(values.json));
    return withOps(async (ops) => {
      const entries = await ops.service.catalogWithLastRuns();
      const items = entries.map(({ source, unavailableReason, ...r }) =>
        r.available ? r : { id: r.id, source, available: false, reason: unavailableReason },
      );
      const text = items
        .map((r) =>
          'title' in r
            ? `${r.id}  ${r.title}\n  ${r.description}\n  scopes: ${r.scopes.join(', ')}  capability: ${r.capability}${
                r.input
                  ? `\n  input: a CSV file (--input) with ${describeInputColumns(r.input)}; at most ${r.input.maxRows} rows`
                  : ''
              }${r.lastRun ? `\n  last run: #${r.lastRun.id} ${r.lastRun.status}/${r.lastRun.outcome}` : ''}`
            : `${r.id ?? r.source}  UNAVAILABLE: ${r.reason}`,
        )
        .join('\n\n');
      out.result({ items }, text || 'no runbooks');
      return 0;
    });
  },
};
