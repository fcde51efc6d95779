/**
 * What a plugin's statement may not do, decided before it is sent. A plugin's statements run in
 * transactions the daemon opens, under a role the daemon sets (`SET LOCAL ROLE ops_rb_…`); the
 * session itself is the daemon's. So a plugin must not end or open transactions, change role or
 * session authorisation, or leave settings behind on a pooled connection. With the extended
 * protocol each call is one statement, so its leading words say what it is.
 *
 * Residual risk, stated plainly: this is a deny-list on SQL text over a session whose user is the
 * daemon's. It stops the direct ways (SET/RESET ROLE, SET SESSION AUTHORIZATION, set_config of
 * role, transaction control, DO blocks and functions of the plugin's own, SQL-running built-ins),
 * but it cannot prove that no other way exists; a hard boundary needs the plugin's statements on
 * a connection whose session user cannot escalate (see README, "Containing plugins").
 */

/** Settings a plugin may change for its own transaction (plan shape, memory, timeouts). */
const TUNABLE_SETTING =
  /^(work_mem|maintenance_work_mem|hash_mem_multiplier|temp_buffers|statement_timeout|lock_timeout|enable_[a-z_]+|[a-z_]+_cost|effective_cache_size|effective_io_concurrency|jit(_[a-z_]+)?|max_parallel_workers_per_gather|min_parallel_[a-z_]+_size|join_collapse_limit|from_collapse_limit|geqo(_[a-z_]+)?|plan_cache_mode|constraint_exclusion|cursor_tuple_fraction|default_statistics_target|synchronous_commit)$/;

/** Built-ins that run SQL given as text: they would hide a statement from this check. */
const SQL_RUNNING_FUNCTIONS = new Set([
  'query_to_xml',
  'query_to_xmlschema',
  'query_to_xml_and_xmlschema',
  'cursor_to_xml',
  'cursor_to_xmlschema',
  'database_to_xml',
  'database_to_xmlschema',
  'database_to_xml_and_xmlschema',
  'schema_to_xml',
  'schema_to_xmlschema',
  'schema_to_xml_and_xmlschema',
  'ts_stat',
  'ts_rewrite',
  'dblink',
  'dblink_exec',
]);

const TRANSACTION_CONTROL = new Set([
  'BEGIN',
  'START',
  'COMMIT',
  'END',
  'ROLLBACK',
  'ABORT',
  'SAVEPOINT',
  'RELEASE',
]);

/** Objects whose code would run later, as whoever calls it: a plugin does not create them. */
const CODE_OBJECTS = new Set([
  'FUNCTION',
  'PROCEDURE',
  'AGGREGATE',
  'OPERATOR',
  'CAST',
  'TRIGGER',
  'RULE',
  'LANGUAGE',
  'EXTENSION',
  'EVENT',
  'TRANSFORM',
  'CONVERSION',
  'ROLE',
  'USER',
  'GROUP',
]);

type Token =
  | { kind: 'word'; value: string } // unquoted identifier or keyword, lower-cased
  | { kind: 'ident'; value: string } // "quoted identifier", as written
  | { kind: 'string'; value: string }
  | { kind: 'param'; index: number }
  | { kind: 'punct'; value: string };

/** Why a statement is refused, in the author's words; null when it may run. */
export function statementRefusal(text: string, values: readonly unknown[]): string | null {
  if (/u&["']/i.test(text)) return 'Unicode-escaped names and strings (U&"…") are not accepted in plugin SQL';
  let tokens: Token[];
  try {
    tokens = tokenize(text);
  } catch (error) {
    return (error as Error).message;
  }
  const words = tokens.slice(0, 4).map((t) => (t.kind === 'word' ? t.value.toUpperCase() : ''));
  const [first = '', second = '', third = ''] = words;

  if (TRANSACTION_CONTROL.has(first) || (first === 'PREPARE' && second === 'TRANSACTION')) {
    return `${first} is not allowed: the daemon opens and ends the transaction a plugin runs in`;
  }
  if (first === 'RESET' || first === 'DISCARD') {
    return `${first} is not allowed: the session's role and settings belong to the daemon`;
  }
  if (first === 'SET') {
    if (second === 'CONSTRAINTS') return null;
    if (second !== 'LOCAL') {
      return 'SET is allowed only as SET LOCAL <setting> (for this transaction), and only for planner, memory and timeout settings';
    }
    const name = tokens[2]?.kind === 'word' ? tokens[2].value : '';
    if (!TUNABLE_SETTING.test(name) || third === 'ROLE' || third === 'SESSION') {
      return `SET LOCAL ${name || '…'} is not allowed: a plugin may tune only planner, memory and timeout settings`;
    }
    return null;
  }
  if (first === 'DO') return 'DO blocks are not allowed in plugin SQL: send one plain statement per query';
  if (first === 'LOAD' || first === 'GRANT' || first === 'REVOKE' || first === 'SECURITY') {
    return `${first} is not allowed: privileges and server code belong to the daemon`;
  }
  if (first === 'ALTER' && ['ROLE', 'USER', 'GROUP', 'SYSTEM', 'DATABASE', 'DEFAULT'].includes(second)) {
    return `ALTER ${second} is not allowed: privileges and server settings belong to the daemon`;
  }
  if (first === 'CREATE') {
    const rest = words
      .slice(1)
      .filter((w) => !['OR', 'REPLACE', 'TEMP', 'TEMPORARY', 'TRUSTED', 'CONSTRAINT'].includes(w));
    if (rest[0] && CODE_OBJECTS.has(rest[0])) {
      return `CREATE ${rest[0]} is not allowed: a plugin does not leave code or roles in the database`;
    }
  }
  return functionRefusal(tokens, values);
}

/** set_config is allowed for tunable settings, transaction-local; SQL-running built-ins never. */
function functionRefusal(tokens: Token[], values: readonly unknown[]): string | null {
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const name = token.kind === 'word' ? token.value : token.kind === 'ident' ? token.value : null;
    if (name === null) continue;
    if (SQL_RUNNING_FUNCTIONS.has(name))
      return `${name} is not allowed in plugin SQL: it runs SQL given as text`;
    if (name !== 'set_config') continue;
    const args = callArguments(tokens, i + 1);
    if (args?.length !== 3) return 'set_config is allowed only as set_config(<setting>, <value>, true)';
    const setting = constantOf(args[0]!, values);
    if (typeof setting !== 'string' || !TUNABLE_SETTING.test(setting.trim().toLowerCase())) {
      return `set_config(${typeof setting === 'string' ? setting : '…'}) is not allowed: a plugin may tune only planner, memory and timeout settings, named by a constant`;
    }
    const local = constantOf(args[2]!, values);
    if (local !== true && local !== 'true') {
      return 'set_config must be transaction-local in plugin SQL: pass true as its third argument';
    }
  }
  return null;
}

/** A literal, a bound parameter's value, or `true`/`false`, allowing a trailing `::type` cast. */
function constantOf(arg: Token[], values: readonly unknown[]): unknown {
  const bare = arg.length === 3 && arg[1]?.kind === 'punct' && arg[1].value === '::' ? [arg[0]!] : arg;
  if (bare.length !== 1) return undefined;
  const t = bare[0]!;
  if (t.kind === 'string') return t.value;
  if (t.kind === 'param') return values[t.index - 1];
  if (t.kind === 'word' && (t.value === 'true' || t.value === 'false')) return t.value === 'true';
  return undefined;
}

/** The arguments (token lists) of the call whose `(` is at `at`, or null when there is none. */
function callArguments(tokens: Token[], at: number): Token[][] | null {
  const open = tokens[at];
  if (open?.kind !== 'punct' || open.value !== '(') return null;
  const args: Token[][] = [[]];
  let depth = 0;
  for (let i = at + 1; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'punct' && (t.value === '(' || t.value === '[')) depth++;
    if (t.kind === 'punct' && (t.value === ')' || t.value === ']')) {
      if (depth === 0) return args;
      depth--;
    }
    if (depth === 0 && t.kind === 'punct' && t.value === ',') args.push([]);
    else args.at(-1)!.push(t);
  }
  return null;
}

/** PostgreSQL's lexical structure, enough to tell words, strings, parameters and comments apart. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (c === '/' && text[i + 1] === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (text[i] === '/' && text[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (text[i] === '*' && text[i + 1] === '/') {
          depth--;
          i += 2;
        } else i++;
      }
      if (depth > 0) throw new Error('an unterminated /* comment */ in plugin SQL');
    } else if (c === "'" || ((c === 'e' || c === 'E') && text[i + 1] === "'")) {
      const escapes = c !== "'";
      let j = i + (escapes ? 2 : 1);
      let value = '';
      for (;;) {
        if (j >= n) throw new Error('an unterminated string in plugin SQL');
        const d = text[j]!;
        if (escapes && d === '\\') {
          value += text[j + 1] ?? '';
          j += 2;
        } else if (d === "'" && text[j + 1] === "'") {
          value += "'";
          j += 2;
        } else if (d === "'") {
          j++;
          break;
        } else {
          value += d;
          j++;
        }
      }
      tokens.push({ kind: 'string', value });
      i = j;
    } else if (c === '"') {
      let j = i + 1;
      let value = '';
      for (;;) {
        if (j >= n) throw new Error('an unterminated quoted name in plugin SQL');
        if (text[j] === '"' && text[j + 1] === '"') {
          value += '"';
          j += 2;
        } else if (text[j] === '"') {
          j++;
          break;
        } else value += text[j++];
      }
      tokens.push({ kind: 'ident', value });
      i = j;
    } else if (c === '$') {
      const param = /^\$(\d+)/.exec(text.slice(i));
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i));
      if (param) {
        tokens.push({ kind: 'param', index: Number(param[1]) });
        i += param[0].length;
      } else if (tag) {
        const end = text.indexOf(tag[0], i + tag[0].length);
        if (end < 0) throw new Error('an unterminated $$ string in plugin SQL');
        tokens.push({ kind: 'string', value: text.slice(i + tag[0].length, end) });
        i = end + tag[0].length;
      } else {
        tokens.push({ kind: 'punct', value: c });
        i++;
      }
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      const word = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/.exec(text.slice(i))![0];
      tokens.push({ kind: 'word', value: word.toLowerCase() });
      i += word.length;
    } else if (c === ':' && text[i + 1] === ':') {
      tokens.push({ kind: 'punct', value: '::' });
      i += 2;
    } else {
      tokens.push({ kind: 'punct', value: c });
      i++;
    }
  }
  return tokens;
}
