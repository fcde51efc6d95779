import { z } from 'zod';

/** The kinds of parameter the console can render as a form field and the CLI can parse. */
export const PARAMETER_KINDS = ['text', 'number', 'integer', 'boolean', 'enum', 'date'] as const;
export type ParameterKind = (typeof PARAMETER_KINDS)[number];

/** One parameter as callers see it: enough to render a form field or parse `--param name=value`. */
export interface ParameterDescription {
  name: string;
  kind: ParameterKind;
  required: boolean;
  description: string | null;
  default: unknown;
  options: string[] | null;
  minimum: number | null;
  maximum: number | null;
}

/** A parameter value that breaks its schema: names the parameter. */
export class ParameterError extends Error {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
    this.name = 'ParameterError';
  }
}

export type ParameterSchema = z.ZodObject;

interface JsonSchemaProperty {
  type?: string;
  format?: string;
  enum?: unknown[];
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
}

function kindOf(p: JsonSchemaProperty): ParameterKind | null {
  if (Array.isArray(p.enum) && p.enum.every((v) => typeof v === 'string')) return 'enum';
  if (p.type === 'string') return p.format === 'date' ? 'date' : 'text';
  if (p.type === 'integer' || p.type === 'number' || p.type === 'boolean') return p.type;
  return null;
}

const SAFE_BOUND = 2 ** 53 - 1;
const bound = (n: number | undefined) => (n === undefined || Math.abs(n) >= SAFE_BOUND ? null : n);

/**
 * Describes a runbook's parameters from its zod schema. Throws ParameterError for a parameter of
 * a kind no form can render (objects, arrays, unions), so a plugin is refused at load, not in use.
 */
export function describeParameters(schema: ParameterSchema | undefined): ParameterDescription[] {
  if (!schema) return [];
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, JsonSchemaProperty>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, p]) => {
    const kind = kindOf(p);
    if (!kind) {
      throw new ParameterError(
        name,
        `parameter ${name} must be text, number, integer, boolean, enum or date`,
      );
    }
    return {
      name,
      kind,
      required: (json.required ?? []).includes(name) && p.default === undefined,
      description: p.description ?? null,
      default: p.default ?? null,
      options: kind === 'enum' ? (p.enum as string[]) : null,
      minimum: bound(p.minimum),
      maximum: bound(p.maximum),
    };
  });
}

/**
 * Validates parameter values (JSON from the API, or already-coerced CLI values) and returns them
 * with defaults applied. Throws ParameterError naming the first parameter that breaks its rule.
 */
export function parseParameters(
  schema: ParameterSchema | undefined,
  values: Record<string, unknown>,
): Record<string, unknown> {
  if (!schema) {
    const unknown = Object.keys(values)[0];
    if (unknown !== undefined)
      throw new ParameterError(unknown, `this runbook takes no parameters (got ${unknown})`);
    return {};
  }
  const result = schema.strict().safeParse(values);
  if (result.success) return result.data as Record<string, unknown>;
  const issue = result.error.issues[0]!;
  const name =
    issue.code === 'unrecognized_keys'
      ? String(issue.keys[0])
      : issue.path.map(String).join('.') || 'parameters';
  const message =
    issue.code === 'unrecognized_keys' ? `unknown parameter ${name}` : `parameter ${name}: ${issue.message}`;
  throw new ParameterError(name, message);
}

/** Turns `name=value` strings from a command line into typed values by the parameters' kinds. */
export function coerceParameterStrings(
  descriptions: readonly ParameterDescription[],
  pairs: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0)
      throw new ParameterError(pair, `--param must look like name=value (got ${JSON.stringify(pair)})`);
    const name = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    const d = descriptions.find((x) => x.name === name);
    if (!d) {
      out[name] = raw; // parseParameters names it as unknown
      continue;
    }
    if (d.kind === 'boolean') {
      if (raw !== 'true' && raw !== 'false')
        throw new ParameterError(
          name,
          `parameter ${name} must be true or false (got ${JSON.stringify(raw)})`,
        );
      out[name] = raw === 'true';
    } else if (d.kind === 'number' || d.kind === 'integer') {
      const n = Number(raw);
      if (raw.trim() === '' || Number.isNaN(n))
        throw new ParameterError(name, `parameter ${name} must be a number (got ${JSON.stringify(raw)})`);
      out[name] = n;
    } else {
      out[name] = raw;
    }
  }
  return out;
}
