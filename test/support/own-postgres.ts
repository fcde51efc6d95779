import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importEmbeddedPostgres } from '@ops/runbook-sdk/testing';
import { freePort } from '../../apps/daemon/src/db/embedded.ts';

/**
 * A PostgreSQL server of one test's own, which the test may stop and start again (the suite's
 * shared server must never go away). Its data survives a restart; `remove` deletes it.
 */
export interface OwnPostgres {
  /** The `postgres` database's URL. */
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  remove(): Promise<void>;
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-own-pg-'));
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'),
    port,
    user: 'postgres',
    password: 'own',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  return {
    url: `postgres://postgres:own@127.0.0.1:${port}/postgres`,
    stop: () => server.stop(),
    start: () => server.start(),
    async remove() {
      await server.stop().catch(() => {});
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
