import { waitFor } from './cli.ts';
import type { TestDatabase } from './database.ts';

export interface WriteGate {
  /** Lets statements through until `total` have passed since the gate was set up. */
  allow(total: number): Promise<void>;
  /**
   * Lets statements through one at a time, each once it has reached the gate, until `done()` holds
   * (e.g. the run record shows progress): no guess at how many writes a state needs.
   */
  stepUntil(done: () => Promise<boolean>, timeoutMs?: number): Promise<void>;
  /** Lets every statement through from now on, the waiting ones included. */
  open(): Promise<void>;
  /** Drops the gate from the database. */
  remove(): Promise<void>;
}

/**
 * Lets the next `allowed` UPDATE statements on findings through, then holds every further one in
 * the database (inside its chunk transaction, before it touches a row) until `open()`. A run then
 * stands still part-way, for as long as a test needs, without sleeping in the test: progress can
 * be watched, a pause requested, and the run let go when the test says so. Other locks stay real.
 * A held statement polls the gate; it counts against the run's chunk timeout (60 s by default).
 */
export async function gateFindingWrites(t: TestDatabase, allowed: number): Promise<WriteGate> {
  await t.sql(`
    CREATE TABLE IF NOT EXISTS public.test_write_gate (allowed bigint NOT NULL);
    DELETE FROM public.test_write_gate;
    INSERT INTO public.test_write_gate VALUES (${Math.trunc(allowed)});
    CREATE SEQUENCE IF NOT EXISTS public.test_write_gate_passed;
    ALTER SEQUENCE public.test_write_gate_passed RESTART WITH 1;
    -- SECURITY DEFINER: runbook statements may run under a role that cannot read test tables.
    CREATE OR REPLACE FUNCTION public.test_write_gate() RETURNS trigger
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
    DECLARE ticket bigint := nextval('public.test_write_gate_passed');
    BEGIN
      WHILE ticket > (SELECT allowed FROM public.test_write_gate) LOOP
        PERFORM pg_sleep(0.02);
      END LOOP;
      RETURN NULL;
    END $$;
    DROP TRIGGER IF EXISTS test_write_gate ON public.findings;
    CREATE TRIGGER test_write_gate BEFORE UPDATE ON public.findings
      FOR EACH STATEMENT EXECUTE FUNCTION public.test_write_gate();
  `);
  const allow = async (total: number) => {
    await t.sql('UPDATE public.test_write_gate SET allowed = $1', [Math.trunc(total)]);
  };
  const state = async () => {
    const [row] = await t.sql<{ tickets: string; allowed: string }>(
      `SELECT CASE WHEN s.is_called THEN s.last_value ELSE 0 END AS tickets, g.allowed
         FROM public.test_write_gate_passed s, public.test_write_gate g`,
    );
    return { tickets: Number(row!.tickets), allowed: Number(row!.allowed) };
  };
  return {
    allow,
    async stepUntil(done, timeoutMs = 60_000) {
      while (!(await done())) {
        const { allowed } = await waitFor(
          async () => {
            const now = await state();
            return now.tickets > now.allowed ? now : undefined;
          },
          timeoutMs,
          'a write to reach the gate',
        );
        await allow(allowed + 1);
      }
    },
    async open() {
      await t.sql('UPDATE public.test_write_gate SET allowed = 9223372036854775807');
    },
    async remove() {
      await t.sql('DROP TRIGGER IF EXISTS test_write_gate ON public.findings');
    },
  };
}
