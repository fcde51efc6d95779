import type { Migration } from '../migrator.ts';

// Each daemon looks for occurrences left `firing` by a daemon that stopped mid-fire on every
// schedule sync (schedules/schedule-store.ts reapStuck): a small index over just those rows keeps
// that look cheap however long the occurrence history grows.
export const up: Migration = async ({ context: sql }) => {
  await sql(`
    CREATE INDEX schedule_occurrences_firing_idx ON ops.schedule_occurrences (created_at)
      WHERE status = 'firing'
  `);
};

export const down: Migration = async ({ context: sql }) => {
  await sql('DROP INDEX IF EXISTS ops.schedule_occurrences_firing_idx');
};
