import { createHash } from 'node:crypto';
import {
  CsvInputError,
  type CsvInputRows,
  type CsvInputSpec,
  checkCsvSize,
  parseCsvInput,
  type RunbookDefinition,
} from '@ops/runbook-sdk';
import type pg from 'pg';
import { InputError } from '../errors.ts';

/** A file as a caller hands it over: the API's JSON body, or the CLI's `--input` file read as text. */
export interface RawRunInput {
  fileName: string;
  text: string;
}

/** What a run record shows of its file (`context.input`, the audit event, `runs show --json`). */
export interface RunInputSummary {
  file_name: string;
  sha256: string;
  row_count: number;
  byte_count: number;
}

const FILE_NAME_MAX = 255;

/** The columns a runbook's input takes, for messages ("finding_id (integer), note (text, optional)"). */
export function describeInputColumns(spec: CsvInputSpec): string {
  return Object.entries(spec.columns)
    .map(([name, c]) => `${name} (${c.type}${c.optional ? ', optional' : ''})`)
    .join(', ');
}

/**
 * Checks a run's file against its runbook's declared input before anything is stored: whether the
 * runbook takes one at all, the size (before parsing), then every row (the SDK's parser, the one
 * home of the rules). Returns null for a runbook without input. Throws InputError: field `input`
 * (missing, not wanted, or a CSV refusal naming line and column), `input.text` (too large) or
 * `input.fileName`.
 */
export function prepareRunInput(
  def: RunbookDefinition,
  raw: RawRunInput | null | undefined,
): CsvInputRows | null {
  const spec = def.input;
  if (!spec) {
    if (raw) throw new InputError('input', `runbook ${def.id} takes no input file`);
    return null;
  }
  if (!raw) {
    throw new InputError(
      'input',
      `runbook ${def.id} needs a CSV file (--input file.csv) with the columns ${describeInputColumns(spec)}`,
    );
  }
  const fileName = raw.fileName.trim();
  if (fileName === '' || fileName.length > FILE_NAME_MAX) {
    throw new InputError('input.fileName', `input.fileName must be 1 to ${FILE_NAME_MAX} characters`);
  }
  const bytes = Buffer.from(raw.text, 'utf8');
  try {
    checkCsvSize(spec, bytes.length);
  } catch (error) {
    if (error instanceof CsvInputError)
      throw new InputError('input.text', `input file ${fileName}: ${error.message}`);
    throw error;
  }
  try {
    const parsed = parseCsvInput(spec, raw.text);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    return { ...parsed, fileName, sha256, rowCount: parsed.rows.length };
  } catch (error) {
    if (error instanceof CsvInputError)
      throw new InputError('input', `input file ${fileName}: ${error.message}`);
    throw error;
  }
}

export function inputSummaryOf(input: CsvInputRows): RunInputSummary {
  return {
    file_name: input.fileName,
    sha256: input.sha256,
    row_count: input.rowCount,
    byte_count: input.byteCount,
  };
}

type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

/**
 * Stores a run's file; the run repository calls it in the transaction that creates the run, so
 * neither exists alone.
 */
export async function storeRunInput(
  exec: (sql: string, bind: unknown[]) => Promise<unknown>,
  runId: string,
  input: CsvInputRows,
): Promise<void> {
  await exec(
    `INSERT INTO ops.run_inputs (run_id, file_name, sha256, row_count, byte_count, columns, rows)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb)`,
    [
      runId,
      input.fileName,
      input.sha256,
      input.rowCount,
      input.byteCount,
      JSON.stringify(input.columns),
      JSON.stringify(input.rows),
    ],
  );
}

/** A run's stored file, or null when its runbook takes none. Read by the owner, a resume and helpers. */
export async function loadRunInput(
  db: Queryable,
  def: Pick<RunbookDefinition, 'input'>,
  runId: string,
): Promise<CsvInputRows | null> {
  if (!def.input) return null;
  const { rows } = await db.query<{
    file_name: string;
    sha256: string;
    row_count: number;
    byte_count: number;
    columns: string[];
    rows: CsvInputRows['rows'];
  }>('SELECT file_name, sha256, row_count, byte_count, columns, rows FROM ops.run_inputs WHERE run_id = $1', [
    runId,
  ]);
  const row = rows[0];
  if (!row) throw new Error(`run ${runId} has no stored input file, though its runbook takes one`);
  return {
    fileName: row.file_name,
    sha256: row.sha256,
    rowCount: row.row_count,
    byteCount: row.byte_count,
    columns: row.columns,
    rows: row.rows,
  };
}
