export {
  type LoadOptions,
  loadPlugins,
  type PluginRegistry,
  pluginSources,
  type UnavailablePlugin,
} from './loader.ts';
export { DEFAULT_SANDBOX_LIMITS, type SandboxLimits } from './sandbox/index.ts';
export { scaffoldPlugin } from './scaffold/scaffold.ts';
