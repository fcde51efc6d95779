import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify, stripVTControlCharacters } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { definition, linkModules, REPO, writePlugin } from './plugin-fixtures.ts';

const run = promisify(execFile);

describe('ops-daemon plugins', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-plugins-cli-'));
  fs.chmodSync(root, 0o755);
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  const REFUSALS: [string, string, string][] = [
    [
      'an incompatible SDK range',
      "sdk: '^3.0.0',",
      'sdk range "^3.0.0" does not accept this SDK (2.0.0); the range must include it, e.g. "^2.0.0"',
    ],
    [
      'a duplicate id',
      "id: 'findings.lifecycle.backfill',",
      `declares the id already loaded from ${path.join(REPO, 'plugins', 'findings-lifecycle-backfill')}; a runbook id must be unique across plugin folders`,
    ],
    [
      'a bad id',
      "id: 'Acme Things',",
      'id must be dotted lower-case words like "findings.lifecycle.backfill" (got "Acme Things")',
    ],
    [
      'a summary key outside the rules',
      "summaryKeys: ['Rows-Fixed'],",
      'summary key "Rows-Fixed" must be snake_case',
    ],
    [
      'a missing capability',
      'capability: undefined,',
      'capability must start with "platform.runbooks." (got undefined)',
    ],
    ['an unknown scope', "scopes: ['everywhere'],", 'unknown scope "everywhere"'],
    [
      'a parameter no form can render',
      "parameters: (await import('zod')).z.object({ tags: (await import('zod')).z.array((await import('zod')).z.string()) }),",
      'parameter tags must be text, number, integer, boolean, enum or date',
    ],
  ];

  it.each(REFUSALS)(
    'refuses %s with the message the author sees (exit 2)',
    async (_name, override, reason) => {
      const dir = writePlugin(root, `p-${Math.random().toString(36).slice(2)}`, definition(override));
      const result = await runCli(['plugins', 'check', dir, '--json'], {});
      expect(result.code).toBe(2);
      expect(result.json()).toEqual({
        ok: false,
        source: dir,
        id: expect.anything(),
        reason: expect.stringContaining(reason),
      });
    },
  );

  it('refuses a plugin that throws at import', async () => {
    const dir = writePlugin(root, 'throws', "throw new Error('cannot reach the vault');\n");
    const result = await runCli(['plugins', 'check', dir], {});
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('failed to load: cannot reach the vault');
  });

  it('writes a new plugin that checks clean and whose generated test passes as generated', async () => {
    const dir = path.join(root, 'severity-normalise');
    const made = await runCli(['plugins', 'new', dir, '--id', 'findings.severity.normalise', '--json'], {});
    expect(made.code).toBe(0);
    expect(
      made
        .json<{ files: string[] }>()
        .files.map((f) => path.relative(dir, f))
        .sort(),
    ).toEqual([
      '.gitignore',
      '.npmrc',
      'README.md',
      'package-lock.json',
      'package.json',
      'src/index.ts',
      'src/runbook.e2e.test.ts',
      'src/runbook.test.ts',
    ]);
    linkModules(dir);
    const checked = await runCli(['plugins', 'check', dir, '--json'], {});
    expect(checked.json()).toMatchObject({ ok: true, id: 'findings.severity.normalise' });
    const vitest = path.join(REPO, 'node_modules', '.bin', 'vitest');
    const { stdout } = await run(vitest, ['run', '--root', dir], {
      cwd: dir,
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    // The contract test, and the end-to-end one serving the real daemon (startTestDaemon).
    expect(stripVTControlCharacters(stdout)).toMatch(/Tests\s+2 passed \(2\)/);
  }, 240_000);

  it('refuses a bad id or a folder that is not empty, writing nothing', async () => {
    const bad = await runCli(['plugins', 'new', path.join(root, 'x'), '--id', 'NoDots'], {});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--id.*dotted lower-case/);
    expect(fs.existsSync(path.join(root, 'x'))).toBe(false);
    const full = await runCli(['plugins', 'new', root, '--id', 'a.b'], {});
    expect(full.code).toBe(2);
    expect(full.stderr).toMatch(/<dir>.*not empty/);
  });
});
