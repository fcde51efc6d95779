import type { TestDatabase } from './database.ts';

/**
 * Makes every UPDATE statement on findings take `ms` longer, through a statement trigger in the
 * database itself, so a run lasts long enough to overlap with another process. The locks under
 * test stay real.
 */
export async function slowFindingWrites(t: TestDatabase, ms: number): Promise<void> {
  await t.sql(`
    CREATE OR REPLACE FUNCTION test_slow_write() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_sleep(${ms / 1000}); RETURN NULL; END $$;
    DROP TRIGGER IF EXISTS test_slow_write ON public.findings;
    CREATE TRIGGER test_slow_write AFTER UPDATE ON public.findings
      FOR EACH STATEMENT EXECUTE FUNCTION test_slow_write();
  `);
}

export async function removeSlowFindingWrites(t: TestDatabase): Promise<void> {
  await t.sql('DROP TRIGGER IF EXISTS test_slow_write ON public.findings');
}
