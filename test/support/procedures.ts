import { appRouter } from '../../apps/daemon/src/api/index.ts';
import { idSchema } from '../../apps/daemon/src/api/routers/schemas.ts';

// Every tRPC procedure and the fields of its input, read from the router itself, so tests over
// "every procedure" or "every id" never go stale when one is added.

export type ProcedureKind = 'query' | 'mutation' | 'subscription';

/** One leaf of an input: where it is (object keys, 0 for an array element) and what it is. */
export interface InputField {
  path: (string | number)[];
  kind: 'id' | 'string' | 'number' | 'boolean' | 'enum' | 'literal' | 'unknown';
  /** The values of an enum or literal; the schema otherwise. */
  values?: readonly unknown[];
  optional: boolean;
}

export interface ProcedureInfo {
  path: string;
  kind: ProcedureKind;
  /** The zod input schema, or null for a procedure without input. */
  input: ZodLike | null;
  fields: InputField[];
}

/** The part of a zod 4 schema these helpers read. */
export interface ZodLike {
  _zod: { def: Record<string, unknown> & { type: string } };
}

interface ProcedureDef {
  _def: { type: ProcedureKind; inputs: ZodLike[] };
}

export function listProcedures(): ProcedureInfo[] {
  const procedures = appRouter._def.procedures as unknown as Record<string, ProcedureDef>;
  return Object.entries(procedures).map(([path, procedure]) => {
    const input = procedure._def.inputs[0] ?? null;
    return { path, kind: procedure._def.type, input, fields: input ? fieldsOf(input) : [] };
  });
}

/** The leaves of a schema; the options of a union are all walked (each field once per path). */
export function fieldsOf(schema: ZodLike, path: (string | number)[] = [], optional = false): InputField[] {
  if (schema === (idSchema as unknown)) return [{ path, kind: 'id', optional }];
  const def = schema._zod.def;
  const inner = (key: string) => def[key] as ZodLike;
  switch (def.type) {
    case 'object':
      return Object.entries(def.shape as Record<string, ZodLike>).flatMap(([key, value]) =>
        fieldsOf(value, [...path, key], false),
      );
    case 'optional':
    case 'default':
    case 'nullable':
      return fieldsOf(inner('innerType'), path, true);
    case 'pipe':
      return fieldsOf(inner('in'), path, optional);
    case 'union': {
      const seen = new Set<string>();
      return (def.options as ZodLike[])
        .flatMap((option) => fieldsOf(option, path, optional))
        .filter((f) => {
          const key = `${f.path.join('.')}:${f.kind}`;
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        });
    }
    case 'array':
      return fieldsOf(inner('element'), [...path, 0], optional);
    case 'record':
      return [{ path: [...path, 'note'], kind: 'unknown', optional: true }];
    case 'enum':
      return [{ path, kind: 'enum', values: Object.values(def.entries as object), optional }];
    case 'literal':
      return [{ path, kind: 'literal', values: def.values as unknown[], optional }];
    case 'string':
    case 'number':
    case 'boolean':
      return [{ path, kind: def.type, optional }];
    default:
      return [{ path, kind: 'unknown', optional }];
  }
}

/** An input with `value` at `path` and nothing else (objects and arrays made along the way). */
export function inputWith(path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  return typeof head === 'number' ? [inputWith(rest, value)] : { [head!]: inputWith(rest, value) };
}
