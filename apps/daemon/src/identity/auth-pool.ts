import pg from 'pg';
import { guardPool } from '../db/connection.ts';
import { AUTH_SCHEMA } from './auth-options.ts';

/**
 * better-auth's own pool: its queries name tables unqualified (`"user"`), so its connections resolve
 * them in the `ops` schema (another schema only for tests). Kept apart from the daemon's pool so that search path never leaks into
 * plugin SQL.
 */
export function openAuthPool(url: string, max = 4, schema = AUTH_SCHEMA): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    options: `-c search_path=${schema}`,
    application_name: 'ops-daemon-auth',
  });
  return guardPool(pool);
}
