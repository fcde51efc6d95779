import type { Migration } from '../migrator.ts';

// Alert destination secrets are stored sealed (AES-256-GCM, alerts/secret-box.ts): from now on the
// column accepts only sealed values. The check is NOT VALID because a migration cannot seal: the
// key is the daemon's, not the database's. Rows written before this migration keep their plain
// value until the next daemon start seals them (DestinationStore.sealPlain, before the API
// serves), or `ops-daemon secrets rotate` does.
export const up: Migration = async ({ context: sql }) => {
  await sql(`
    ALTER TABLE ops.alert_destinations
      ADD CONSTRAINT alert_destinations_secret_sealed
      CHECK (secret IS NULL OR starts_with(secret, 'ops-sealed.v1.')) NOT VALID;
    COMMENT ON COLUMN ops.alert_destinations.secret IS
      'Sealed (ops-sealed.v1.<key id>.<iv>.<ciphertext>.<tag>): the webhook URL or SMTP URL, never in plain text';
  `);
};

export const down: Migration = async ({ context: sql }) => {
  await sql('ALTER TABLE ops.alert_destinations DROP CONSTRAINT IF EXISTS alert_destinations_secret_sealed');
};
