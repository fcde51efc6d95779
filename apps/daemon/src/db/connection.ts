import { queryOf, type SqlExecutor, type SqlQuery } from '@ops/runbook-sdk';
import pg from 'pg';
import { Sequelize } from 'sequelize';
import { DatabaseUnavailableError } from '../errors.ts';
import {
  refusedStatement,
  type StatementOwner,
  statementRefusal,
  translatePluginSqlError,
} from '../plugins/containment/index.ts';

// bigint counts arrive as strings; ids stay strings (they may exceed 2^53), counts are converted
// where they are read.

export interface Database {
  url: string;
  /** Sequelize, for the ops schema's models and migrations. */
  sequelize: Sequelize;
  /** A plain pg pool, for plugin SQL and the executor's short transactions. */
  pool: pg.Pool;
  /** A new dedicated client, e.g. to hold session-level advisory locks. The caller ends it. */
  dedicatedClient(): Promise<pg.Client>;
  close(): Promise<void>;
}

const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN']);

// The server ended the session: terminated by an administrator (pg_terminate_backend), shut down,
// crashed, still starting, or the session idled out. The connection is gone either way.
const SESSION_ENDED = new Set(['57P01', '57P02', '57P03', '57P05']);

/** A lost, refused or ended connection, from the driver or wrapped by Sequelize or tRPC. */
export function isConnectionError(error: unknown): boolean {
  // Sequelize and tRPC wrap the driver's error (`parent`, `original`, `cause`): look one level in.
  const wrapped = error as { parent?: unknown; original?: unknown; cause?: unknown } | null;
  const inner = wrapped?.parent ?? wrapped?.original ?? wrapped?.cause;
  return endsConnection(error) || (inner != null && inner !== error && endsConnection(inner));
}

// node-postgres: a client whose connection already failed refuses further queries ("Client has
// encountered a connection error and is not queryable"), without a code.
function endsConnection(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return (
    (code !== undefined &&
      (CONNECTION_ERROR_CODES.has(code) || code.startsWith('08') || SESSION_ENDED.has(code))) ||
    (error instanceof Error &&
      /Connection terminated|connect ECONNREFUSED|is not queryable/.test(error.message))
  );
}

/** Opens pools on `url` and checks that the database answers; throws DatabaseUnavailableError. */
export async function openDatabase(url: string, options: { poolSize?: number } = {}): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 6,
    application_name: 'ops-daemon',
  });
  guardPool(pool);
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => {});
    throw new DatabaseUnavailableError(
      `database unreachable at ${redactUrl(url)}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const sequelize = new Sequelize(url, {
    dialect: 'postgres',
    logging: false,
    pool: { max: 3, min: 0 },
    dialectOptions: { application_name: 'ops-daemon' },
  });
  return {
    url,
    sequelize,
    pool,
    async dedicatedClient() {
      const client = new pg.Client({ connectionString: url, application_name: 'ops-daemon-lock' });
      client.on('error', ignoreClientError);
      await client.connect();
      return client;
    },
    async close() {
      await Promise.allSettled([sequelize.close(), pool.end()]);
    },
  };
}

// A lost connection is an error of the statement it ran (the query rejects); the client's 'error'
// event repeats it. node-postgres' pool listens to a client's errors only while it is idle and
// removes its listener on checkout, so an unlistened 'error' on a borrowed client would end the
// process. This listener stays for the client's life.
const ignoreClientError = () => {};

/**
 * Makes every client of `pool`, idle or borrowed, safe to lose: its errors reach the statement
 * that was running (or the next one), never the process. Apply to every pg.Pool the daemon opens.
 */
export function guardPool(pool: pg.Pool): pg.Pool {
  pool.on('error', ignoreClientError);
  pool.on('connect', (client) => client.on('error', ignoreClientError));
  return pool;
}

/**
 * The one way to borrow a client: runs `use` on it and gives it back, discarding it when its
 * connection broke (so the pool never hands out a dead one). Rethrows what `use` throws.
 */
export async function withClient<T>(pool: pg.Pool, use: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    return await use(client);
  } catch (error) {
    if (isConnectionError(error)) broken = error as Error;
    throw error;
  } finally {
    client.release(broken);
  }
}

/**
 * Runs `work` in one transaction on a borrowed client: BEGIN (with `begin`'s options), COMMIT, or
 * ROLLBACK when `work` throws. Rethrows what `work` throws.
 */
export function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  begin = 'BEGIN',
): Promise<T> {
  return withClient(pool, async (client) => {
    await client.query(begin);
    try {
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  });
}

/**
 * Cancels what `client`'s backend is running, from another connection: a plugin call stopped for
 * its time limit must not leave its statement running (and holding locks) on the server after the
 * daemon gave the connection up. Never throws.
 */
export async function cancelBackendStatement(
  pool: pg.Pool,
  client: pg.PoolClient | pg.Client,
): Promise<void> {
  const pid = (client as unknown as { processID?: number }).processID;
  if (!pid) return;
  const cancel: pg.QueryConfig = { text: 'SELECT pg_cancel_backend($1)', values: [pid] };
  Object.assign(cancel, { query_timeout: 2000 }); // node-postgres option missing from its types
  await pool.query(cancel).catch(() => {});
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

/**
 * Adapts a pg pool or client to the SDK's SqlExecutor: a plugin's only way to the database. Every
 * call is one statement on the extended protocol (stacked statements are refused by PostgreSQL),
 * statements that would take over the session (role, transaction control, settings) are refused
 * before they are sent, and the database's refusals are translated for the author and operator,
 * naming `owner` (e.g. "runbook acme.things.fix's preflight"). Throws PluginSqlRefusedError.
 */
export function sqlExecutor(
  target: pg.Pool | pg.PoolClient | pg.Client,
  owner: StatementOwner = 'the runbook',
): SqlExecutor {
  return {
    async query<Row>(query: string | SqlQuery, params?: readonly unknown[]) {
      const { text, values } = queryOf(query, params);
      const refusal = statementRefusal(text, values);
      if (refusal) throw refusedStatement(owner, refusal);
      try {
        // queryMode is pg 8.23's (lib/query.js), missing from @types/pg: extended even without values.
        const config: pg.QueryConfig & { queryMode: 'extended' } = { text, values, queryMode: 'extended' };
        const result = await target.query(config);
        return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
      } catch (error) {
        throw translatePluginSqlError(error, owner);
      }
    },
  };
}
