import { parse } from '../args.ts';
import type { Command } from '../main.ts';
import { createOutput } from '../output.ts';
import { withOps } from './with-ops.ts';

const usage = 'runbooks [--json]';

export const runbooksCommand: Command = {
  usage,
  summary: 'the runbook catalog, with plugins that could not be loaded and why',
  async run(argv) {
    const { values } = parse(argv, {}, usage);
    const out = createOutput(Boolean(values.json));
    return withOps(async (ops) => {
      const latest = await ops.runs.latestByType();
      const items = [
        ...ops.service.catalog().map((r) => {
          const last = latest.get(r.id);
          return {
            ...r,
            available: true,
            lastRun: last
              ? { id: last.id, status: last.status, outcome: last.outcome, finishedAt: last.finishedAt }
              : null,
          };
        }),
        ...ops.registry.unavailable.map((u) => ({
          id: u.id,
          source: u.source,
          available: false,
          reason: u.reason,
        })),
      ];
      const text = items
        .map((r) =>
          'title' in r
            ? `${r.id}  ${r.title}\n  ${r.description}\n  scopes: ${r.scopes.join(', ')}  capability: ${r.capability}${
                r.lastRun ? `\n  last run: #${r.lastRun.id} ${r.lastRun.status}/${r.lastRun.outcome}` : ''
              }`
            : `${r.id ?? r.source}  UNAVAILABLE: ${r.reason}`,
        )
        .join('\n\n');
      out.result({ items }, text || 'no runbooks');
      return 0;
    });
  },
};
