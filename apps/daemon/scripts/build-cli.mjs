// The command line's compiled build: `ops-daemon` starts from plain JavaScript instead of compiling
// its TypeScript through tsx at every start (seconds on a busy machine; issue 12). Built by
// `npm install` (the root `prepare` script) and again by the bin itself whenever a source file
// changed since (bin/ops-daemon.mjs); plain JavaScript, so it runs before anything is compiled.
//
// One esbuild bundle of src/cli/main.ts, split at the commands' dynamic imports (so `exec` still
// loads no console server code), with our workspace packages (@ops/*) bundled and every other
// package imported from node_modules as under tsx. `import.meta.url` keeps the source file's URL, so
// paths relative to a source file (plugins/, the console's build, the plugin worker's entry, which
// still compiles plugins with tsx in its own thread) resolve exactly as from the sources.
//
// Layout: dist/cli/<build id>/main.js and its chunks, and dist/cli/current.json naming the build in
// use with every input file's mtime and size (the bin's staleness check). Builds write a folder of
// their own and then replace current.json atomically, so concurrent builds (tests start many CLIs at
// once) never see each other's half-written files.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const DAEMON_DIR = fileURLToPath(new URL('..', import.meta.url));
const REPO_ROOT = path.resolve(DAEMON_DIR, '..', '..');
export const BUILD_ROOT = path.join(DAEMON_DIR, 'dist', 'cli');
export const MANIFEST = path.join(BUILD_ROOT, 'current.json');
const ENTRY = path.join(DAEMON_DIR, 'src', 'cli', 'main.ts');
const WORKER_MAIN = path.join(DAEMON_DIR, 'src', 'plugins', 'sandbox', 'worker-main.ts');
/** Builds older than this that are not current are removed (a running command may still use one). */
const KEEP_OLD_BUILDS_MS = 60 * 60 * 1000;
const KEEP_NEWEST_BUILDS = 5;

/** Our own packages are compiled in; every other bare import stays an import from node_modules. */
const externalPackages = {
  name: 'external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@ops/') || path.isAbsolute(args.path)) return undefined;
      return { path: args.path, external: true };
    });
  },
};

/** `import.meta.url` of a source file stays that file's URL in the bundle. */
const sourceImportMeta = {
  name: 'source-import-meta',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      const text = await fs.promises.readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      return {
        contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
        loader: 'ts',
      };
    });
  },
};

/** The source files a build read (metafile paths are relative to absWorkingDir). */
function inputsOf(metafile) {
  return Object.keys(metafile.inputs)
    .map((p) => path.resolve(REPO_ROOT, p))
    .filter((p) => fs.existsSync(p));
}

/**
 * Every input's mtime and size, by path. A file changed while the build ran may have been read
 * before the change: it is recorded as changed (mtime -1), so the next start builds again.
 */
function fingerprint(inputs, buildStartedMs) {
  const files = {};
  for (const input of inputs) {
    const stat = fs.statSync(input);
    files[input] = [stat.mtimeMs >= buildStartedMs - 50 ? -1 : stat.mtimeMs, stat.size];
  }
  return files;
}

/**
 * Builds the command line and makes it the current build. Returns the manifest. Throws when the
 * sources do not compile (the caller falls back to tsx, which reports the error in its words).
 */
export async function buildCli({ log = () => {} } = {}) {
  const { build } = await import('esbuild');
  const startedMs = Date.now();
  const id = `b-${Date.now().toString(36)}-${crypto.randomBytes(4).toString('hex')}`;
  const outdir = path.join(BUILD_ROOT, id);
  const started = performance.now();
  const result = await build({
    // The plugin worker's own code too: a compiled daemon starts its workers without tsx
    // (src/plugins/sandbox/worker-entry.mjs), unless a plugin does not compile.
    entryPoints: { main: ENTRY, 'worker-main': WORKER_MAIN },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outdir,
    absWorkingDir: REPO_ROOT,
    metafile: true,
    sourcemap: 'linked',
    logLevel: 'silent',
    // The package.json nearest to the output says "type": "module"; this keeps the files ESM anyway.
    outExtension: { '.js': '.mjs' },
    plugins: [externalPackages, sourceImportMeta],
  });
  const root = REPO_ROOT;
  const inputs = inputsOf(result.metafile);
  // The build script itself is an input: a change to how we build rebuilds.
  inputs.push(fileURLToPath(import.meta.url));
  const manifest = {
    id,
    node: process.version,
    builtAt: new Date().toISOString(),
    inputs: fingerprint(inputs, startedMs),
  };
  writeAtomically(MANIFEST, JSON.stringify(manifest));
  removeOldBuilds(id);
  log(
    `ops-daemon: built the command line in ${Math.round(performance.now() - started)} ms (${path.relative(root, outdir)})`,
  );
  return manifest;
}

/** Whether `manifest`'s inputs all still have the mtime and size they were built from. */
function inputsUnchanged(manifest) {
  if (!manifest || manifest.node !== process.version) return false;
  for (const [file, [mtimeMs, size]] of Object.entries(manifest.inputs)) {
    let stat;
    try {
      stat = fs.statSync(file);
    } catch {
      return false;
    }
    if (stat.mtimeMs !== mtimeMs || stat.size !== size) return false;
  }
  return true;
}

/** Whether `manifest` still matches the sources: every input has the mtime and size it was built from. */
export function isCurrent(manifest) {
  return inputsUnchanged(manifest) && fs.existsSync(path.join(BUILD_ROOT, manifest.id, 'main.mjs'));
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

export const readManifest = () => readJson(MANIFEST);

function writeAtomically(file, text) {
  const temp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(temp, text);
  fs.renameSync(temp, file);
}

/** The folder of the package.json nearest above `file`. */
function packageDirOf(file) {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.dirname(file);
  }
}

/**
 * A plugin's entry compiled to one ESM file (our @ops/* packages compiled in, its other packages
 * imported as it would import them), so a plugin worker needs no tsx: about half a second less per
 * worker. Kept in the plugin's own node_modules/.cache/ops-daemon, where its imports resolve exactly
 * as from its sources, and rebuilt when one of its files changed. Throws when the plugin does not
 * compile (the worker then loads it through tsx, which reports the error as before).
 */
export async function compiledPlugin(entry) {
  const cacheDir = path.join(packageDirOf(entry), 'node_modules', '.cache', 'ops-daemon');
  const key = crypto.createHash('sha256').update(entry).digest('hex').slice(0, 16);
  const manifestFile = path.join(cacheDir, `${key}.json`);
  let manifest = readJson(manifestFile);
  if (!inputsUnchanged(manifest) || !fs.existsSync(path.join(cacheDir, manifest.file))) {
    const { build } = await import('esbuild');
    const startedMs = Date.now();
    fs.mkdirSync(cacheDir, { recursive: true });
    const file = `${key}-${Date.now().toString(36)}-${crypto.randomBytes(4).toString('hex')}.mjs`;
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      outfile: path.join(cacheDir, file),
      absWorkingDir: REPO_ROOT,
      metafile: true,
      logLevel: 'silent',
      plugins: [externalPackages, sourceImportMeta],
    });
    const inputs = inputsOf(result.metafile);
    inputs.push(fileURLToPath(import.meta.url));
    manifest = { file, node: process.version, inputs: fingerprint(inputs, startedMs) };
    writeAtomically(manifestFile, JSON.stringify(manifest));
    // This plugin's older builds go after an hour (a worker may still be importing one); anything
    // else after a day (plugins that are gone, test fixtures sharing a node_modules): they rebuild.
    for (const old of fs.readdirSync(cacheDir)) {
      if (old === file || old === `${key}.json`) continue;
      const oldFile = path.join(cacheDir, old);
      try {
        const age = Date.now() - fs.statSync(oldFile).mtimeMs;
        if (age > (old.startsWith(`${key}-`) ? KEEP_OLD_BUILDS_MS : 24 * KEEP_OLD_BUILDS_MS))
          fs.rmSync(oldFile, { force: true });
      } catch {
        // removed by another worker first
      }
    }
  }
  return pathToFileURL(path.join(cacheDir, manifest.file)).href;
}

function removeOldBuilds(keep) {
  const builds = fs
    .readdirSync(BUILD_ROOT, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== keep)
    .map((entry) => {
      const dir = path.join(BUILD_ROOT, entry.name);
      try {
        return { dir, mtimeMs: fs.statSync(dir).mtimeMs };
      } catch {
        return null; // another build removed it first
      }
    })
    .filter(Boolean)
    .sort((a, b) => b.mtimeMs - a.mtimeMs);
  // A command still running from an older build may yet import one of its chunks (exec's alerts):
  // the newest few stay whatever their age, the others once they are an hour old.
  for (const { dir, mtimeMs } of builds.slice(KEEP_NEWEST_BUILDS)) {
    if (Date.now() - mtimeMs > KEEP_OLD_BUILDS_MS) fs.rmSync(dir, { recursive: true, force: true });
  }
}

// `node apps/daemon/scripts/build-cli.mjs` (the root `prepare` script): never fails an install; the
// bin builds on its first start or runs the sources through tsx.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await buildCli({ log: (m) => process.stderr.write(`${m}\n`) });
  } catch (error) {
    process.stderr.write(
      `ops-daemon: the command line was not built (${error.message.split('\n')[0]}); it runs from its sources until it is\n`,
    );
  }
}
