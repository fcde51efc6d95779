import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { definitionProblems, type RunbookDefinition } from '@ops/runbook-sdk';
import {
  DEFAULT_SANDBOX_LIMITS,
  PluginHost,
  type SandboxLimits,
  sandboxedDefinition,
} from './sandbox/index.ts';

/** A plugin the daemon could not use, and why, so the catalog can show it. */
export interface UnavailablePlugin {
  source: string;
  id: string | null;
  reason: string;
}

export interface PluginRegistry {
  runbooks: Map<string, RunbookDefinition>;
  unavailable: UnavailablePlugin[];
  /** Stops the plugins' worker threads. */
  close?(): Promise<void>;
}

export interface LoadOptions {
  /** Time and memory limits of plugin code (OPS_CHUNK_TIMEOUT_MS, OPS_PREFLIGHT_TIMEOUT_MS, OPS_PLUGIN_MEMORY_MB). */
  limits?: SandboxLimits;
  /**
   * false runs plugin code on the daemon's own thread, as before the sandbox: only for measuring
   * what isolation costs (OPS_PLUGIN_ISOLATION=off, a benchmark and debugging switch).
   */
  isolation?: boolean;
}

/** What loading one plugin gave: its definition, or why it is refused. */
type Loaded =
  | { ok: true; def: RunbookDefinition; host: PluginHost | null }
  | { ok: false; id: string | null; reason: string };

export const REPOSITORY_PLUGINS_DIR = fileURLToPath(new URL('../../../../plugins', import.meta.url));

function entryOf(dir: string): string {
  const manifestPath = path.join(dir, 'package.json');
  if (!fs.existsSync(manifestPath)) throw new Error(`no package.json in ${dir}`);
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as {
    exports?: string | Record<string, string>;
    main?: string;
  };
  const exported = typeof manifest.exports === 'string' ? manifest.exports : manifest.exports?.['.'];
  const entry = exported ?? manifest.main;
  if (!entry) throw new Error(`package.json in ${dir} names no entry ("exports" or "main")`);
  return path.join(dir, entry);
}

/** Folders to load: each folder of the repository's plugins/, then the extra ones, in order. */
export function pluginSources(extra: readonly string[], pluginsDir = REPOSITORY_PLUGINS_DIR): string[] {
  const local = fs.existsSync(pluginsDir)
    ? fs
        .readdirSync(pluginsDir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => path.join(pluginsDir, d.name))
        .sort()
    : [];
  return [...local, ...extra.map((p) => path.resolve(p))];
}

/**
 * Imports every plugin and keeps the valid ones. A plugin that throws at import, breaks the
 * contract or repeats an id is refused with the reason; it never stops the daemon. Each plugin is
 * imported in a worker thread of its own (plugins/sandbox): its code never runs on the daemon's
 * event loop, and one that later fails on its own (an unhandled rejection) is moved to the
 * refused ones with the reason.
 */
export async function loadPlugins(
  sources: readonly string[],
  options: LoadOptions = {},
): Promise<PluginRegistry> {
  const limits = options.limits ?? DEFAULT_SANDBOX_LIMITS;
  const hosts: PluginHost[] = [];
  const registry: PluginRegistry = {
    runbooks: new Map(),
    unavailable: [],
    async close() {
      await Promise.allSettled(hosts.map((h) => h.close()));
    },
  };
  const loadedFrom = new Map<string, string>();
  // Started together (each worker starts on its own), kept in order: the first of an id wins.
  const loads = sources.map((source) =>
    options.isolation === false ? loadInProcess(source) : loadIsolated(source, limits),
  );
  for (const [i, loading] of loads.entries()) {
    const source = sources[i]!;
    const loaded = await loading;
    if (!loaded.ok) {
      registry.unavailable.push({ source, id: loaded.id, reason: loaded.reason });
      continue;
    }
    const { def, host } = loaded;
    if (host) hosts.push(host);
    if (registry.runbooks.has(def.id)) {
      registry.unavailable.push({
        source,
        id: def.id,
        reason: `duplicate runbook id ${def.id}: ${source} declares the id already loaded from ${loadedFrom.get(def.id)}; a runbook id must be unique across plugin folders`,
      });
      await host?.close();
    } else if (host?.fault) {
      registry.unavailable.push({ source, id: def.id, reason: host.fault });
    } else {
      registry.runbooks.set(def.id, def);
      loadedFrom.set(def.id, source);
      if (host) host.onFault = (reason) => refuseLater(registry, source, def, reason);
    }
  }
  return registry;
}

/** A loaded plugin that failed on its own: no new calls reach it, and the catalog says why. */
function refuseLater(registry: PluginRegistry, source: string, def: RunbookDefinition, reason: string): void {
  if (registry.runbooks.get(def.id) !== def) return;
  registry.runbooks.delete(def.id);
  registry.unavailable.push({ source, id: def.id, reason });
}

async function loadIsolated(source: string, limits: SandboxLimits): Promise<Loaded> {
  let entry: string;
  try {
    entry = entryOf(source);
  } catch (error) {
    return { ok: false, id: null, reason: `failed to load: ${(error as Error).message}` };
  }
  const loaded = await PluginHost.load(source, entry, limits);
  if ('refused' in loaded) return { ok: false, ...loaded.refused };
  return { ok: true, def: sandboxedDefinition(loaded.host), host: loaded.host };
}

/** The plugin on the daemon's own thread: no limits at all (OPS_PLUGIN_ISOLATION=off). */
async function loadInProcess(source: string): Promise<Loaded> {
  let def: Partial<RunbookDefinition>;
  try {
    const mod = (await import(pathToFileURL(entryOf(source)).href)) as {
      default?: Partial<RunbookDefinition>;
    };
    if (!mod.default || typeof mod.default !== 'object')
      throw new Error('its default export is not a runbook definition');
    def = mod.default;
  } catch (error) {
    return { ok: false, id: null, reason: `failed to load: ${(error as Error).message}` };
  }
  const problems = definitionProblems(def);
  if (problems.length > 0) {
    return { ok: false, id: typeof def.id === 'string' ? def.id : null, reason: problems.join('; ') };
  }
  return { ok: true, def: def as RunbookDefinition, host: null };
}
