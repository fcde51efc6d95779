export { loadPlugins, type PluginRegistry, pluginSources, type UnavailablePlugin } from './loader.ts';
export { scaffoldPlugin } from './scaffold/scaffold.ts';
