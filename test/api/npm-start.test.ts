import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../apps/daemon/src/db/embedded.ts';
import { DEMO_PASSWORD } from '../support/daemon.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** Workspace-local node_modules (packages npm could not hoist), relative to the repository. */
function workspaceModuleDirs(): string[] {
  return ['apps', 'packages', 'plugins'].flatMap((group) =>
    fs.existsSync(path.join(REPO, group))
      ? fs
          .readdirSync(path.join(REPO, group))
          .map((name) => path.join(group, name, 'node_modules'))
          .filter((p) => fs.existsSync(path.join(REPO, p)))
      : [],
  );
}

/** True while `pid` runs; a zombie (exited, not yet reaped by its new parent) has stopped. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = fs.existsSync(`/proc/${pid}/stat`) ? fs.readFileSync(`/proc/${pid}/stat`, 'utf8') : null;
  return stat === null ? true : stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

interface NpmStart {
  pid: number;
  output: () => string;
  exited: Promise<number | null>;
  hasExited: () => boolean;
}

function npmStart(clone: string, port: number): NpmStart {
  const child = spawn('npm', ['start'], {
    cwd: clone,
    env: { ...process.env, OPS_PORT: String(port), DATABASE_URL: '', OPS_DATA_DIR: '' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  let hasExited = false;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      hasExited = true;
      resolve(code);
    }),
  );
  return { pid: child.pid!, output: () => output, exited, hasExited: () => hasExited };
}

async function comesUp(started: NpmStart): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (!started.output().includes('operator@ops.local')) {
    if (Date.now() > deadline || started.hasExited())
      throw new Error(`npm start did not come up:\n${started.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The postmaster's pid from its pid file. */
const postmasterPid = (pidFile: string) => Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);

// The README's promise: on a fresh clone, `npm start` brings up the daemon on an embedded
// PostgreSQL with demo data and lets the demo operator sign in. The clone borrows this checkout's
// installed node_modules (installing again would only test the registry).
describe('npm start on a fresh clone', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-fresh-clone-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('serves /healthz and lets the demo operator sign in; on SIGTERM it exits only after its PostgreSQL, and starts again at once', async () => {
    fs.chmodSync(dir, 0o755); // the embedded PostgreSQL runs as its own user and must reach the data folder
    const clone = path.join(dir, 'ops-runbooks');
    execFileSync('git', ['clone', '--quiet', '--depth', '1', `file://${REPO}`, clone]);
    for (const modules of ['node_modules', ...workspaceModuleDirs()]) {
      fs.symlinkSync(path.join(REPO, modules), path.join(clone, modules));
    }
    const pidFile = path.join(clone, '.ops-data', 'pg', 'postmaster.pid');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const first = npmStart(clone, port);
    let postmaster: number;
    try {
      await comesUp(first);
      expect(first.output()).toContain(`${url}/system`);
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      const signIn = await fetch(`${url}/system/api/auth/sign-in/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: url },
        body: JSON.stringify({ email: 'operator@ops.local', password: DEMO_PASSWORD }),
      });
      expect(signIn.status).toBe(200);
      expect(fs.existsSync(path.join(clone, '.ops-data', 'pg', 'PG_VERSION'))).toBe(true);
      postmaster = postmasterPid(pidFile);
      expect(running(postmaster)).toBe(true);
    } finally {
      // The whole process group, as a terminal's Ctrl-C or a supervisor would.
      process.kill(-first.pid, 'SIGTERM');
    }
    await first.exited;
    // No waiting here: by the time npm start has exited, its PostgreSQL has too.
    expect(first.output()).toContain('SIGTERM: shutting down');
    expect(fs.existsSync(pidFile)).toBe(false);
    expect(running(postmaster)).toBe(false);

    // A supervisor restarting it at once finds the data folder free: a PostgreSQL of its own starts.
    const second = npmStart(clone, port);
    try {
      await comesUp(second);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect(postmasterPid(pidFile)).not.toBe(postmaster);
      postmaster = postmasterPid(pidFile);
    } finally {
      // Only npm itself this time, as a container runtime signals its first process.
      process.kill(second.pid, 'SIGTERM');
    }
    await second.exited;
    expect(fs.existsSync(pidFile)).toBe(false);
    expect(running(postmaster)).toBe(false);
  }, 240_000);
});
