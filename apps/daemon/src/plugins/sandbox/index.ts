export { sandboxedDefinition } from './definition.ts';
export { PluginHost } from './host.ts';
export { DEFAULT_HOOK_TIMEOUT_MS, DEFAULT_SANDBOX_LIMITS, formatMs, type SandboxLimits } from './limits.ts';
