// `npm run pack:sdk`: builds an installable tarball of @ops/runbook-sdk, so a plugin outside this
// repository installs the SDK from a file, never from a registry (the name is not published: a
// registry lookup would be a dependency-confusion risk). In the repository the workspace keeps
// using the TypeScript sources (package.json "exports"); the tarball carries compiled JavaScript and
// .d.ts files instead, so it needs no tsx. Writes dist/ops-runbook-sdk-<version>.tgz and prints
// its path (also exported: `packSdk()`).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const SDK_DIR = fileURLToPath(new URL('..', import.meta.url));
const STAGE = path.join(SDK_DIR, 'dist', 'package');
const REPO_ROOT = path.resolve(SDK_DIR, '..', '..');

/** Where the tarball of `version` is written. */
export function tarballPath(version) {
  return path.join(SDK_DIR, 'dist', `ops-runbook-sdk-${version}.tgz`);
}

/** "./src/x.ts" → the compiled file and its types. */
function compiled(source) {
  const base = source.replace(/^\.\/src\//, './dist/').replace(/\.ts$/, '');
  return { types: `${base}.d.ts`, default: `${base}.js` };
}

export function packSdk({ log = () => {} } = {}) {
  const manifest = JSON.parse(fs.readFileSync(path.join(SDK_DIR, 'package.json'), 'utf8'));
  fs.rmSync(STAGE, { recursive: true, force: true });
  const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(SDK_DIR, 'tsconfig.pack.json')], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exports = Object.fromEntries(
    Object.entries(manifest.exports).map(([subpath, source]) => [subpath, compiled(source)]),
  );
  const { private: _private, devDependencies: _dev, ...published } = manifest;
  fs.writeFileSync(
    path.join(STAGE, 'package.json'),
    `${JSON.stringify({ ...published, exports, files: ['dist', 'README.md', 'CHANGELOG.md'] }, null, 2)}\n`,
  );
  for (const doc of ['README.md', 'CHANGELOG.md']) {
    if (fs.existsSync(path.join(SDK_DIR, doc)))
      fs.copyFileSync(path.join(SDK_DIR, doc), path.join(STAGE, doc));
  }
  const target = tarballPath(manifest.version);
  const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', path.dirname(target)], {
    cwd: STAGE,
    encoding: 'utf8',
    env: { ...process.env, npm_config_ignore_scripts: 'true' },
  });
  const written = path.join(path.dirname(target), out.trim().split('\n').at(-1));
  if (written !== target) fs.renameSync(written, target);
  log(`packed @ops/runbook-sdk ${manifest.version}: ${target}`);
  return target;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  packSdk({ log: (m) => process.stdout.write(`${m}\n`) });
}
