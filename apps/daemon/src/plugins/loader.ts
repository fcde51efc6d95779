import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { definitionProblems, type RunbookDefinition } from '@ops/runbook-sdk';

/** A plugin the daemon could not use, and why, so the catalog can show it. */
export interface UnavailablePlugin {
  source: string;
  id: string | null;
  reason: string;
}

export interface PluginRegistry {
  runbooks: Map<string, RunbookDefinition>;
  unavailable: UnavailablePlugin[];
}

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
 * contract or repeats an id is refused with the reason; it never stops the daemon.
 */
export async function loadPlugins(sources: readonly string[]): Promise<PluginRegistry> {
  const registry: PluginRegistry = { runbooks: new Map(), unavailable: [] };
  for (const source of sources) {
    let def: Partial<RunbookDefinition>;
    try {
      const mod = (await import(pathToFileURL(entryOf(source)).href)) as {
        default?: Partial<RunbookDefinition>;
      };
      if (!mod.default || typeof mod.default !== 'object')
        throw new Error('its default export is not a runbook definition');
      def = mod.default;
    } catch (error) {
      registry.unavailable.push({ source, id: null, reason: `failed to load: ${(error as Error).message}` });
      continue;
    }
    const id = typeof def.id === 'string' ? def.id : null;
    const problems = definitionProblems(def);
    if (problems.length > 0) {
      registry.unavailable.push({ source, id, reason: problems.join('; ') });
    } else if (registry.runbooks.has(def.id!)) {
      registry.unavailable.push({
        source,
        id,
        reason: `duplicate runbook id ${def.id}: already loaded from another plugin`,
      });
    } else {
      registry.runbooks.set(def.id!, def as RunbookDefinition);
    }
  }
  return registry;
}
