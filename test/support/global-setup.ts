import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort, importEmbeddedPostgres } from '../../apps/daemon/src/db/embedded.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

/**
 * One real PostgreSQL for the whole test run: by default an embedded one on a free port, in a
 * throwaway folder. With DATABASE_URL set (a `postgres://` URL of an existing server's maintenance
 * database, e.g. `/postgres`, for a role with CREATEDB and CREATEROLE), every test database is
 * made on that server instead, as that role: how CI runs the engine, API and fault suites against
 * Debian's PostgreSQL server with a role that is not a superuser.
 */
export default async function setup(project: TestProject) {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    project.provide('pgAdminUrl', maintenanceUrl(serverUrl));
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-test-pg-'));
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  // Imported without its exit hooks: they would end the run with exit code 0 whatever failed.
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'),
    port,
    user: 'postgres',
    password: 'test',
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'max_connections=300', '-c', 'fsync=off'],
    onLog: () => {},
    onError: () => {},
  });
  await pg.initialise();
  await pg.start();
  project.provide('pgAdminUrl', `postgres://postgres:test@127.0.0.1:${port}/postgres`);
  return async () => {
    await pg.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
}

/** The server's URL with the `/postgres` database the test support replaces per test database. */
function maintenanceUrl(serverUrl: string): string {
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    throw new Error('DATABASE_URL must be a postgres:// URL (for the tests: of a maintenance database)');
  }
  if (!/^postgres(ql)?:$/.test(url.protocol)) throw new Error('DATABASE_URL must start with postgres://');
  url.pathname = '/postgres';
  return url.toString();
}
