import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../apps/daemon/src/cli/command-table.ts';
import { runCli } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const SPEC = path.resolve(REPO, '..', 'shared', 'spec', 'interfaces.md');
const RUNBOOK = 'findings.lifecycle.backfill';

/** Nothing listens here: a command that answers anyway never opened the database. */
const NO_DATABASE = { DATABASE_URL: 'postgres://postgres:x@127.0.0.1:1/none' };

/** Every command and subcommand of the command table, as typed: `seed`, `runs list`. */
const HELP_TARGETS: [string, string[]][] = Object.entries(COMMANDS).flatMap(([name, entry]) => [
  [name, [name]],
  ...Object.keys(entry.subcommands ?? {}).map((sub): [string, string[]] => [`${name} ${sub}`, [name, sub]]),
]);

describe('ops-daemon --help', () => {
  it.each(HELP_TARGETS)(
    '`%s --help` and `-h` print its usage, summary and options, exit 0',
    async (label, words) => {
      const [name, sub] = words as [string, string | undefined];
      const entry = COMMANDS[name]!;
      const help = sub ? entry.subcommands![sub]! : entry;
      for (const flag of ['--help', '-h']) {
        const result = await runCli([...words, flag], NO_DATABASE);
        expect(result.code, `${label} ${flag}: ${result.stderr}`).toBe(0);
        expect(result.stdout).toContain(`usage: ops-daemon ${help.usage}`);
        expect(result.stdout).toContain(help.summary);
        for (const [option] of help.options) expect(result.stdout).toContain(option);
        expect(result.stdout).toContain('-h, --help');
        // A subcommand's help is its own, not its command's list of subcommands.
        if (sub) expect(result.stdout).not.toContain('Subcommands');
        expect(result.stderr).toBe('');
      }
    },
  );

  it('lists the subcommands in a command’s help, and `help <command> <subcommand>` works too', async () => {
    const runs = await runCli(['runs', '--help'], NO_DATABASE);
    expect(runs.stdout).toContain('ops-daemon runs list [--runbook ID]');
    expect(runs.stdout).toContain('ops-daemon runs show <run-id>');
    const viaHelp = await runCli(['help', 'runs', 'show'], NO_DATABASE);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toContain('usage: ops-daemon runs show <run-id> [--json]');
  });

  it('answers help for an unknown command with exit 2, naming it', async () => {
    const result = await runCli(['frobnicate', '--help'], NO_DATABASE);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown command "frobnicate"/);
  });
});

/**
 * The run record's keys as shared/spec/interfaces.md lists them ("Run record": `status`, `outcome`
 * and "Fields include: …"), explanations in parentheses left out. Null when the spec is not beside
 * the repository (a clone elsewhere).
 */
function specRunRecordKeys(): string[] | null {
  if (!fs.existsSync(SPEC)) return null;
  const text = fs.readFileSync(SPEC, 'utf8');
  const section = text.slice(text.indexOf('## Run record'));
  const body = section.slice(0, section.indexOf('\n## ', 4) === -1 ? undefined : section.indexOf('\n## ', 4));
  const fields = body.slice(
    body.indexOf('Fields include:'),
    body.indexOf('\n\n', body.indexOf('Fields include:')),
  );
  const withoutAsides = fields.replace(/\([^()]*(\([^()]*\)[^()]*)*\)/g, '');
  const keys = [...withoutAsides.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!);
  for (const line of body.split('\n')) {
    const lead = /^`([a-z_]+)`:/.exec(line);
    if (lead) keys.push(lead[1]!);
  }
  return keys;
}

/** The keys the spec names, as of this writing: the test holds the CLI to them even without the spec. */
const RUN_RECORD_KEYS = [
  'id',
  'type',
  'scope',
  'status',
  'outcome',
  'actor',
  'break_glass',
  'reason_code',
  'reason_text',
  'summary',
  'context',
  'created_at',
  'started_at',
  'finished_at',
];

describe('run records with --json', () => {
  let t: TestDatabase;
  let env: Record<string, string>;
  let exec: Record<string, unknown>;
  beforeAll(async () => {
    t = await createTestDatabase();
    env = { DATABASE_URL: t.url };
    const seeded = await runCli(['seed', '--tenants', '3', '--findings', '600'], env);
    expect(seeded.code, seeded.stderr).toBe(0);
    const ran = await runCli(['exec', RUNBOOK, '--tenant', 'tenant-1', '--json'], env);
    expect(ran.code, ran.stderr).toBe(0);
    exec = ran.json();
  });
  afterAll(() => t.drop());

  it('the spec lists the keys this test holds the CLI to', (ctx) => {
    const keys = specRunRecordKeys();
    if (!keys) {
      ctx.skip(
        `${SPEC} is not here (a clone without the shared spec): checked against the list in this test`,
      );
      return;
    }
    expect([...keys].sort()).toEqual([...RUN_RECORD_KEYS].sort());
  });

  it('`runs show --json` prints the run record with the spec’s snake_case keys, and no camelCase key', async () => {
    const shown = await runCli(['runs', 'show', String(exec.run_id), '--json'], env);
    expect(shown.code, shown.stderr).toBe(0);
    const record = shown.json();
    for (const key of RUN_RECORD_KEYS) expect(record).toHaveProperty(key);
    expect(Object.keys(record).filter((k) => /[A-Z]/.test(k))).toEqual([]);
    expect(record).toMatchObject({
      id: exec.run_id,
      type: RUNBOOK,
      status: 'completed',
      outcome: 'succeeded',
      actor_label: 'system:cli',
      break_glass: null,
      reason_code: null,
      reason_text: null,
      created_at: expect.any(String),
      started_at: expect.any(String),
      finished_at: expect.any(String),
    });
    expect(Date.parse(String(record.finished_at))).toBeGreaterThanOrEqual(
      Date.parse(String(record.created_at)),
    );
  });

  it('`runs list --json` prints the same record for each item', async () => {
    const listed = await runCli(['runs', 'list', '--json'], env);
    expect(listed.code, listed.stderr).toBe(0);
    const shown = (await runCli(['runs', 'show', String(exec.run_id), '--json'], env)).json();
    const { items } = listed.json<{ items: Record<string, unknown>[] }>();
    expect(items).toHaveLength(1);
    expect(items[0]).toEqual(shown);
  });

  it("exec's result line keeps the keys the deploy example reads, with the run record's values", async () => {
    const record = (await runCli(['runs', 'show', String(exec.run_id), '--json'], env)).json();
    expect(Object.keys(exec).sort()).toEqual(
      ['run_id', 'runbook_id', 'scope', 'status', 'outcome', 'summary', 'failures'].sort(),
    );
    for (const key of ['run_id', 'runbook_id', 'scope', 'status', 'outcome', 'summary'])
      expect(exec[key]).toEqual(record[key]);
    expect(exec.failures).toEqual([]);
  });
});

describe('ops-daemon seed says what it did', () => {
  let t: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    t = await createTestDatabase();
    env = { DATABASE_URL: t.url };
  });
  afterAll(() => t.drop());

  it('seeds an empty database, then says it already holds the data, then tops up with more tenants', async () => {
    const first = await runCli(['seed', '--tenants', '3', '--findings', '900'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(
      /^seeded 3 tenants, 900 findings, [\d,]+ events \([\d,]+ drifted\) in [\d.]+ s$/m,
    );

    const again = await runCli(['seed', '--tenants', '3', '--findings', '900'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('the database already holds 3 tenants with 900 findings');
    expect(again.stdout).toContain('seeded 0 more');
    expect(again.stdout).toContain('pass a larger --tenants');
    expect(again.stdout).not.toMatch(/^seeded 0 tenants/m);

    const more = await runCli(['seed', '--tenants', '5', '--findings', '900', '--json'], env);
    expect(more.code, more.stderr).toBe(0);
    const result = more.json<{
      tenants: number;
      findings: number;
      before: { tenants: number; findings: number };
    }>();
    expect(result.before).toEqual({ tenants: 3, findings: 900 });
    expect(result.tenants).toBe(2);
    const [counted] = await t.sql<{ n: string }>(
      `SELECT count(*) AS n FROM public.findings f JOIN public.tenants t ON t.id = f.tenant_id
        WHERE t.external_id LIKE 'tenant-%'`,
    );
    expect(Number(counted!.n)).toBe(900 + result.findings);

    const text = await runCli(['seed', '--tenants', '6', '--findings', '900'], env);
    expect(text.stdout).toMatch(
      /^topped up: the database held 5 tenants with [\d,]+ findings; added 1 tenants, [\d,]+ findings.*now 6 tenants with [\d,]+ findings\. Tenants that exist keep their findings/m,
    );
  });
});
