import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './exit-codes.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** util.parseArgs with strict checking, its errors turned into UsageError naming the argument. */
export function parse<O extends Options>(argv: string[], options: O, usage: string) {
  try {
    return parseArgs({
      args: argv,
      options: { ...options, json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify.*$/s, '');
    const flag = /'(--?[\w-]+)/.exec(message)?.[1] ?? 'arguments';
    throw new UsageError(flag, `${message}\nusage: ${usage}`);
  }
}

/** A positive integer option; UsageError naming `--name` otherwise. */
export function intOption(
  value: string | undefined,
  name: string,
  fallback: number,
  min = 1,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(
      `--${name}`,
      `--${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(value)})`,
    );
  }
  return Number(value);
}

export function requirePositional(positionals: string[], index: number, name: string, usage: string): string {
  const value = positionals[index];
  if (value === undefined) throw new UsageError(name, `missing ${name}\nusage: ${usage}`);
  return value;
}
