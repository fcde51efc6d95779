/**
 * Collects positional parameters while a statement is composed, so fragments built by separate
 * functions number their `$n` placeholders consistently. Every placeholder carries an explicit cast
 * because ids travel as strings (bigint may exceed 2^53) and untyped parameters invite guessing.
 */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown, cast: 'bigint' | 'bigint[]' | 'integer' | 'float8' | 'text'): string {
    this.values.push(value);
    return `$${this.values.length}::${cast}`;
  }
}
