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
 * derived from the plugin's zod object. The plugin's schema may hold functions (refinements,
 * transforms), which cannot leave its worker; this copy keeps what the form and the CLI need
 * (kinds, bounds, options, defaults, patterns) and validates input before anything is recorded.
 * The worker validates once more with the plugin's own schema before each call.
 */
export function parameterSchemaFromJson(json: Record<string, unknown>): ParameterSchema {
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
  return z.object(shape);
}
