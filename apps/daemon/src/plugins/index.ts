export {
  type LoadOptions,
  loadPlugins,
  type PluginRegistry,
  pluginSources,
  type UnavailablePlugin,
} from './loader.ts';
export {
  addRegisteredPlugin,
  REGISTERED_PLUGINS_FILE,
  readRegisteredPlugins,
  registeredPluginsFile,
  removeRegisteredPlugin,
} from './registered.ts';
export { DEFAULT_SANDBOX_LIMITS, type SandboxLimits } from './sandbox/index.ts';
export { type ScaffoldResult, scaffoldPlugin, sdkTarballPath } from './scaffold/scaffold.ts';
