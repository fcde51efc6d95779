import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import type { SqlExecutor } from '../context.ts';
import { PRODUCT_SCHEMA_SQL } from '../product-schema.ts';
import type { Scope } from '../scope.ts';
import { executorOf } from './reference-runner.ts';
import { startThrowawayPostgres, type ThrowawayPostgres } from './throwaway-postgres.ts';

/** The daemon package the kit serves plugins with; imported only when a test asks for a daemon. */
export const DAEMON_PACKAGE = '@ops/daemon';
/** The password of the daemon's demo accounts (operator@ops.local, viewer@ops.local) in the kit. */
export const KIT_DEMO_PASSWORD = 'kit-demo-password';

/** What the kit uses of `@ops/daemon` (its src/index.ts). */
interface DaemonModule {
  loadConfig(env: Record<string, string | undefined>): unknown;
  startDaemon(
    config: unknown,
    options: { host: string; port: number; demo?: boolean; log?: (m: string) => void },
  ): Promise<{ url: string; stop(): Promise<void> }>;
}

/**
 * Imports `specifier`; when Node cannot load it because it is TypeScript (the repository's daemon
 * exports its sources, and an outside plugin links that folder: `file:` in its devDependencies),
 * registers tsx, the daemon's own dependency, resolved from the daemon's folder, and imports the
 * sources through it, as the daemon's bin does. Under a TypeScript-aware runner the first import works.
 */
interface TsxManifest {
  exports: { './esm/api': { import: string | { default: string } } };
}

async function importTypeScriptAware(specifier: string): Promise<unknown> {
  try {
    return await import(specifier);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
    const entry = createRequire(import.meta.url).resolve(specifier);
    // tsx's ES module API (its CommonJS one cannot register ESM hooks), found from the daemon's folder.
    const tsxManifest = createRequire(entry).resolve('tsx/package.json');
    const api = (JSON.parse(fs.readFileSync(tsxManifest, 'utf8')) as TsxManifest).exports['./esm/api'].import;
    const tsxApi = path.join(path.dirname(tsxManifest), typeof api === 'string' ? api : api.default);
    const { register } = (await import(pathToFileURL(tsxApi).href)) as { register(): unknown };
    register();
    // Another address than the failed import's, which Node keeps as failed.
    return import(`${pathToFileURL(entry).href}?tsx`);
  }
}

/** Imports the daemon, or says in words how to install it. */
export async function importDaemon(specifier: string = DAEMON_PACKAGE): Promise<DaemonModule> {
  try {
    const module = (await importTypeScriptAware(specifier)) as Partial<DaemonModule>;
    if (typeof module.startDaemon !== 'function' || typeof module.loadConfig !== 'function') {
      throw new Error(`${specifier} does not export startDaemon and loadConfig`);
    }
    return module as DaemonModule;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new Error(
        `startTestDaemon needs the daemon package ${specifier}, which is not installed: add it to your ` +
          `plugin's devDependencies (the same way you installed @ops/runbook-sdk), or test with ` +
          'assertRunbookContract, which needs no daemon',
        { cause: error },
      );
    }
    throw error;
  }
}

export interface KitDaemonOptions {
  /** Plugin folders to serve (each with a package.json naming its entry), as OPS_PLUGINS lists them. */
  plugins: string[];
  /** Fixtures, as for the contract check: the product's tables exist; insertKitTenants helps. */
  setup?(db: SqlExecutor): Promise<void>;
  /** More daemon settings, e.g. `{ OPS_CHUNK_SIZE: '50' }`. */
  env?: Record<string, string>;
  /** A server to create the database on; by default one is started and removed on stop. */
  postgres?: Pick<ThrowawayPostgres, 'createDatabase'>;
  /**
   * Four-eyes approval: the product holds every all-tenants run for a second operator. `'off'` (the
   * kit's default) stores the explicit "no approval" policy for every runbook, as an approver could
   * in the console, so `runToEnd` runs on all tenants; `'product-default'` keeps the product's.
   */
  approvals?: 'off' | 'product-default';
  /** Which package to import the daemon from (`@ops/daemon`). */
  daemonPackage?: string;
  log?: (message: string) => void;
}

export interface KitRun {
  id: string;
  status: string;
  outcome: string;
  summary: Record<string, number>;
  [key: string]: unknown;
}

export interface KitDaemon {
  /** Where the daemon serves (its console and API). */
  url: string;
  /** The daemon's database, for assertions. */
  db: pg.Pool;
  /** Signs in (operator@ops.local by default) and returns the session cookie. */
  signIn(email?: string): Promise<string>;
  /** Calls one API procedure, e.g. `call('runbooks.list')`; throws an Error with the API's message. */
  call<T = unknown>(procedure: string, input?: unknown, kind?: 'query' | 'mutation'): Promise<T>;
  /** Preflight, run and wait for the end, as an operator does in the console; resolves with the run. */
  runToEnd(runbookId: string, scope: Scope, params?: Record<string, unknown>): Promise<KitRun>;
  stop(): Promise<void>;
}

let daemonCounter = 0;

/**
 * Serves the real daemon (API, console, run service, plugin sandbox) with the author's plugins on a
 * throwaway database, signed in as the demo operator, for an end-to-end test. Needs `@ops/daemon`.
 */
export async function startTestDaemon(options: KitDaemonOptions): Promise<KitDaemon> {
  const daemonModule = await importDaemon(options.daemonPackage);
  const own = options.postgres ? null : await startThrowawayPostgres();
  const server = options.postgres ?? own!;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runbook-kit-daemon-'));
  let pool: pg.Pool | null = null;
  let daemon: { url: string; stop(): Promise<void> } | null = null;
  const stop = async () => {
    await daemon?.stop().catch(() => {});
    await pool?.end().catch(() => {});
    await own?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const databaseUrl = await server.createDatabase(`kit_daemon_${process.pid}_${++daemonCounter}`);
    pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    pool.on('error', () => {});
    // The fixtures go in before the daemon starts: with tenants present it seeds no demo data.
    await pool.query(PRODUCT_SCHEMA_SQL);
    await options.setup?.(executorOf(pool));
    const config = daemonModule.loadConfig({
      DATABASE_URL: databaseUrl,
      OPS_DATA_DIR: dataDir,
      OPS_PLUGINS: options.plugins.map((p) => path.resolve(p)).join(','),
      OPS_DEMO_PASSWORD: KIT_DEMO_PASSWORD,
      OPS_HEARTBEAT_MS: '200',
      ...options.env,
    });
    daemon = await daemonModule.startDaemon(config, {
      host: '127.0.0.1',
      port: 0,
      demo: true,
      log: options.log,
    });
    // A daemon without approvals (before SDK 2) has no policy table: nothing to turn off.
    if ((options.approvals ?? 'off') === 'off') {
      await pool.query(`DO $$ BEGIN
        IF to_regclass('ops.approval_policies') IS NOT NULL THEN
          INSERT INTO ops.approval_policies (runbook_id, mode, updated_by)
          VALUES ('*', 'none', '{"label": "testing kit: approvals off"}') ON CONFLICT (runbook_id) DO NOTHING;
        END IF; END $$`);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const url = daemon.url;
  let cookie: string | null = null;
  const signIn = async (email = 'operator@ops.local') => {
    const res = await fetch(`${url}/system/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: url },
      body: JSON.stringify({ email, password: KIT_DEMO_PASSWORD }),
    });
    if (res.status !== 200)
      throw new Error(`sign-in of ${email} answered ${res.status}: ${await res.text()}`);
    cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    return cookie;
  };
  const call = async <T>(procedure: string, input?: unknown, kind?: 'query' | 'mutation'): Promise<T> => {
    cookie ??= await signIn();
    const base = `${url}/system/api/trpc/${procedure}`;
    const headers: Record<string, string> = { origin: url, cookie };
    const asQuery = (kind ?? (/\.(list|get)$/.test(procedure) ? 'query' : 'mutation')) === 'query';
    const res = asQuery
      ? await fetch(
          input === undefined ? base : `${base}?input=${encodeURIComponent(JSON.stringify(input))}`,
          {
            headers,
          },
        )
      : await fetch(base, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify(input ?? {}),
        });
    const body = (await res.json()) as { result?: { data: T }; error?: { message?: string } };
    if (!res.ok || !body.result) {
      throw new Error(`${procedure} answered ${res.status}: ${body.error?.message ?? JSON.stringify(body)}`);
    }
    return body.result.data;
  };
  const runToEnd = async (runbookId: string, scope: Scope, params: Record<string, unknown> = {}) => {
    const catalog = await call<{ id: string; confirmationPhrase: string }[]>('runbooks.list');
    const entry = catalog.find((r) => r.id === runbookId);
    if (!entry) throw new Error(`the daemon serves no runbook ${runbookId}: is its folder in plugins?`);
    const preflight = await call<{ affected_count: number }>('runbooks.preflight', {
      runbookId,
      scope,
      params,
    });
    const { runId } = await call<{ runId: string }>('runbooks.run', {
      runbookId,
      scope,
      params,
      reasonCode: 'DATA_REPAIR',
      reasonText: 'testing kit run',
      ...(scope.kind === 'all' ? { confirmation: entry.confirmationPhrase } : {}),
      preflightAffectedCount: preflight.affected_count,
    });
    const deadline = Date.now() + 60_000;
    for (;;) {
      const run = await call<KitRun>('runs.get', { id: runId });
      if (run.status === 'completed') return run;
      if (Date.now() > deadline)
        throw new Error(`run ${runId} did not end within 60 s (status ${run.status})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return { url, db: pool!, signIn, call, runToEnd, stop };
}
