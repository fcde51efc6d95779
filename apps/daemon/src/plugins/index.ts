export { loadPlugins, type PluginRegistry, pluginSources, type UnavailablePlugin } from './loader.ts';
