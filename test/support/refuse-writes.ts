import type { TestDatabase } from './database.ts';

/**
 * A test-only trigger refusing every write to the findings of one tenant (by external id), or of
 * all tenants: a run then ends `partially_succeeded` or `failed` through the real engine.
 */
export async function refuseFindingWrites(t: TestDatabase, tenant: string | 'all'): Promise<void> {
  const condition =
    tenant === 'all'
      ? 'true'
      : `OLD.tenant_id = (SELECT id FROM public.tenants WHERE external_id = '${tenant.replace(/'/g, "''")}')`;
  await t.sql(`
    CREATE OR REPLACE FUNCTION test_refuse_writes() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF ${condition} THEN RAISE EXCEPTION 'findings are read-only (test trigger)'; END IF;
      RETURN NEW;
    END $$;
    DROP TRIGGER IF EXISTS test_refuse_writes ON public.findings;
    CREATE TRIGGER test_refuse_writes BEFORE UPDATE ON public.findings FOR EACH ROW
      EXECUTE FUNCTION test_refuse_writes();
  `);
}

export async function allowFindingWrites(t: TestDatabase): Promise<void> {
  await t.sql('DROP TRIGGER IF EXISTS test_refuse_writes ON public.findings');
}
