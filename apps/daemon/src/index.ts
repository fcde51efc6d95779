/**
 * The daemon as a library: what the SDK's testing kit (`startTestDaemon` in
 * `@ops/runbook-sdk/testing`) imports to serve the real API with an author's plugins.
 */
export { ConfigError, loadConfig, type OpsConfig } from './config.ts';
export { type Daemon, type DaemonOptions, startDaemon } from './daemon.ts';
