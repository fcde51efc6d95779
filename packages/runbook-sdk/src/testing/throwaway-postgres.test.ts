import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  KIT_FOLDER_PREFIX,
  kitFoldersOfThisProcess,
  startThrowawayPostgres,
  sweepAbandonedKitFolders,
} from './throwaway-postgres.ts';

const MODULE = fileURLToPath(new URL('./throwaway-postgres.ts', import.meta.url));

/** A node process that starts a kit server, prints its folder and URL, then does `then`. */
function childWithServer(then: 'exit' | 'wait'): ChildProcess {
  const script = `
    const { startThrowawayPostgres } = await import(${JSON.stringify(MODULE)});
    const server = await startThrowawayPostgres();
    console.log(JSON.stringify({ url: server.url }));
    ${then === 'exit' ? 'process.exit(3);' : 'setInterval(() => {}, 1000);'}`;
  return spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: path.dirname(MODULE),
  });
}

/** The folder a child's server lives in: the kit folder whose owner file names the child. */
function folderOf(child: ChildProcess): string | undefined {
  return fs
    .readdirSync(os.tmpdir())
    .filter((name) => name.startsWith(KIT_FOLDER_PREFIX))
    .map((name) => path.join(os.tmpdir(), name))
    .find((dir) => {
      try {
        return fs.readFileSync(path.join(dir, 'owner.pid'), 'utf8') === String(child.pid);
      } catch {
        return false;
      }
    });
}

async function firstLine(child: ChildProcess): Promise<{ url: string }> {
  let out = '';
  for await (const chunk of child.stdout!) {
    out += String(chunk);
    if (out.includes('\n')) return JSON.parse(out.split('\n')[0]!);
  }
  throw new Error(`the child ended before it started a server: ${out}`);
}

async function waitUntil(what: string, ok: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const accepts = async (url: string) => {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
};

describe('throwaway PostgreSQL folders', () => {
  it('are removed by stop', async () => {
    const server = await startThrowawayPostgres();
    expect(kitFoldersOfThisProcess()).toHaveLength(1);
    await server.stop();
    expect(kitFoldersOfThisProcess()).toEqual([]);
  });

  it('are removed, server and all, when the process exits without stopping it', async () => {
    const child = childWithServer('exit');
    const { url } = await firstLine(child);
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(3);
    expect(folderOf(child)).toBeUndefined();
    await waitUntil('the server to stop', async () => !(await accepts(url)));
  });

  it('are swept, server and all, after their process was killed with -9', async () => {
    const child = childWithServer('wait');
    const { url } = await firstLine(child);
    const dir = folderOf(child)!;
    expect(fs.existsSync(dir)).toBe(true);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(fs.existsSync(dir)).toBe(true); // nothing ran in the killed process
    expect(sweepAbandonedKitFolders()).toContain(dir);
    expect(fs.existsSync(dir)).toBe(false);
    await waitUntil('the orphaned server to stop', async () => !(await accepts(url)));
  });
});
