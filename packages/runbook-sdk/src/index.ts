export type {
  ChangeSampleOptions,
  ChangeSampleRow,
  ChunkedResult,
  ChunkRange,
  ChunkSelection,
  IdBounds,
  KeysetWork,
  PreflightContext,
  PreflightEstimate,
  PreflightResult,
  RunContext,
  RunResult,
  SqlExecutor,
  TenantRef,
} from './context.ts';
export {
  CSV_COLUMN_TYPES,
  CSV_INPUT_CEILINGS,
  CSV_INPUT_DEFAULTS,
  type CsvColumnSpec,
  type CsvColumnType,
  CsvInputError,
  type CsvInputRows,
  type CsvInputSpec,
  type CsvProblem,
  type CsvRow,
  type CsvValue,
  checkCsvSize,
  csvInput,
  decodeCsvBytes,
  describeCsvProblem,
  type ParsedCsv,
  parseCsvInput,
} from './csv/csv-input.ts';
export { csvRowWork, type NumberedRow, rowsInRange } from './csv/row-work.ts';
export {
  defineRunbook,
  definitionProblems,
  type ReversibleWrites,
  type RunbookDefinition,
  RunbookDefinitionError,
} from './define.ts';
export {
  type HookContext,
  LIFECYCLE_HOOKS,
  type LifecycleHook,
  type RunCompletion,
  type RunError,
} from './hooks.ts';
export { type KeysetRepair, type KeysetRepairSpec, keysetRepair, type SqlPart } from './keyset.ts';
export {
  defaultLockRequests,
  type LockMode,
  type LockRequest,
  resourceLockKey,
  runbookLockKey,
  tenantLockKey,
} from './locks.ts';
export {
  coerceParameterStrings,
  describeParameters,
  PARAMETER_KINDS,
  type ParameterDescription,
  ParameterError,
  type ParameterKind,
  type ParameterSchema,
  parseParameters,
} from './parameters.ts';
export { PRODUCT_SCHEMA_SQL } from './product-schema.ts';
export {
  describeScope,
  PLATFORM_TENANT_EXTERNAL_ID,
  type ResolvedScope,
  SCOPE_KINDS,
  type Scope,
  type ScopeKind,
} from './scope.ts';
export { isSqlQuery, queryOf, SqlFragment, type SqlQuery, type SqlTag, sql } from './sql.ts';
export {
  CORE_SUMMARY_KEYS,
  type CoreSummaryKey,
  filterSummary,
  isValidSummaryKeyName,
  type Summary,
  summaryWarnings,
} from './summary-keys.ts';
export { SDK_VERSION, sdkRangeAccepts } from './version.ts';
