import type { Migration } from '../migrator.ts';

// In-app notifications for one operator each (the identity's user id, a better-auth text id).
export const up: Migration = async ({ context: sql }) => {
  await sql(`
    CREATE TABLE ops.notifications (
      id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      user_id    text NOT NULL,
      kind       text NOT NULL,
      title      text NOT NULL,
      body       text NOT NULL DEFAULT '',
      run_id     bigint,
      created_at timestamptz NOT NULL DEFAULT now(),
      read_at    timestamptz
    );
    CREATE INDEX notifications_user_idx ON ops.notifications (user_id, id DESC);
  `);
};

export const down: Migration = async ({ context: sql }) => {
  await sql('DROP TABLE IF EXISTS ops.notifications');
};
