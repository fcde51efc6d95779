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
  // A staging folder of this process's own, and the tarball renamed into place: packs started at
  // once (tests, `plugins new`) never see each other's half-written files.
  const stage = path.join(SDK_DIR, 'dist', `stage-${process.pid}-${Date.now().toString(36)}`);
  const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    execFileSync(
      process.execPath,
      [tsc, '-p', path.join(SDK_DIR, 'tsconfig.pack.json'), '--outDir', path.join(stage, 'dist')],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    return finish(manifest, stage, log);
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

function finish(manifest, stage, log) {
  const exports = Object.fromEntries(
    Object.entries(manifest.exports).map(([subpath, source]) => [subpath, compiled(source)]),
  );
  const { private: _private, devDependencies: _dev, ...published } = manifest;
  fs.writeFileSync(
    path.join(stage, 'package.json'),
    `${JSON.stringify({ ...published, exports, files: ['dist', 'README.md', 'CHANGELOG.md'] }, null, 2)}\n`,
  );
  for (const doc of ['README.md', 'CHANGELOG.md']) {
    if (fs.existsSync(path.join(SDK_DIR, doc)))
      fs.copyFileSync(path.join(SDK_DIR, doc), path.join(stage, doc));
  }
  const target = tarballPath(manifest.version);
  const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', stage], {
    cwd: stage,
    encoding: 'utf8',
    env: { ...process.env, npm_config_ignore_scripts: 'true' },
  });
  fs.renameSync(path.join(stage, out.trim().split('\n').at(-1)), target);
  log(`packed @ops/runbook-sdk ${manifest.version}: ${target}`);
  return target;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  packSdk({ log: (m) => process.stdout.write(`${m}\n`) });
}
