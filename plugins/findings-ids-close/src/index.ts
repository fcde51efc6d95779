import { type CsvInputRows, csvInput, defineRunbook, describeScope } from '@ops/runbook-sdk';
import { CREATE_JOURNAL_SQL } from './sql.ts';
import { closeWork, tally } from './work.ts';

/** The ids a summary's log line lists before it says "and N more". */
const LISTED_IDS = 20;

function fileOf(input: CsvInputRows | null | undefined): CsvInputRows {
  if (!input) throw new Error('findings.ids.close needs its CSV file (finding_id, note)');
  return input;
}

export default defineRunbook({
  id: 'findings.ids.close',
  version: '1.0.0',
  title: 'Close listed findings',
  description:
    'Closes the findings whose ids are listed in an uploaded CSV file (finding_id, and an optional note), ' +
    'e.g. the ids of an incident spreadsheet. Ids not found in the scope (unknown, another tenant’s, or the ' +
    'platform’s) are skipped and counted. Every applied row is journaled with the run and its note.',
  sdk: '^2.0.0',
  capability: 'platform.runbooks.findings.ids_close',
  scopes: ['all', 'tenant'],
  confirmationPhrase: 'CLOSE',
  summaryKeys: ['not_found_count', 'already_closed_count'],
  resources: ['table:findings'],
  input: csvInput({
    description: 'One finding per row: its id, and why it is closed',
    columns: { finding_id: 'integer', note: { type: 'text', optional: true } },
    maxRows: 50_000,
    maxBytes: 5 * 1024 * 1024,
  }),

  async preflight(ctx, scope) {
    const input = fileOf(ctx.input);
    const t = await tally(ctx.db, input, scope);
    return {
      affected_count: t.toClose,
      total_scanned: input.rowCount,
      estimated_tenants: t.tenants,
      not_found_count: t.notFound.length,
      already_closed_count: t.alreadyClosed,
    };
  },

  async run(ctx, scope) {
    const input = fileOf(ctx.input);
    ctx.log(
      `closing the findings listed in ${input.fileName} (${input.rowCount} rows) for ${describeScope(scope)}`,
    );
    await ctx.db.query(CREATE_JOURNAL_SQL);
    const result = await ctx.runChunked(closeWork(input, scope, ctx.runId));
    // Counted from the file once the rows are done, so a resumed run reports the whole file.
    const t = await tally(ctx.db, input, scope);
    if (t.notFound.length > 0) {
      const more = t.notFound.length > LISTED_IDS ? ` and ${t.notFound.length - LISTED_IDS} more` : '';
      ctx.log(
        `skipped ids not found in ${describeScope(scope)}: ${t.notFound.slice(0, LISTED_IDS).join(', ')}${more}`,
      );
    }
    return { ...result, not_found_count: t.notFound.length };
  },
});
