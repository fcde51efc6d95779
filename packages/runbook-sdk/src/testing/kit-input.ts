import { createHash } from 'node:crypto';
import {
  CsvInputError,
  type CsvInputRows,
  type CsvInputSpec,
  checkCsvSize,
  parseCsvInput,
  utf8ByteLength,
} from '../csv/csv-input.ts';
import type { RunbookDefinition } from '../define.ts';

/**
 * A CSV-input runbook's file in the kit: the file's text (as an operator uploads it), the text with
 * a file name, or rows (`[{ finding_id: 17, note: 'dup' }]`, written out as a CSV text with the
 * declared columns first). Whichever, it goes through `parseCsvInput`, the parser the daemon uses,
 * so a file the daemon refuses fails in the kit with the same line and column (with rows, data row
 * i is line i + 1: line 1 is the header).
 */
export type KitInput = string | { fileName?: string; text: string } | readonly Record<string, unknown>[];

/** The file name the kit gives a file passed without one. */
export const KIT_INPUT_FILE_NAME = 'kit-input.csv';

/** A file the daemon would refuse (or a runbook that needs one and got none), in the daemon's words. */
export class KitInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KitInputError';
  }
}

const quoted = (cell: unknown): string => {
  if (cell === null || cell === undefined) return '';
  const text = typeof cell === 'string' ? cell : String(cell);
  return `"${text.replaceAll('"', '""')}"`;
};

/** Rows as the CSV text an operator would upload: the declared columns, then any other key (refused). */
export function csvTextOfRows(spec: CsvInputSpec, rows: readonly Record<string, unknown>[]): string {
  const columns = [...Object.keys(spec.columns)];
  for (const row of rows) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  const lines = [columns.join(','), ...rows.map((row) => columns.map((c) => quoted(row[c])).join(','))];
  return `${lines.join('\n')}\n`;
}

/**
 * The file as the daemon hands it to the plugin (`ctx.input`), checked as the daemon checks a run's
 * file before storing it (apps/daemon/src/runs/run-input.ts): whether the runbook takes one, the
 * size, then every row through `parseCsvInput`. Null for a runbook without input and no file.
 * Throws KitInputError with the daemon's message (`input file x.csv: line 3, column finding_id: …`).
 */
export function kitInputOf(def: RunbookDefinition, input: KitInput | null | undefined): CsvInputRows | null {
  const spec = def.input;
  if (!spec) {
    if (input != null) throw new KitInputError(`runbook ${def.id} takes no input file`);
    return null;
  }
  if (input == null) {
    const columns = Object.entries(spec.columns)
      .map(([name, c]) => `${name} (${c.type}${c.optional ? ', optional' : ''})`)
      .join(', ');
    throw new KitInputError(
      `runbook ${def.id} needs a CSV file (--input file.csv) with the columns ${columns}: give the kit one with the input option`,
    );
  }
  const { fileName, text } =
    typeof input === 'string'
      ? { fileName: KIT_INPUT_FILE_NAME, text: input }
      : Array.isArray(input)
        ? { fileName: KIT_INPUT_FILE_NAME, text: csvTextOfRows(spec, input) }
        : {
            fileName: (input as { fileName?: string }).fileName ?? KIT_INPUT_FILE_NAME,
            text: (input as { text: string }).text,
          };
  try {
    checkCsvSize(spec, utf8ByteLength(text));
    const parsed = parseCsvInput(spec, text);
    const sha256 = createHash('sha256').update(text, 'utf8').digest('hex');
    return { ...parsed, fileName, sha256, rowCount: parsed.rows.length };
  } catch (error) {
    if (error instanceof CsvInputError) throw new KitInputError(`input file ${fileName}: ${error.message}`);
    throw error;
  }
}

/** `{ input }` when there is a file, else nothing: the daemon leaves `ctx.input` out then. */
export const inputField = (input: CsvInputRows | null): { input?: CsvInputRows } => (input ? { input } : {});
