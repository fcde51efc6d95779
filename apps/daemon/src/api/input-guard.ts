import { InputError } from '../errors.ts';

/**
 * Where the first NUL character (U+0000) sits in a JSON input, as a field path ("params.note",
 * "ids.2"), or null when there is none. PostgreSQL stores no NUL in text or jsonb (the statement
 * fails with an encoding error), so no string of any input may carry one; keys are checked too.
 * Iterative, so a deeply nested hostile input cannot overflow the stack.
 */
export function nulBytePath(input: unknown): string | null {
  const pending: { value: unknown; path: string }[] = [{ value: input, path: '' }];
  while (pending.length > 0) {
    const { value, path } = pending.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return path || 'input';
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      const badKey = entries.find(([key]) => key.includes('\u0000'));
      if (badKey) return join(path, badKey[0].replaceAll('\u0000', '\\u0000'));
      // Pushed in reverse, so the first offending field in input order is the one named.
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, inner] = entries[i]!;
        pending.push({ value: inner, path: join(path, key) });
      }
    }
  }
  return null;
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

/** Throws InputError naming the field when any string of `input` holds a NUL character. */
export function refuseNulBytes(input: unknown): void {
  const field = nulBytePath(input);
  if (field !== null) throw new InputError(field, `${field}: must not contain NUL characters (\\u0000)`);
}
