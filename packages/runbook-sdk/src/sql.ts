/**
 * SQL with its values bound as parameters, never spliced into the text: what `ctx.db.query`
 * accepts besides `(text, params)`.
 *
 *   sql`SELECT id FROM findings WHERE tenant_id = ${tenantId} AND severity = ANY(${levels})`
 *   → { text: 'SELECT id FROM findings WHERE tenant_id = $1 AND severity = ANY($2)', values: [tenantId, levels] }
 *
 * Fragments nest: a `sql` value interpolated into another is embedded with its own values
 * renumbered, so a WHERE clause can be built in a helper and reused. An array is one parameter
 * (a PostgreSQL array): write `= ANY(${ids}::bigint[])`, not `IN (${ids})`.
 */
export interface SqlQuery {
  readonly text: string;
  readonly values: readonly unknown[];
}

const FRAGMENT = Symbol('ops.sql.fragment');

/** A piece of SQL: literal text parts and the values between them (bound, or nested fragments). */
export class SqlFragment implements SqlQuery {
  readonly [FRAGMENT] = true;
  readonly #parts: readonly string[];
  readonly #inserts: readonly unknown[];

  /** @internal Use the `sql` tag, `sql.join`, `sql.identifier` or `sql.unsafeRaw`. */
  constructor(parts: readonly string[], inserts: readonly unknown[]) {
    if (parts.length !== inserts.length + 1) throw new TypeError('sql: malformed fragment');
    this.#parts = parts;
    this.#inserts = inserts;
  }

  /** The text with `$1…$n` placeholders, numbered across nested fragments. */
  get text(): string {
    return this.toQuery().text;
  }

  /** The bound values, in placeholder order. */
  get values(): unknown[] {
    return this.toQuery().values;
  }

  /** Text and values, rendered once. */
  toQuery(): { text: string; values: unknown[] } {
    const values: unknown[] = [];
    const text = this.#renderInto(values);
    return { text, values };
  }

  #renderInto(values: unknown[]): string {
    let text = this.#parts[0]!;
    this.#inserts.forEach((insert, i) => {
      if (insert instanceof SqlFragment) {
        text += insert.#renderInto(values);
      } else {
        values.push(insert);
        text += `$${values.length}`;
      }
      text += this.#parts[i + 1]!;
    });
    return text;
  }

  toString(): string {
    return this.text;
  }
}

/** Quotes one identifier part the way PostgreSQL does (`"a""b"`). */
function quoteIdentifier(part: string): string {
  if (part.length === 0 || part.includes('\0'))
    throw new TypeError('sql.identifier: an empty name or a NUL byte');
  return `"${part.replaceAll('"', '""')}"`;
}

export interface SqlTag {
  /** Binds every interpolated value as a parameter; nested `sql` fragments are embedded. */
  (strings: TemplateStringsArray, ...values: unknown[]): SqlFragment;
  /** Joins fragments (or values, each bound) with a separator, `, ` by default. */
  join(items: readonly unknown[], separator?: SqlFragment): SqlFragment;
  /** A quoted identifier, `sql.identifier('public', 'findings')` → `"public"."findings"`. */
  identifier(...parts: string[]): SqlFragment;
  /**
   * Trusted SQL text, embedded as is: ONLY constants written in your plugin's source, never a
   * parameter, a request value or data read from the database. That is how injection happens.
   */
  unsafeRaw(text: string): SqlFragment;
}

export const sql: SqlTag = Object.assign(
  (strings: TemplateStringsArray, ...values: unknown[]) => new SqlFragment([...strings], values),
  {
    join(items: readonly unknown[], separator: SqlFragment = new SqlFragment([', '], [])): SqlFragment {
      if (items.length === 0) return new SqlFragment([''], []);
      const parts: string[] = [''];
      const inserts: unknown[] = [];
      items.forEach((item, i) => {
        if (i > 0) {
          inserts.push(separator);
          parts.push('');
        }
        inserts.push(item);
        parts.push('');
      });
      return new SqlFragment(parts, inserts);
    },
    identifier(...parts: string[]): SqlFragment {
      if (parts.length === 0) throw new TypeError('sql.identifier: give at least one name');
      return new SqlFragment([parts.map(quoteIdentifier).join('.')], []);
    },
    unsafeRaw(text: string): SqlFragment {
      return new SqlFragment([text], []);
    },
  },
);

/** Whether `value` is a query object (`sql` fragment or `{ text, values }`), not a text. */
export function isSqlQuery(value: unknown): value is SqlQuery {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as SqlQuery).text === 'string' &&
    Array.isArray((value as SqlQuery).values)
  );
}

/**
 * The text and values of either form `SqlExecutor.query` accepts, for hosts and test doubles that
 * implement it. Throws TypeError for anything else, or for a query object given extra params.
 */
export function queryOf(
  query: string | SqlQuery,
  params?: readonly unknown[],
): { text: string; values: unknown[] } {
  if (typeof query === 'string') return { text: query, values: [...(params ?? [])] };
  if (isSqlQuery(query)) {
    if (params !== undefined && params.length > 0) {
      throw new TypeError('query: a sql`…` query carries its own values; pass no params with it');
    }
    if (query instanceof SqlFragment) return query.toQuery();
    return { text: query.text, values: [...query.values] };
  }
  throw new TypeError('query: pass SQL text with params, or a sql`…` query');
}
