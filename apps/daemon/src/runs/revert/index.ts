export { dropExpiredJournals } from './journal-retention.ts';
export {
  ensureJournal,
  isReversible,
  type JournalAvailability,
  type JournaledTable,
  type JournalReport,
  type JournalUnavailable,
  journalAvailability,
  journaledWrites,
  journalSetupSql,
  journalStatusOf,
  journalTriggerSql,
} from './journal-triggers.ts';
export {
  definitionForRun,
  journalRevertWork,
  type RevertCounts,
  revertCounts,
  revertDefinition,
  revertedRunIdOf,
} from './journal-work.ts';
export { type RevertHost, type RevertRunRequest, startRevert } from './revert-start.ts';
export {
  assertRevertible,
  REVERT_CAPABILITY,
  REVERT_CONFIRMATION,
  type RevertLeftRow,
  type RevertState,
  revertInfoOf,
  revertSkippedRows,
  revertStateOf,
} from './revert-state.ts';
