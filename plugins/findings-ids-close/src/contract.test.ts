import { parseCsvInput } from '@ops/runbook-sdk';
import {
  assertRunbookContract,
  CONTRACT_CHECKS,
  checkRunbookContract,
  insertKitTenants,
  KitInputError,
  kitInputOf,
} from '@ops/runbook-sdk/testing';
import { describe, expect, it } from 'vitest';
import runbook from './index.ts';

/**
 * Findings 101..112, three per kit tenant in tenant order: the platform's 101..103, acme's
 * 104..106 (106 already closed), globex's 107..109, initech's 110..112.
 */
async function fixtures(db: Parameters<Parameters<typeof assertRunbookContract>[1]['setup']>[0]) {
  await insertKitTenants(db);
  await db.query(`
    INSERT INTO findings (id, tenant_id, fingerprint, title, severity, status, created_at, updated_at)
    OVERRIDING SYSTEM VALUE
    SELECT 100 + row_number() OVER (ORDER BY t.id, g), t.id, 'fp-' || g, 'Finding ' || g, 'high', 'open', now(), now()
      FROM tenants t CROSS JOIN generate_series(1, 3) g`);
  await db.query("UPDATE findings SET status = 'closed' WHERE id = 106");
}

// The incident spreadsheet: customers' findings in no particular order, a platform finding (never
// closed), an unknown id and one already closed (both skipped), notes quoted or left out.
const FILE = [
  'finding_id,note',
  '110,"dup of 104, per INC-7"',
  '104,dup',
  '101,platform finding: must stay open',
  '105,',
  '999,no such finding',
  '106,already closed',
  '107,dup',
  '112,',
  '108,"said ""fixed"""',
  '109,dup',
  '111,',
  '102,',
].join('\n');

describe('findings.ids.close against the runbook contract', () => {
  it('passes every check of the testing kit with its CSV file as ctx.input', async () => {
    const report = await assertRunbookContract(runbook, {
      input: { fileName: 'incident-7.csv', text: FILE },
      volatileColumns: ['findings.updated_at', 'findings.resolved_at', 'findings_closed_from_list.closed_at'],
      chunkSize: 2,
      setup: fixtures,
    });
    expect(report.ok).toBe(true);
    expect(report.checks.find((c) => c.name === CONTRACT_CHECKS.input)?.detail).toMatch(
      /^incident-7\.csv: 12 row\(s\), sha256 [0-9a-f]{12}…$/,
    );
    // Eight customers' open findings listed: 104, 105, 107..112 (106 closed already, 101/102 the platform's).
    expect(report.checks.find((c) => c.name === CONTRACT_CHECKS.fixturesGiveWork)?.detail).toBe(
      'preflight affected_count 8',
    );
  }, 180_000);

  it('takes rows as well as a text, written out and parsed as an upload', async () => {
    const report = await assertRunbookContract(runbook, {
      input: [
        { finding_id: 104, note: 'dup, "quoted"' },
        { finding_id: 110 },
        { finding_id: 101, note: null },
      ],
      volatileColumns: ['findings.updated_at', 'findings.resolved_at', 'findings_closed_from_list.closed_at'],
      chunkSize: 1,
      setup: fixtures,
    });
    expect(report.checks.find((c) => c.name === CONTRACT_CHECKS.fixturesGiveWork)?.detail).toBe(
      'preflight affected_count 2',
    );
  }, 180_000);

  it('refuses a bad file by line and column, in the daemon’s words, before running anything', async () => {
    const bad = 'finding_id,note\n104,dup\nabc,typo\n105,"never closed\n';
    const report = await checkRunbookContract(runbook, {
      input: { fileName: 'incident-7.csv', text: bad },
      setup: async () => {
        throw new Error('no database is set up for a refused file');
      },
    });
    expect(report.ok).toBe(false);
    expect(report.checks.filter((c) => !c.ok)).toEqual([
      {
        name: CONTRACT_CHECKS.input,
        ok: false,
        detail:
          'input file incident-7.csv: line 4: a quoted field is never closed (the daemon refuses the file the same way)',
      },
    ]);
    // Row by row, each cell's problem is named by its line and column, as the daemon names them.
    const typo = 'finding_id,note\n104,dup\nabc,typo\n105,\n-,x\n';
    expect(() => kitInputOf(runbook, { fileName: 'incident-7.csv', text: typo })).toThrow(
      new KitInputError(
        'input file incident-7.csv: line 3, column finding_id: must be an integer (got "abc"); line 5, column finding_id: must be an integer (got "-")',
      ),
    );
    // The same message the SDK's parser gives the daemon (apps/daemon/src/runs/run-input.ts prefixes the file name).
    expect(() => parseCsvInput(runbook.input!, typo)).toThrow(
      'line 3, column finding_id: must be an integer (got "abc"); line 5, column finding_id: must be an integer (got "-")',
    );
    expect(() => kitInputOf(runbook, [{ finding_id: 104, ticket: 'INC-7' }])).toThrow(
      'input file kit-input.csv: line 1, column ticket: unknown column (this runbook takes finding_id, note)',
    );
  });

  it('refuses a check without the file the runbook needs, as the daemon refuses such a run', async () => {
    const report = await checkRunbookContract(runbook, { setup: fixtures });
    expect(report.checks.filter((c) => !c.ok).map((c) => c.detail)).toEqual([
      'runbook findings.ids.close needs a CSV file (--input file.csv) with the columns finding_id (integer), note (text, optional): give the kit one with the input option (the daemon refuses the file the same way)',
    ]);
  });
});
