import { z } from 'zod';
import type {
  ChangeSampleOptions,
  ChangeSampleRow,
  PreflightContext,
  PreflightEstimate,
  PreflightResult,
  RunContext,
  RunResult,
} from './context.ts';
import { type CsvInputSpec, csvInputProblems } from './csv/csv-input.ts';
import { type HookContext, LIFECYCLE_HOOKS, type RunCompletion, type RunError } from './hooks.ts';
import type { LockRequest } from './locks.ts';
import { describeParameters, type ParameterSchema } from './parameters.ts';
import { type ResolvedScope, SCOPE_KINDS, type ScopeKind } from './scope.ts';
import { CORE_SUMMARY_KEYS, isValidSummaryKeyName } from './summary-keys.ts';
import { sdkRangeAccepts, sdkRangeProblem } from './version.ts';

export interface RunbookDefinition {
  /** Dotted lower-case id, e.g. `findings.lifecycle.backfill`. It is also the run record's type. */
  id: string;
  version: string;
  title: string;
  description: string;
  /** The SDK range this plugin was built for, e.g. `^1.0.0`. Checked when the daemon loads it. */
  sdk: string;
  /** The capability an operator needs beyond `platform.runbooks.run`. */
  capability: string;
  scopes: readonly ScopeKind[];
  /** The phrase an operator types to confirm an all-tenants run. */
  confirmationPhrase: string;
  /** Summary keys beyond the core allow-list that this runbook may report. */
  summaryKeys?: readonly string[];
  preflight(ctx: PreflightContext, scope: ResolvedScope): Promise<PreflightResult>;
  run(ctx: RunContext, scope: ResolvedScope): Promise<RunResult>;
  /**
   * Optional (SDK 2.0): called once a run succeeded or partly succeeded, after its record and
   * locks, outside any transaction, within OPS_HOOK_TIMEOUT_MS; audited, never changes the outcome.
   */
  afterComplete?(ctx: HookContext, result: RunCompletion): Promise<void>;
  /** Optional (SDK 2.0): called once a run failed, like `afterComplete`. */
  afterError?(ctx: HookContext, error: RunError): Promise<void>;
  /**
   * Optional (SDK 1.1): a sampled estimate of the preflight's affected count with its error bound,
   * fast enough to show while the exact count is still running. Read-only.
   */
  estimate?(ctx: PreflightContext, scope: ResolvedScope): Promise<PreflightEstimate>;
  /**
   * Optional (SDK 1.1): whether at least one row is affected. Read-only. A run started without an
   * operator's count (`exec`, schedules) is refused as "nothing to do" on this answer instead of a
   * full count; without it the daemon runs `preflight`.
   */
  hasAffected?(ctx: PreflightContext, scope: ResolvedScope): Promise<boolean>;
  /**
   * Optional (issue 14, "rehearse with a diff"): a sample of the rows a run would change, each
   * changed field with its value before → after, at most `options.limit` rows (keys; each gives
   * one entry per changed field). Read-only, like `preflight`, and quick (well under a second on a
   * big table): spread over tenants and the same for the same data (no random order). Compute the
   * "after" from the same derivation the run applies, so the diff cannot disagree with the run.
   */
  sampleChanges?(
    ctx: PreflightContext,
    scope: ResolvedScope,
    options: ChangeSampleOptions,
  ): Promise<ChangeSampleRow[]>;
  /**
   * Typed parameters (a zod object of text, number, boolean, enum or date fields). The daemon
   * validates values from the API and the CLI against it, stores them on the run, and passes them
   * as `ctx.params`; the console renders a form from it.
   */
  parameters?: ParameterSchema;
  /**
   * A CSV file the operator uploads with each run (`csvInput({ columns: {...} })`): validated by the
   * SDK before anything is stored, kept with the run, and passed as `ctx.input`.
   */
  input?: CsvInputSpec;
  /**
   * What this runbook writes, e.g. `table:findings`. Runs of different runbooks that write the
   * same resource on overlapping scopes exclude each other, like runs of one runbook.
   */
  resources?: readonly string[];
  /** Overrides the default lock hierarchy (see `defaultLockRequests`). */
  lockRequests?(scope: ResolvedScope): LockRequest[];
  /**
   * Optional (issue 14): the runbook's runs can be reverted. `writes` names, for each table it
   * declares in `resources`, the columns its chunks change, e.g.
   * `{ writes: { 'table:findings': ['status', 'updated_at'] } }`. The daemon then journals the
   * before-image of every row a chunk changes, in the chunk's own transaction, and an operator
   * with `platform.runbooks.revert` may revert a run: each row whose columns still hold what the
   * run wrote gets its before-image back. A reversible runbook may only UPDATE its declared tables
   * in its chunks (`runChunked`), and only the columns it lists: anything else fails the chunk.
   */
  reversible?: ReversibleWrites;
}

/** What a reversible runbook writes: declared table resource → the columns its chunks change. */
export interface ReversibleWrites {
  writes: Readonly<Record<string, readonly string[]>>;
}

/** A definition that breaks the contract; `problems` lists every rule it breaks. */
export class RunbookDefinitionError extends Error {
  constructor(
    readonly runbookId: string,
    readonly problems: string[],
  ) {
    super(`runbook ${runbookId || '(no id)'} is invalid: ${problems.join('; ')}`);
    this.name = 'RunbookDefinitionError';
  }
}

const RUNBOOK_ID = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
const CAPABILITY = /^platform\.runbooks\.[a-z0-9_.]+$/;
const RESOURCE = /^[a-z]+:[a-z0-9_.]+$/;

/** Every way a definition breaks the contract; empty when it is valid. */
/**
 * A zod object schema, from this SDK's zod or the plugin's own copy (an outside plugin installs
 * its own zod, whose classes are not this one's: `instanceof` would refuse every schema it makes).
 */
function isZodObject(value: unknown): value is z.ZodObject {
  if (value instanceof z.ZodObject) return true;
  const zod = (value as { _zod?: { def?: { type?: unknown } } } | null)?._zod;
  return zod?.def?.type === 'object' && typeof (value as { strict?: unknown }).strict === 'function';
}

export function definitionProblems(def: Partial<RunbookDefinition>): string[] {
  const problems: string[] = [];
  const text = (field: keyof RunbookDefinition) => {
    if (typeof def[field] !== 'string' || (def[field] as string).trim() === '')
      problems.push(`${field} is required`);
  };
  if (typeof def.id !== 'string' || !RUNBOOK_ID.test(def.id)) {
    problems.push(
      `id must be dotted lower-case words like "findings.lifecycle.backfill" (got ${JSON.stringify(def.id)})`,
    );
  }
  text('version');
  text('title');
  text('description');
  text('confirmationPhrase');
  if (typeof def.sdk !== 'string' || !sdkRangeAccepts(def.sdk)) {
    problems.push(sdkRangeProblem(def.sdk));
  }
  if (typeof def.capability !== 'string' || !CAPABILITY.test(def.capability)) {
    problems.push(`capability must start with "platform.runbooks." (got ${JSON.stringify(def.capability)})`);
  }
  if (!Array.isArray(def.scopes) || def.scopes.length === 0) {
    problems.push('scopes must list at least one of all, tenant');
  } else {
    for (const s of def.scopes)
      if (!SCOPE_KINDS.includes(s)) problems.push(`unknown scope ${JSON.stringify(s)}`);
  }
  for (const hook of LIFECYCLE_HOOKS) {
    if (def[hook] !== undefined && typeof def[hook] !== 'function') {
      problems.push(`${hook} must be a function (a lifecycle hook), got ${typeof def[hook]}`);
    }
  }
  for (const key of def.summaryKeys ?? []) {
    if (!isValidSummaryKeyName(key)) problems.push(`summary key ${JSON.stringify(key)} must be snake_case`);
    else if ((CORE_SUMMARY_KEYS as readonly string[]).includes(key)) {
      problems.push(`summary key ${key} is already a core key; do not declare it`);
    }
  }
  for (const resource of def.resources ?? []) {
    if (typeof resource !== 'string' || !RESOURCE.test(resource)) {
      problems.push(`resource ${JSON.stringify(resource)} must look like "table:findings"`);
    }
  }
  if (def.parameters !== undefined) {
    if (!isZodObject(def.parameters)) {
      problems.push('parameters must be a zod object schema (z.object({...}))');
    } else {
      try {
        describeParameters(def.parameters);
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
  }
  if (def.input !== undefined) problems.push(...csvInputProblems(def.input));
  if (typeof def.preflight !== 'function') problems.push('preflight must be a function');
  if (typeof def.run !== 'function') problems.push('run must be a function');
  problems.push(...reversibleProblems(def));
  for (const optional of ['estimate', 'hasAffected', 'sampleChanges'] as const) {
    if (def[optional] !== undefined && typeof def[optional] !== 'function') {
      problems.push(`${optional} must be a function when given`);
    }
  }
  return problems;
}

const COLUMN = /^[a-z_][a-z0-9_]*$/;

/** `reversible` must name declared tables and plain column names. */
function reversibleProblems(def: Partial<RunbookDefinition>): string[] {
  if (def.reversible === undefined) return [];
  const writes = def.reversible?.writes;
  if (typeof writes !== 'object' || writes === null || Object.keys(writes).length === 0) {
    return ['reversible.writes must name at least one declared table and its columns'];
  }
  const problems: string[] = [];
  for (const [table, columns] of Object.entries(writes)) {
    if (!table.startsWith('table:') || !(def.resources ?? []).includes(table)) {
      problems.push(`reversible.writes names ${JSON.stringify(table)}, which is not a table:… in resources`);
    }
    if (!Array.isArray(columns) || columns.length === 0) {
      problems.push(`reversible.writes[${JSON.stringify(table)}] must list the columns the runbook changes`);
      continue;
    }
    for (const column of columns) {
      if (typeof column !== 'string' || !COLUMN.test(column))
        problems.push(
          `reversible.writes[${JSON.stringify(table)}] has an invalid column ${JSON.stringify(column)}`,
        );
    }
  }
  return problems;
}

/**
 * Declares a runbook. Throws RunbookDefinitionError listing every broken rule, so a plugin author
 * sees all problems at once.
 */
export function defineRunbook(def: RunbookDefinition): Readonly<RunbookDefinition> {
  const problems = definitionProblems(def);
  if (problems.length > 0) throw new RunbookDefinitionError(def.id, problems);
  return Object.freeze({
    ...def,
    scopes: [...def.scopes],
    summaryKeys: [...(def.summaryKeys ?? [])],
    resources: [...(def.resources ?? [])],
  });
}
