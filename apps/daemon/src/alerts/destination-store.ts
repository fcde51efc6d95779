import type pg from 'pg';
import { NotFoundError } from '../errors.ts';
import { isSealed, SEALED_PREFIX, type SecretBox, SecretUnreadableError, sealedKeyId } from './secret-box.ts';

export const DESTINATION_KINDS = ['email', 'teams'] as const;
export type DestinationKind = (typeof DESTINATION_KINDS)[number];

/** A destination as stored, secret included: for the senders only, never for the API. */
export interface Destination {
  id: string;
  kind: DestinationKind;
  name: string;
  recipients: string[];
  /** Teams: the webhook URL. E-mail: an SMTP URL overriding OPS_SMTP_URL, or null. Opened. */
  secret: string | null;
  /** Why the stored secret cannot be opened (sealed with another key); `secret` is null then. */
  secretProblem: string | null;
  enabled: boolean;
  notifyOnSuccess: boolean;
  envKey: string | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface NewDestination {
  kind: DestinationKind;
  name: string;
  recipients: string[];
  secret: string | null;
  enabled: boolean;
  notifyOnSuccess: boolean;
  createdBy: string | null;
}

export type DestinationPatch = Partial<
  Pick<Destination, 'name' | 'recipients' | 'secret' | 'enabled' | 'notifyOnSuccess'>
>;

/** What `secrets rotate` did: rows re-sealed from the old key, already under the new one, sealed from plain. */
export interface RotationResult {
  keyId: string;
  resealed: number;
  alreadyCurrent: number;
  sealedPlain: number;
}

/** How the stored secrets are sealed: rows per key id, and rows still in plain text. */
export interface SealingStatus {
  keyId: string;
  byKey: Record<string, number>;
  plain: number;
}

/** A destination made from the environment, keyed by its variable. */
export interface EnvDestination {
  envKey: string;
  kind: DestinationKind;
  name: string;
  recipients: string[];
  secret: string | null;
}

interface DestinationRow {
  id: string;
  kind: DestinationKind;
  name: string;
  recipients: string[];
  secret: string | null;
  enabled: boolean;
  notify_on_success: boolean;
  env_key: string | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS =
  'id, kind, name, recipients, secret, enabled, notify_on_success, env_key, created_by, created_at, updated_at';

/** The stored secret opened, or why it cannot be. A plain value predates sealing (see sealPlain). */
function openSecret(
  box: SecretBox,
  stored: string | null,
): { secret: string | null; problem: string | null } {
  if (stored === null || !isSealed(stored)) return { secret: stored, problem: null };
  try {
    return { secret: box.open(stored), problem: null };
  } catch (error) {
    if (error instanceof SecretUnreadableError) return { secret: null, problem: error.message };
    throw error;
  }
}

function toDestination(row: DestinationRow, box: SecretBox): Destination {
  const { secret, problem } = openSecret(box, row.secret);
  return {
    id: String(row.id),
    kind: row.kind,
    name: row.name,
    recipients: row.recipients,
    secret,
    secretProblem: problem,
    enabled: row.enabled,
    notifyOnSuccess: row.notify_on_success,
    envKey: row.env_key,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/**
 * The ops.alert_destinations table. Secrets are sealed on the way in and opened on the way out;
 * the column never holds one in plain text (migration 009's check), except rows written before
 * it, which sealPlain() seals at start.
 */
export class DestinationStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly box: SecretBox,
  ) {}

  private seal(secret: string | null): string | null {
    return secret === null ? null : this.box.seal(secret);
  }

  async list(filter: { enabledOnly?: boolean } = {}): Promise<Destination[]> {
    const { rows } = await this.pool.query<DestinationRow>(
      `SELECT ${COLUMNS} FROM ops.alert_destinations WHERE ($1::boolean IS FALSE OR enabled) ORDER BY id`,
      [filter.enabledOnly ?? false],
    );
    return rows.map((row) => toDestination(row, this.box));
  }

  /** Throws NotFoundError naming `id`. */
  async get(id: string): Promise<Destination> {
    const { rows } = await this.pool.query<DestinationRow>(
      `SELECT ${COLUMNS} FROM ops.alert_destinations WHERE id = $1`,
      [id],
    );
    if (!rows[0]) throw new NotFoundError(`alert destination ${id} does not exist`, 'id');
    return toDestination(rows[0], this.box);
  }

  async create(d: NewDestination): Promise<Destination> {
    const { rows } = await this.pool.query<DestinationRow>(
      `INSERT INTO ops.alert_destinations (kind, name, recipients, secret, enabled, notify_on_success, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
      [d.kind, d.name, d.recipients, this.seal(d.secret), d.enabled, d.notifyOnSuccess, d.createdBy],
    );
    return toDestination(rows[0]!, this.box);
  }

  /**
   * Changes only the given fields; the stored secret is kept as it is unless the patch has one
   * (so a destination whose secret this daemon cannot open can still be renamed or disabled).
   * Throws NotFoundError naming `id`.
   */
  async update(id: string, patch: DestinationPatch): Promise<Destination> {
    const current = await this.get(id);
    const next = { ...current, ...patch };
    const { rows } = await this.pool.query<DestinationRow>(
      `UPDATE ops.alert_destinations
          SET name = $2, recipients = $3, secret = CASE WHEN $7 THEN $4 ELSE secret END,
              enabled = $5, notify_on_success = $6, updated_at = now()
        WHERE id = $1 RETURNING ${COLUMNS}`,
      [
        id,
        next.name,
        next.recipients,
        this.seal(patch.secret ?? null),
        next.enabled,
        next.notifyOnSuccess,
        patch.secret !== undefined,
      ],
    );
    if (!rows[0]) throw new NotFoundError(`alert destination ${id} does not exist`, 'id');
    return toDestination(rows[0], this.box);
  }

  /** Throws NotFoundError naming `id`. Past deliveries keep their record (destination_id becomes null). */
  async delete(id: string): Promise<Destination> {
    const { rows } = await this.pool.query<DestinationRow>(
      `DELETE FROM ops.alert_destinations WHERE id = $1 RETURNING ${COLUMNS}`,
      [id],
    );
    if (!rows[0]) throw new NotFoundError(`alert destination ${id} does not exist`, 'id');
    return toDestination(rows[0], this.box);
  }

  /**
   * Makes the environment's destinations exist with the environment's addresses, and removes those
   * whose variable was unset. What an operator chose in the console (enabled, success
   * notifications, name) is kept across restarts.
   */
  async seedFromEnv(destinations: EnvDestination[]): Promise<void> {
    await this.pool.query(
      'DELETE FROM ops.alert_destinations WHERE env_key IS NOT NULL AND NOT (env_key = ANY($1::text[]))',
      [destinations.map((d) => d.envKey)],
    );
    for (const d of destinations) {
      await this.pool.query(
        `INSERT INTO ops.alert_destinations (kind, name, recipients, secret, env_key, created_by)
         VALUES ($1, $2, $3, $4, $5, 'environment')
         ON CONFLICT (env_key) DO UPDATE
           SET kind = EXCLUDED.kind, recipients = EXCLUDED.recipients, secret = EXCLUDED.secret, updated_at = now()`,
        [d.kind, d.name, d.recipients, this.seal(d.secret), d.envKey],
      );
    }
  }

  /** Seals the secrets stored before sealing existed (migration 009). Returns how many. */
  async sealPlain(): Promise<number> {
    const { rows } = await this.pool.query<{ id: string; secret: string }>(
      `SELECT id, secret FROM ops.alert_destinations WHERE secret IS NOT NULL AND NOT starts_with(secret, $1)`,
      [SEALED_PREFIX],
    );
    for (const row of rows) {
      // Only if still plain: another daemon starting at the same time may have sealed it already.
      await this.pool.query('UPDATE ops.alert_destinations SET secret = $2 WHERE id = $1 AND secret = $3', [
        row.id,
        this.box.seal(row.secret),
        row.secret,
      ]);
    }
    return rows.length;
  }

  async sealingStatus(): Promise<SealingStatus> {
    const { rows } = await this.pool.query<{ secret: string }>(
      'SELECT secret FROM ops.alert_destinations WHERE secret IS NOT NULL',
    );
    const byKey: Record<string, number> = {};
    let plain = 0;
    for (const { secret } of rows) {
      const keyId = sealedKeyId(secret);
      if (keyId === null) plain += 1;
      else byKey[keyId] = (byKey[keyId] ?? 0) + 1;
    }
    return { keyId: this.box.current.id, byKey, plain };
  }

  /**
   * Re-seals every stored secret with this store's key: those sealed with `from`'s key are opened
   * with it, plain ones are sealed, current ones are left. All rows or none (one transaction,
   * rows locked). Throws SecretUnreadableError, changing nothing, when a row is sealed with a key
   * that is neither, or does not open.
   */
  async rotate(from: SecretBox): Promise<RotationResult> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ id: string; secret: string }>(
        'SELECT id, secret FROM ops.alert_destinations WHERE secret IS NOT NULL ORDER BY id FOR UPDATE',
      );
      const result: RotationResult = {
        keyId: this.box.current.id,
        resealed: 0,
        alreadyCurrent: 0,
        sealedPlain: 0,
      };
      const updates: [string, string][] = [];
      for (const row of rows) {
        const keyId = sealedKeyId(row.secret);
        if (keyId === this.box.current.id) {
          this.box.open(row.secret); // proves it opens; a damaged row stops the rotation
          result.alreadyCurrent += 1;
        } else if (keyId === null) {
          updates.push([row.id, this.box.seal(row.secret)]);
          result.sealedPlain += 1;
        } else if (keyId === from.current.id) {
          updates.push([row.id, this.box.seal(from.open(row.secret))]);
          result.resealed += 1;
        } else {
          throw new SecretUnreadableError(
            `alert destination ${row.id}'s secret was sealed with key ${keyId}, which is neither the old key (${from.current.id}) nor the new one (${this.box.current.id})`,
            keyId,
          );
        }
      }
      for (const [id, sealed] of updates) {
        await client.query('UPDATE ops.alert_destinations SET secret = $2 WHERE id = $1', [id, sealed]);
      }
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((e: Error) => {
        broken = e;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }
}
