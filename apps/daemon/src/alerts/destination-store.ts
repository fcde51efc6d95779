import type pg from 'pg';
import { NotFoundError } from '../errors.ts';

export const DESTINATION_KINDS = ['email', 'teams'] as const;
export type DestinationKind = (typeof DESTINATION_KINDS)[number];

/** A destination as stored, secret included: for the senders only, never for the API. */
export interface Destination {
  id: string;
  kind: DestinationKind;
  name: string;
  recipients: string[];
  /** Teams: the webhook URL. E-mail: an SMTP URL overriding OPS_SMTP_URL, or null. */
  secret: string | null;
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

function toDestination(row: DestinationRow): Destination {
  return {
    id: String(row.id),
    kind: row.kind,
    name: row.name,
    recipients: row.recipients,
    secret: row.secret,
    enabled: row.enabled,
    notifyOnSuccess: row.notify_on_success,
    envKey: row.env_key,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** The ops.alert_destinations table. */
export class DestinationStore {
  constructor(private readonly pool: pg.Pool) {}

  async list(filter: { enabledOnly?: boolean } = {}): Promise<Destination[]> {
    const { rows } = await this.pool.query<DestinationRow>(
      `SELECT ${COLUMNS} FROM ops.alert_destinations WHERE ($1::boolean IS FALSE OR enabled) ORDER BY id`,
      [filter.enabledOnly ?? false],
    );
    return rows.map(toDestination);
  }

  /** Throws NotFoundError naming `id`. */
  async get(id: string): Promise<Destination> {
    const { rows } = await this.pool.query<DestinationRow>(
      `SELECT ${COLUMNS} FROM ops.alert_destinations WHERE id = $1`,
      [id],
    );
    if (!rows[0]) throw new NotFoundError(`alert destination ${id} does not exist`, 'id');
    return toDestination(rows[0]);
  }

  async create(d: NewDestination): Promise<Destination> {
    const { rows } = await this.pool.query<DestinationRow>(
      `INSERT INTO ops.alert_destinations (kind, name, recipients, secret, enabled, notify_on_success, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
      [d.kind, d.name, d.recipients, d.secret, d.enabled, d.notifyOnSuccess, d.createdBy],
    );
    return toDestination(rows[0]!);
  }

  /** Changes only the given fields. Throws NotFoundError naming `id`. */
  async update(id: string, patch: DestinationPatch): Promise<Destination> {
    const current = await this.get(id);
    const next = { ...current, ...patch };
    const { rows } = await this.pool.query<DestinationRow>(
      `UPDATE ops.alert_destinations
          SET name = $2, recipients = $3, secret = $4, enabled = $5, notify_on_success = $6, updated_at = now()
        WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, next.name, next.recipients, next.secret, next.enabled, next.notifyOnSuccess],
    );
    if (!rows[0]) throw new NotFoundError(`alert destination ${id} does not exist`, 'id');
    return toDestination(rows[0]);
  }

  /** Throws NotFoundError naming `id`. Past deliveries keep their record (destination_id becomes null). */
  async delete(id: string): Promise<Destination> {
    const { rows } = await this.pool.query<DestinationRow>(
      `DELETE FROM ops.alert_destinations WHERE id = $1 RETURNING ${COLUMNS}`,
      [id],
    );
    if (!rows[0]) throw new NotFoundError(`alert destination ${id} does not exist`, 'id');
    return toDestination(rows[0]);
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
        [d.kind, d.name, d.recipients, d.secret, d.envKey],
      );
    }
  }
}
