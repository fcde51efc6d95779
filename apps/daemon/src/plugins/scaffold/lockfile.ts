import fs from 'node:fs';
import path from 'node:path';

/**
 * A package-lock.json for a plugin outside the repository, cut from the repository's own lock: the
 * same versions and integrity hashes the repository installs (and `npm ci` put in the npm cache),
 * so `npm install --prefer-offline` in the plugin needs no registry metadata at all, and every
 * package it fetches is checked against a hash the repository already trusts. `@ops/runbook-sdk`
 * is left out: it comes from its `file:` tarball.
 */
interface LockEntry {
  version?: string;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  [key: string]: unknown;
}

interface Lockfile {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
}

/** Where Node would find `name` from the package installed at `location` ('' = the root). */
function resolveFrom(packages: Record<string, LockEntry>, location: string, name: string): string | null {
  let base = location;
  for (;;) {
    const key = `${base ? `${base}/` : ''}node_modules/${name}`;
    const entry = packages[key];
    if (entry && !entry.link) return key;
    if (!base) return null;
    const i = base.lastIndexOf('/node_modules/');
    base = i < 0 ? '' : base.slice(0, i);
  }
}

/**
 * The tarball address of a registry package (the repository's lock leaves it out). With it npm
 * takes the package from its cache by the integrity hash, whatever registry is configured; npm
 * sends a registry.npmjs.org address to the configured registry (replace-registry-host).
 */
function registryTarball(key: string, version: string | undefined): string {
  const name = key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
  return `https://registry.npmjs.org/${name}/-/${name.split('/').at(-1)}-${version}.tgz`;
}

export function pluginLockfile(
  repoLockPath: string,
  root: {
    name: string;
    version: string;
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  },
  /** Packages installed beside the root's (the SDK tarball's own dependencies). */
  alsoInstalled: readonly string[],
): Record<string, unknown> | null {
  if (!fs.existsSync(repoLockPath)) return null;
  const lock = JSON.parse(fs.readFileSync(repoLockPath, 'utf8')) as Lockfile;
  const packages = lock.packages;
  const picked = new Map<string, LockEntry>();
  const queue: string[] = [];
  const want = (location: string, names: Iterable<string>, optional: boolean): boolean => {
    for (const name of names) {
      if (name.startsWith('@ops/')) continue;
      const key = resolveFrom(packages, location, name);
      if (!key) {
        if (optional) continue;
        return false;
      }
      if (!picked.has(key)) {
        picked.set(key, packages[key]!);
        queue.push(key);
      }
    }
    return true;
  };
  const rootNames = [
    ...Object.keys(root.dependencies),
    ...Object.keys(root.devDependencies),
    ...alsoInstalled,
  ];
  if (!want('', rootNames, false)) return null;
  while (queue.length > 0) {
    const key = queue.shift()!;
    const entry = packages[key]!;
    if (!want(key, Object.keys(entry.dependencies ?? {}), false)) return null;
    want(key, Object.keys(entry.optionalDependencies ?? {}), true);
    want(key, Object.keys(entry.peerDependencies ?? {}), true);
  }
  // The repository's dev/optional flags describe its tree, not the plugin's: npm works them out.
  const out: Record<string, unknown> = {
    '': {
      name: root.name,
      version: root.version,
      dependencies: root.dependencies,
      devDependencies: root.devDependencies,
    },
  };
  for (const key of [...picked.keys()].sort()) {
    const { dev: _d, devOptional: _do, optional: _o, peer: _p, ...entry } = picked.get(key)!;
    out[key] = { ...entry, resolved: entry.resolved ?? registryTarball(key, entry.version) };
  }
  return { name: root.name, version: root.version, lockfileVersion: 3, requires: true, packages: out };
}

export const repositoryLockfile = (repoRoot: string) => path.join(repoRoot, 'package-lock.json');
