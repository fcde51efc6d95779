export { changedKeys, databaseChecksum, SHARED_ROWS, tenantChecksums } from './checksum.ts';
export {
  assertRunbookContract,
  CONTRACT_CHECKS,
  type ContractCheck,
  type ContractOptions,
  type ContractReport,
  checkRunbookContract,
} from './contract.ts';
export { insertKitTenants, KIT_TENANTS, type KitTenantIds } from './fixtures.ts';
export {
  csvTextOfRows,
  KIT_INPUT_FILE_NAME,
  type KitInput,
  KitInputError,
  kitInputOf,
} from './kit-input.ts';
export { checkNarrowing, type NarrowingVerdict } from './narrowing.ts';
export {
  estimateWith,
  hasAffectedWith,
  KeysetDriver,
  preflightWith,
  type ReferenceFailure,
  type ReferenceRunOptions,
  type ReferenceRunOutcome,
  runWithReferenceDriver,
} from './reference-runner.ts';
export {
  DAEMON_PACKAGE,
  importDaemon,
  KIT_DEMO_PASSWORD,
  type KitDaemon,
  type KitDaemonOptions,
  type KitRun,
  startTestDaemon,
} from './test-daemon.ts';
export {
  importEmbeddedPostgres,
  KIT_FOLDER_PREFIX,
  kitFoldersOfThisProcess,
  startThrowawayPostgres,
  sweepAbandonedKitFolders,
  type ThrowawayPostgres,
} from './throwaway-postgres.ts';
export {
  DEFAULT_KIT_TIME_LIMITS,
  type KitTimeLimits,
  PluginCallTimeoutError,
  withinTimeLimit,
} from './time-limit.ts';
