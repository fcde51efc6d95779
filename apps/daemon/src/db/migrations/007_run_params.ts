import type { Migration } from '../migrator.ts';

// Runbook parameters are stored on the run, as validated, so its detail shows what it ran with.
export const up: Migration = async ({ context: sql }) => {
  await sql(`ALTER TABLE ops.runs ADD COLUMN params jsonb NOT NULL DEFAULT '{}'`);
};

export const down: Migration = async ({ context: sql }) => {
  await sql('ALTER TABLE ops.runs DROP COLUMN IF EXISTS params');
};
