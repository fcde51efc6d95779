export { AUDIT_SORT_KEY_NAMES, type AuditListFilter, type AuditSortKey } from './audit-list.ts';
export {
  AUDIT_ACTIONS,
  type AuditAction,
  type AuditEvent,
  type AuditEventInput,
  AuditLog,
} from './audit-log.ts';
export {
  auditChainStatus,
  type ChainBreak,
  type ChainRecord,
  type ChainStatus,
  eachChainRecord,
  verifyAuditChain,
} from './chain/index.ts';
