import { defineRunbook, keysetRepair, sql } from '@ops/runbook-sdk';

/**
 * An example runbook on the keyset helper: findings whose severity is written in another case or
 * with spaces (`'HIGH'`, `' Medium'`) get the canonical lower-case word. Counting, chunking,
 * narrowing, the platform-tenant rule and id bounds come from `keysetRepair`.
 */
const severity = keysetRepair({
  table: 'public.findings',
  tenantColumn: 'tenant_id',
  needsRepair: sql`severity <> lower(btrim(severity))`,
  assignment: sql`severity = lower(btrim(severity)), updated_at = now()`,
});

export default defineRunbook({
  id: 'findings.severity.normalize',
  version: '1.0.0',
  title: 'Normalize finding severities',
  description: "Rewrites findings' severities in canonical lower case without surrounding spaces.",
  sdk: '^2.0.0',
  capability: 'platform.runbooks.findings.severity_normalize',
  scopes: ['all', 'tenant'],
  confirmationPhrase: 'NORMALIZE',
  resources: ['table:findings'],
  preflight: severity.preflight,
  hasAffected: severity.hasAffected,
  run: severity.run,
});
