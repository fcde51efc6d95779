export { sandboxedDefinition } from './definition.ts';
export { PluginHost } from './host.ts';
export { DEFAULT_SANDBOX_LIMITS, formatMs, type SandboxLimits } from './limits.ts';
