import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '../../apps/daemon/src/seed/index.ts';
import { OPS_DAEMON_BIN, spawnCli, waitFor } from '../support/cli.ts';
import { callProcedure, DEMO_PASSWORD } from '../support/daemon.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { REPO } from './plugin-fixtures.ts';

/**
 * Issue 13: an outside author, from an empty folder outside the repository and with no registry
 * (npm's registry points at an address that answers nobody; packages come from the npm cache the
 * repository's `npm ci` filled), follows the SDK README's commands: pack the SDK, scaffold, install,
 * the generated test passes, register the folder, and a served daemon runs its runbook via the API.
 */
const NO_REGISTRY = {
  npm_config_registry: 'http://127.0.0.1:9/',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  // A package missing from the cache fails at once instead of after npm's retries.
  npm_config_fetch_retries: '0',
  FORCE_COLOR: '0',
};

interface Done {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * The author's shell: without the npm_* variables `npx vitest` put in this process (its prefix,
 * its empty allow-scripts), which would make the author's npm someone else's.
 */
function authorEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => e[1] !== undefined && !e[0].toLowerCase().startsWith('npm_'),
    ),
  );
}

/** Runs a command as the author types it; resolves with its exit code and output (never throws). */
function sh(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<Done> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd, env: { ...authorEnv(), ...env }, maxBuffer: 32 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr, ms: Math.round(performance.now() - started) });
      },
    );
  });
}

const explain = (step: string, done: Done) => `${step} exited ${done.code}:\n${done.stdout}\n${done.stderr}`;

describe('outside authoring: from an empty folder to a run through the API, without a registry', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-outside-author-'));
  // An author's home is readable: the kit's PostgreSQL runs as its own user when we are root.
  fs.chmodSync(home, 0o755);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-outside-data-'));
  const dir = path.join(home, 'severity-normalise');
  const cli = (args: string[], cwd: string, env: Record<string, string> = {}) =>
    sh(process.execPath, [OPS_DAEMON_BIN, ...args], cwd, { OPS_DATA_DIR: dataDir, OPS_PLUGINS: '', ...env });
  const figures: Record<string, number> = {};
  let t: TestDatabase;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    t = await createTestDatabase();
    await seedDemoData(t.db.pool, { tenants: 2, findings: 300, drift: 0.3, seed: 1 });
  }, 120_000);
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await t?.drop();
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
    console.log(`outside authoring figures (ms): ${JSON.stringify(figures)}`);
  });

  it('scaffolds, installs offline, passes its test, loads into `ops-daemon serve` and runs via the API', async () => {
    const started = performance.now();
    expect(fs.readdirSync(home)).toEqual([]);

    // 1. npm run pack:sdk (in the repository): the SDK as an installable tarball.
    const packed = await sh('npm', ['run', 'pack:sdk'], REPO);
    expect(packed.code, explain('npm run pack:sdk', packed)).toBe(0);
    figures.pack = packed.ms;
    const tarball = /packed @ops\/runbook-sdk [\d.]+: (\S+\.tgz)/.exec(packed.stdout)?.[1];
    expect(tarball && fs.existsSync(tarball)).toBe(true);

    // 2. ops-daemon plugins new <dir> --id …: a complete package and the exact next commands.
    const made = await cli(['plugins', 'new', dir, '--id', 'findings.severity.normalise', '--json'], home);
    expect(made.code, explain('plugins new', made)).toBe(0);
    figures.scaffold = made.ms;
    const result = JSON.parse(made.stdout.trim().split('\n').at(-1)!) as {
      next: string[];
      sdk: string;
      daemon: string;
    };
    expect(result.sdk).toBe(`file:${tarball}`);
    // The daemon the end-to-end test serves: the folder this scaffold ran from, linked, never fetched.
    const daemonDir = path.join(REPO, 'apps', 'daemon');
    expect(result.daemon).toBe(`file:${daemonDir}`);
    expect(result.next).toEqual([
      `cd ${dir}`,
      'npm install --prefer-offline',
      'npm test',
      `cd ${REPO.replace(/\/$/, '')}`,
      `node ${OPS_DAEMON_BIN} plugins check ${dir}`,
      `node ${OPS_DAEMON_BIN} plugins add ${dir}`,
      `node ${OPS_DAEMON_BIN} serve`,
    ]);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(Object.keys(manifest.dependencies).sort()).toEqual(['@ops/runbook-sdk', 'zod']);
    expect(manifest.devDependencies).toEqual({
      '@ops/daemon': `file:${daemonDir}`,
      vitest: expect.any(String),
    });
    expect(fs.readFileSync(path.join(dir, '.npmrc'), 'utf8')).toContain('@ops:registry=http://127.0.0.1:9/');
    // Every import of the generated code is a declared dependency.
    const imports = ['src/index.ts', 'src/runbook.test.ts', 'src/runbook.e2e.test.ts'].flatMap((f) =>
      [...fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/from '([^.][^']*)'/g)]
        .map((m) => m[1]!)
        .filter((spec) => !spec.startsWith('node:')),
    );
    expect(imports).toContain('@ops/runbook-sdk/testing');
    for (const spec of imports) {
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
      expect({ ...manifest.dependencies, ...manifest.devDependencies }).toHaveProperty([name]);
    }

    // 3. npm install --prefer-offline, the public registry unreachable.
    const daemonModules = () =>
      fs.existsSync(path.join(daemonDir, 'node_modules'))
        ? fs.readdirSync(path.join(daemonDir, 'node_modules'))
        : [];
    const daemonModulesBefore = daemonModules();
    const installed = await sh('npm', ['install', '--prefer-offline'], dir, NO_REGISTRY);
    expect(installed.code, explain('npm install', installed)).toBe(0);
    figures.install = installed.ms;
    const sdkDir = path.join(dir, 'node_modules', '@ops', 'runbook-sdk');
    expect(fs.lstatSync(sdkDir).isSymbolicLink()).toBe(false); // a copy from the tarball, not the repository
    expect(JSON.parse(fs.readFileSync(path.join(sdkDir, 'package.json'), 'utf8')).version).toBe('2.0.0');
    expect(fs.existsSync(path.join(sdkDir, 'dist', 'index.js'))).toBe(true);
    // npm 11 links a `file:` folder: the daemon is the repository's own, its dependencies resolve
    // from the repository's node_modules, and nothing is installed into the repository for it.
    const linked = path.join(dir, 'node_modules', '@ops', 'daemon');
    expect(fs.lstatSync(linked).isSymbolicLink()).toBe(true);
    expect(fs.realpathSync(linked)).toBe(fs.realpathSync(daemonDir));
    expect(daemonModules()).toEqual(daemonModulesBefore);

    // 4. npm test: the generated tests pass with the SDK's kit: the contract check, and end to end
    // (startTestDaemon serves the real API with this plugin and runs its runbook through it).
    const tested = await sh('npm', ['test'], dir, NO_REGISTRY);
    expect(tested.code, explain('npm test', tested)).toBe(0);
    const testOutput = stripVTControlCharacters(tested.stdout);
    expect(testOutput).toMatch(/Tests\s+2 passed \(2\)/);
    expect(testOutput).toMatch(/✓ src\/runbook\.e2e\.test\.ts/);
    figures.test = tested.ms;

    // 5. plugins check, then plugins add (the one way to register a folder), from the repository.
    const checked = await cli(['plugins', 'check', dir, '--json'], REPO);
    expect(checked.code, explain('plugins check', checked)).toBe(0);
    expect(JSON.parse(checked.stdout)).toMatchObject({ ok: true, id: 'findings.severity.normalise' });
    const added = await cli(['plugins', 'add', dir, '--json'], REPO);
    expect(added.code, explain('plugins add', added)).toBe(0);
    const listed = await cli(['plugins', 'list', '--json'], REPO);
    expect(JSON.parse(listed.stdout)).toMatchObject({ registered: [dir] });

    // 6. ops-daemon serve: loads the registered folder (OPS_PLUGINS unset).
    child = spawnCli(['serve', '--port', '0', '--demo'], {
      DATABASE_URL: t.url,
      OPS_DATA_DIR: dataDir,
      OPS_PLUGINS: '',
      OPS_HEARTBEAT_MS: '200',
    });
    let output = '';
    child.stdout?.on('data', (d) => {
      output += d;
    });
    child.stderr?.on('data', (d) => {
      output += d;
    });
    const url = await waitFor(
      async () => {
        if (child!.exitCode !== null) throw new Error(`serve exited:\n${output}`);
        return /serving the console at (\S+)\/system/.exec(output)?.[1];
      },
      90_000,
      'ops-daemon serve to come up',
    );
    const signIn = await fetch(`${url}/system/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: url },
      body: JSON.stringify({ email: 'operator@ops.local', password: DEMO_PASSWORD }),
    });
    const headers = { cookie: (signIn.headers.get('set-cookie') ?? '').split(';')[0]! };
    const call = async <T>(procedure: string, kind: 'query' | 'mutation', input?: unknown): Promise<T> => {
      const res = await callProcedure(url, procedure, kind, input, headers);
      const text = await res.text();
      expect(res.status, `${procedure}: ${text}`).toBe(200);
      return (JSON.parse(text) as { result: { data: T } }).result.data;
    };
    const catalog = await call<{ id: string }[]>('runbooks.list', 'query');
    expect(catalog.map((r) => r.id)).toContain('findings.severity.normalise');

    // 7. Its runbook runs through the API, with a typed parameter parsed by the plugin's own zod.
    const [tenant] = await t.sql<{ id: string }>("SELECT id FROM tenants WHERE external_id = 'tenant-1'");
    const tenantId = Number(tenant!.id);
    await t.sql(
      `UPDATE findings SET severity = 'HIGH' WHERE id IN (
         SELECT id FROM findings WHERE tenant_id = $1 ORDER BY id LIMIT 7)`,
      [tenantId],
    );
    const needing = async () =>
      (
        await t.sql<{ n: number }>(
          "SELECT count(*)::int AS n FROM findings WHERE tenant_id = $1 AND severity <> lower(severity) AND lower(severity) = 'high'",
          [tenantId],
        )
      )[0]!.n;
    const expected = await needing();
    expect(expected).toBeGreaterThanOrEqual(7);
    const scope = { kind: 'tenant', tenantId };
    const params = { severity: 'High' };
    const preflight = await call<{ affected_count: number }>('runbooks.preflight', 'mutation', {
      runbookId: 'findings.severity.normalise',
      scope,
      params,
    });
    expect(preflight.affected_count).toBe(expected);
    const { runId } = await call<{ runId: string }>('runbooks.run', 'mutation', {
      runbookId: 'findings.severity.normalise',
      scope,
      params,
      preflightAffectedCount: preflight.affected_count,
    });
    const run = await waitFor(
      async () => {
        const r = await call<{
          status: string;
          outcome: string;
          summary: Record<string, number>;
          context: { hooks?: { hook: string; ok: boolean }[] };
        }>('runs.get', 'query', { id: runId });
        return r.status === 'completed' && r.context.hooks ? r : undefined;
      },
      90_000,
      'the run to end and its afterComplete hook to be recorded',
    );
    expect(run.outcome).toBe('succeeded');
    // The example's lifecycle hook ran in the served daemon's sandbox.
    expect(run.context.hooks).toEqual([expect.objectContaining({ hook: 'afterComplete', ok: true })]);
    expect(run.summary.updated_count).toBe(expected);
    expect(await needing()).toBe(0);
    figures.emptyFolderToRun = Math.round(performance.now() - started);
  }, 600_000);

  it('fails the install loudly, naming the unreachable address, when @ops/runbook-sdk is not a file', async () => {
    const other = path.join(home, 'from-a-registry');
    const made = await cli(['plugins', 'new', other, '--id', 'acme.things.fix'], home);
    expect(made.code, explain('plugins new', made)).toBe(0);
    const manifestPath = path.join(other, 'package.json');
    const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
    manifest.dependencies['@ops/runbook-sdk'] = '^2.0.0'; // what a registry would resolve
    fs.writeFileSync(manifestPath, JSON.stringify(manifest));
    // The public registry reachable as far as this command knows: only the .npmrc keeps @ops/* off it.
    const installed = await sh('npm', ['install', '--prefer-offline'], other, {
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_fetch_retries: '0',
    });
    expect(installed.code).not.toBe(0);
    expect(installed.stderr).toMatch(/127\.0\.0\.1:9/);
    expect(fs.existsSync(path.join(other, 'node_modules', '@ops', 'runbook-sdk'))).toBe(false);
  }, 180_000);
});
