import type { ParameterSchema } from '@ops/runbook-sdk';
import { z } from 'zod';

interface JsonProperty {
  format?: string;
  description?: string;
  default?: unknown;
  [key: string]: unknown;
}

/**
 * The daemon's copy of a plugin's parameter schema, rebuilt from the JSON schema the worker
 * derived from the plugin's zod object: the plugin's schema may hold functions (refinements,
 * transforms, messages), which cannot leave its worker. The copy describes the parameters (kinds,
 * bounds, options, defaults) for the form and the CLI. Validation is the plugin's own: the SDK's
 * parseParameters validates with `schema.strict().safeParse(values)`, so `strict()` of this copy
 * answers with `verdict`, the plugin's schema asked in its worker (synchronously, as zod is).
 * The worker validates once more with its own schema before each call.
 */
export function parameterSchemaFromJson(
  json: Record<string, unknown>,
  verdict: (values: unknown) => unknown,
): ParameterSchema {
  const properties = (json.properties ?? {}) as Record<string, JsonProperty>;
  const required = new Set((json.required as string[] | undefined) ?? []);
  const shape: Record<string, z.ZodType> = {};
  for (const [name, property] of Object.entries(properties)) {
    const { default: fallback, description, ...rule } = property;
    // A date's JSON form is a string with a pattern; z.iso.date() keeps it a date for describeParameters.
    let field: z.ZodType =
      rule.format === 'date'
        ? z.iso.date()
        : z.fromJSONSchema(rule as Parameters<typeof z.fromJSONSchema>[0]);
    if (description !== undefined) field = field.describe(description);
    if (fallback !== undefined) field = field.default(fallback as never);
    else if (!required.has(name)) field = field.optional();
    shape[name] = field;
  }
  const schema = z.object(shape);
  Object.defineProperty(schema, 'strict', {
    value: () => ({ safeParse: verdict }),
  });
  return schema;
}
