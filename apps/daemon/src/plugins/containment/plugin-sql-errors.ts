import { PluginFaultError } from '../../runs/plugin-faults.ts';

/**
 * A plugin's statement that the daemon or the database refused because the plugin overstepped:
 * several statements in one query, a write in a read-only preflight, a table it was not granted,
 * session or transaction control. A plugin fault: never retried, never a tenant's failure. The
 * message names the runbook and the rule, in operator words; `cause` keeps the database's error.
 */
export class PluginSqlRefusedError extends PluginFaultError {}

const READ_ONLY_TRANSACTION = '25006';
const INSUFFICIENT_PRIVILEGE = '42501';
const SYNTAX_ERROR = '42601';
const IN_FAILED_TRANSACTION = '25P02';

/**
 * Whose statement it is, for messages: e.g. "runbook acme.things.fix's preflight". The daemon's
 * adapters pass it; without it messages say "the runbook".
 */
export type StatementOwner = string;

/** The refusal of a statement before it was sent (see statementRefusal). */
export function refusedStatement(owner: StatementOwner, rule: string): PluginSqlRefusedError {
  return new PluginSqlRefusedError(`${owner} sent a statement that is not allowed: ${rule}`);
}

/**
 * The database's refusals of a plugin's statement, translated for the author and the operator;
 * any other error is returned unchanged (transient errors, timeouts and data errors keep their
 * codes, which the chunk driver acts on).
 */
export function translatePluginSqlError(error: unknown, owner: StatementOwner): unknown {
  const code = (error as { code?: string } | null)?.code;
  const message = error instanceof Error ? error.message : '';
  if (
    code === SYNTAX_ERROR &&
    message.includes('cannot insert multiple commands into a prepared statement')
  ) {
    return new PluginSqlRefusedError(
      `${owner} sent several statements in one query: send one statement per ctx.db.query call, with every value bound as a parameter (the SDK's sql\`…\` template)`,
      { cause: error },
    );
  }
  if (code === READ_ONLY_TRANSACTION) {
    return new PluginSqlRefusedError(`${owner} tried to write; preflights are read-only`, { cause: error });
  }
  if (code === IN_FAILED_TRANSACTION) {
    return new PluginSqlRefusedError(
      `${owner} sent a statement after one of its statements failed: a failed statement ends the transaction (to try a statement that may fail in a preflight, run it in ctx.readOnly)`,
      { cause: error },
    );
  }
  if (code === INSUFFICIENT_PRIVILEGE) {
    const object = /permission denied for (?:table|relation|schema|sequence|function|view) ("?[\w.]+"?)/.exec(
      message,
    )?.[1];
    return new PluginSqlRefusedError(
      `${owner} was denied access${object ? ` to ${object}` : ''}: a runbook reads the product's tables, writes only the tables it declares in resources, and never touches ops.*`,
      { cause: error },
    );
  }
  return error;
}
