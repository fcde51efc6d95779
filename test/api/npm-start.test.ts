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

// The README's promise: on a fresh clone, `npm start` brings up the daemon on an embedded
// PostgreSQL with demo data and lets the demo operator sign in. The clone borrows this checkout's
// installed node_modules (installing again would only test the registry).
describe('npm start on a fresh clone', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-fresh-clone-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('serves /healthz and lets the demo operator sign in, then stops itself and its database on SIGTERM', async () => {
    fs.chmodSync(dir, 0o755); // the embedded PostgreSQL runs as its own user and must reach the data folder
    const clone = path.join(dir, 'ops-runbooks');
    execFileSync('git', ['clone', '--quiet', '--depth', '1', `file://${REPO}`, clone]);
    for (const modules of ['node_modules', ...workspaceModuleDirs()]) {
      fs.symlinkSync(path.join(REPO, modules), path.join(clone, modules));
    }
    const port = await freePort();
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
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 90_000;
      while (!output.includes('operator@ops.local')) {
        if (Date.now() > deadline || child.exitCode !== null)
          throw new Error(`npm start did not come up:\n${output}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const url = `http://127.0.0.1:${port}`;
      expect(output).toContain(`${url}/system`);
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
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
    }
    await exited; // npm itself dies of the signal; what matters is what the daemon did with it
    const pidFile = path.join(clone, '.ops-data', 'pg', 'postmaster.pid');
    const deadline = Date.now() + 15_000;
    while (fs.existsSync(pidFile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(output).toContain('SIGTERM: shutting down');
    expect(fs.existsSync(pidFile)).toBe(false); // the embedded PostgreSQL it started was stopped
  }, 120_000);
});
