export {
  AUDIT_ACTIONS,
  type AuditAction,
  type AuditEvent,
  type AuditEventInput,
  AuditLog,
} from './audit-log.ts';
