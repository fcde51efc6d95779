import { PRODUCT_SCHEMA_SQL } from '@ops/runbook-sdk';
import type { Migration } from '../migrator.ts';

// The product's tenant-owned data (findings-lifecycle.md), as the SDK documents it for plugin authors.
// The SQL is idempotent (IF NOT EXISTS), so this migration stays valid if the SDK's copy only grows.
export const up: Migration = async ({ context: sql }) => {
  await sql(PRODUCT_SCHEMA_SQL);
};

export const down: Migration = async ({ context: sql }) => {
  await sql('DROP TABLE IF EXISTS public.finding_events, public.findings, public.tenants');
};
