import fs from 'node:fs';
import path from 'node:path';

/**
 * Plugin folders registered with `ops-daemon plugins add <folder>`: the one place, besides
 * OPS_PLUGINS, that says which plugins outside the repository's plugins/ a daemon loads. Kept in
 * OPS_DATA_DIR (plugins.json) so `serve` and every CLI command started with the same data folder
 * read the same list (loadConfig adds it to OPS_PLUGINS's).
 */
export const REGISTERED_PLUGINS_FILE = 'plugins.json';

interface RegisteredFile {
  folders: string[];
}

export class RegisteredPluginsError extends Error {}

export function registeredPluginsFile(dataDir: string): string {
  return path.join(dataDir, REGISTERED_PLUGINS_FILE);
}

/** The registered folders (absolute), in the order they were added; none when the file is absent. */
export function readRegisteredPlugins(dataDir: string): string[] {
  const file = registeredPluginsFile(dataDir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new RegisteredPluginsError(
      `${file} is not JSON; fix or remove it (ops-daemon plugins add rewrites it)`,
    );
  }
  const folders = (parsed as Partial<RegisteredFile> | null)?.folders;
  if (!Array.isArray(folders) || !folders.every((f) => typeof f === 'string')) {
    throw new RegisteredPluginsError(`${file}: "folders" must be a list of plugin folder paths`);
  }
  return folders.map((f) => path.resolve(dataDir, f));
}

function write(dataDir: string, folders: string[]): void {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = registeredPluginsFile(dataDir);
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify({ folders } satisfies RegisteredFile, null, 2)}\n`);
  fs.renameSync(temp, file);
}

/** Registers `folder`; returns false when it already was. */
export function addRegisteredPlugin(dataDir: string, folder: string): boolean {
  const target = path.resolve(folder);
  const folders = readRegisteredPlugins(dataDir);
  if (folders.includes(target)) return false;
  write(dataDir, [...folders, target]);
  return true;
}

/** Unregisters `folder`; returns false when it was not registered. */
export function removeRegisteredPlugin(dataDir: string, folder: string): boolean {
  const target = path.resolve(folder);
  const folders = readRegisteredPlugins(dataDir);
  if (!folders.includes(target)) return false;
  write(
    dataDir,
    folders.filter((f) => f !== target),
  );
  return true;
}
