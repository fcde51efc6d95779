export { databaseChecksum } from './checksum.ts';
export {
  assertRunbookContract,
  type ContractCheck,
  type ContractOptions,
  type ContractReport,
  checkRunbookContract,
} from './contract.ts';
export { preflightWith, type ReferenceRunOptions, runWithReferenceDriver } from './reference-runner.ts';
export {
  importEmbeddedPostgres,
  startThrowawayPostgres,
  type ThrowawayPostgres,
} from './throwaway-postgres.ts';
