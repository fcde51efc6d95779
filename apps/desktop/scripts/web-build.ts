import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The browser build of the console (out/web), which `ops-daemon serve` serves at /system. Used by
// `npm start` (build when missing or stale) and by the browser tests' global setup.

export const DESKTOP_DIR = fileURLToPath(new URL('..', import.meta.url));
export const WEB_OUT_DIR = path.join(DESKTOP_DIR, 'out', 'web');
const WEB_INDEX = path.join(WEB_OUT_DIR, 'index.html');
const INPUTS = ['src/renderer', 'src/shared', 'renderer.vite.ts', 'vite.web.config.ts', 'package.json'];

function newestMtime(target: string): number {
  if (!fs.existsSync(target)) return 0;
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(target))
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

/** True when out/web exists and is newer than every source it is built from. */
export function webBuildIsCurrent(): boolean {
  if (!fs.existsSync(WEB_INDEX)) return false;
  const built = fs.statSync(WEB_INDEX).mtimeMs;
  return INPUTS.every((input) => newestMtime(path.join(DESKTOP_DIR, input)) <= built);
}

/** Runs `vite build -c vite.web.config.ts`; returns its exit code. */
export function buildWeb(stdio: 'inherit' | 'pipe' = 'inherit'): { status: number; output: string } {
  const require = createRequire(path.join(DESKTOP_DIR, 'package.json'));
  const vite = path.join(path.dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
  const result = spawnSync(
    process.execPath,
    [vite, 'build', '-c', 'vite.web.config.ts', '--logLevel', 'warn'],
    {
      cwd: DESKTOP_DIR,
      // Callers such as Vitest set NODE_ENV=test, which would give React's development build.
      env: { ...process.env, NODE_ENV: 'production' },
      stdio,
      encoding: 'utf8',
    },
  );
  return { status: result.status ?? 1, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

/** Builds the web console unless it is current. Returns what it did, for the caller to say. */
export function ensureWebBuild(stdio: 'inherit' | 'pipe' = 'inherit'): 'current' | 'built' | 'failed' {
  if (webBuildIsCurrent()) return 'current';
  return buildWeb(stdio).status === 0 ? 'built' : 'failed';
}
