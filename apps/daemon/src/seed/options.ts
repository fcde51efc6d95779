import { InputError } from '../errors.ts';

export interface SeedOptions {
  /** Customer tenants `tenant-1` … `tenant-T` (the platform tenant comes in addition). */
  tenants: number;
  /** Findings spread over the customer tenants (the platform tenant's few come in addition). */
  findings: number;
  /** Fraction of findings whose lifecycle fields are wrong or missing. */
  drift: number;
  /** Same seed, same options, fresh database → identical rows, ids included. */
  seed: number;
}

/** The defaults of `ops-daemon seed` (interfaces.md). */
export const DEFAULT_SEED_OPTIONS: Readonly<SeedOptions> = Object.freeze({
  tenants: 50,
  findings: 20_000,
  drift: 0.3,
  seed: 1,
});

/**
 * A seed option breaks its rule. It is an InputError, so the CLI and the API report it with the
 * field name and exit code 2 without any mapping of their own.
 */
export class SeedOptionError extends InputError {}

interface Rule {
  integer: boolean;
  min: number;
  max: number;
  describe: string;
}

const RULES: Record<keyof SeedOptions, Rule> = {
  tenants: { integer: true, min: 1, max: 100_000, describe: 'an integer from 1 to 100000' },
  findings: { integer: true, min: 0, max: 10_000_000, describe: 'an integer from 0 to 10000000' },
  drift: { integer: false, min: 0, max: 1, describe: 'a number from 0 to 1' },
  seed: {
    integer: true,
    min: Number.MIN_SAFE_INTEGER,
    max: Number.MAX_SAFE_INTEGER,
    describe: 'an integer',
  },
};

// Command-line values arrive as strings; only plain decimal notation is taken, so "1e3", "0x10"
// or "" are refused rather than silently reinterpreted by Number().
const INTEGER_TEXT = /^[-+]?\d+$/;
const DECIMAL_TEXT = /^[-+]?(\d+\.?\d*|\.\d+)$/;

function parseValue(field: keyof SeedOptions, raw: unknown): number {
  const rule = RULES[field];
  let value: number;
  if (typeof raw === 'number') {
    value = raw;
  } else if (typeof raw === 'string' && (rule.integer ? INTEGER_TEXT : DECIMAL_TEXT).test(raw.trim())) {
    value = Number(raw.trim());
  } else {
    throw new SeedOptionError(field, `${field} must be ${rule.describe} (got ${JSON.stringify(raw)})`);
  }
  const fits =
    Number.isFinite(value) &&
    (!rule.integer || Number.isSafeInteger(value)) &&
    value >= rule.min &&
    value <= rule.max;
  if (!fits) throw new SeedOptionError(field, `${field} must be ${rule.describe} (got ${String(raw)})`);
  return value;
}

/**
 * Checks raw options (numbers, or strings from a command line); a missing field takes its default.
 * Throws SeedOptionError naming the first field that breaks its rule.
 */
export function validateSeedOptions(raw: unknown): SeedOptions {
  if (raw === undefined || raw === null) return { ...DEFAULT_SEED_OPTIONS };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new SeedOptionError('options', 'seed options must be an object');
  }
  const given = raw as Partial<Record<keyof SeedOptions, unknown>>;
  const pick = (field: keyof SeedOptions): number =>
    given[field] === undefined ? DEFAULT_SEED_OPTIONS[field] : parseValue(field, given[field]);
  return { tenants: pick('tenants'), findings: pick('findings'), drift: pick('drift'), seed: pick('seed') };
}
