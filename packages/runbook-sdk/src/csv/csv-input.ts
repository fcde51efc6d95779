/**
 * A runbook's CSV input ("repair these 12,000 ids from the incident spreadsheet"): the declaration
 * a runbook makes (`csvInput`) and the one parser and validator of such files, used by the daemon
 * (API and CLI) and by the console's check before upload. No Node or browser API beyond
 * TextEncoder/TextDecoder, so the console can import it (`@ops/runbook-sdk/csv`).
 */

export const CSV_COLUMN_TYPES = ['integer', 'text', 'boolean'] as const;
export type CsvColumnType = (typeof CSV_COLUMN_TYPES)[number];

export interface CsvColumnSpec {
  type: CsvColumnType;
  /** An optional column may be left out of the header, and its cells may be empty (null). */
  optional?: boolean;
}

/** A declared CSV input: plain data, so it crosses into the daemon and the console as it is. */
export interface CsvInputSpec {
  kind: 'csv';
  description: string;
  columns: Record<string, CsvColumnSpec>;
  /** Data rows (the header not counted). */
  maxRows: number;
  /** Bytes of the file as uploaded (UTF-8). Checked before anything is parsed. */
  maxBytes: number;
}

/** Limits a runbook gets unless it sets its own. */
export const CSV_INPUT_DEFAULTS = { maxRows: 50_000, maxBytes: 5 * 1024 * 1024 } as const;
/** The most any runbook may declare: the API refuses a larger body before reading it. */
export const CSV_INPUT_CEILINGS = { maxRows: 500_000, maxBytes: 20 * 1024 * 1024 } as const;
/** The longest text cell: a note, not a document. */
export const CSV_TEXT_MAX = 2_000;

const COLUMN_NAME = /^[a-z][a-z0-9_]{0,62}$/;

/**
 * Declares a runbook's CSV input, e.g.
 * `csvInput({ columns: { finding_id: 'integer', note: { type: 'text', optional: true } } })`.
 */
export function csvInput(options: {
  columns: Record<string, CsvColumnType | CsvColumnSpec>;
  description?: string;
  maxRows?: number;
  maxBytes?: number;
}): CsvInputSpec {
  const columns: Record<string, CsvColumnSpec> = {};
  for (const [name, spec] of Object.entries(options.columns)) {
    columns[name] = typeof spec === 'string' ? { type: spec } : { ...spec };
  }
  return {
    kind: 'csv',
    description: options.description ?? '',
    columns,
    maxRows: options.maxRows ?? CSV_INPUT_DEFAULTS.maxRows,
    maxBytes: options.maxBytes ?? CSV_INPUT_DEFAULTS.maxBytes,
  };
}

/** Every way a declared input breaks the contract; empty when it is valid (definitionProblems uses it). */
export function csvInputProblems(spec: unknown): string[] {
  const problems: string[] = [];
  const s = spec as Partial<CsvInputSpec> | null;
  if (!s || typeof s !== 'object' || s.kind !== 'csv') return ['input must be made with csvInput({...})'];
  const names = Object.keys(s.columns ?? {});
  if (names.length === 0) problems.push('input must declare at least one column');
  for (const name of names) {
    if (!COLUMN_NAME.test(name)) problems.push(`input column ${JSON.stringify(name)} must be snake_case`);
    const type = s.columns?.[name]?.type;
    if (!CSV_COLUMN_TYPES.includes(type as CsvColumnType)) {
      problems.push(`input column ${name}: type must be one of ${CSV_COLUMN_TYPES.join(', ')}`);
    }
  }
  const limit = (field: 'maxRows' | 'maxBytes') => {
    const value = s[field];
    if (
      !Number.isSafeInteger(value) ||
      (value as number) < 1 ||
      (value as number) > CSV_INPUT_CEILINGS[field]
    ) {
      problems.push(`input ${field} must be an integer from 1 to ${CSV_INPUT_CEILINGS[field]}`);
    }
  };
  limit('maxRows');
  limit('maxBytes');
  return problems;
}

export type CsvValue = string | number | boolean | null;
export type CsvRow = Record<string, CsvValue>;

/** A parsed, valid file. `rows[i]` is data row i + 1 (the row number chunks use). */
export interface ParsedCsv {
  columns: string[];
  rows: CsvRow[];
  byteCount: number;
}

/** A file with its identity, as a run keeps it and a plugin gets it (`ctx.input`). */
export interface CsvInputRows extends ParsedCsv {
  fileName: string;
  sha256: string;
  rowCount: number;
}

/** One thing wrong with a file: where (line of the file, 1 = the header; column) and the rule. */
export interface CsvProblem {
  line: number | null;
  column: string | null;
  message: string;
}

/** How many problems a refusal lists: enough to fix a file in one go, not a wall of text. */
const MAX_PROBLEMS = 20;

export function describeCsvProblem(p: CsvProblem): string {
  const where = [p.line === null ? null : `line ${p.line}`, p.column === null ? null : `column ${p.column}`]
    .filter(Boolean)
    .join(', ');
  return where ? `${where}: ${p.message}` : p.message;
}

/** A file that breaks its runbook's input rules; `problems` lists them (at most MAX_PROBLEMS). */
export class CsvInputError extends Error {
  constructor(
    readonly problems: CsvProblem[],
    readonly truncated = false,
  ) {
    super(problems.map(describeCsvProblem).join('; ') + (truncated ? '; … (more problems not listed)' : ''));
    this.name = 'CsvInputError';
  }
}

export function utf8ByteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}

const formatBytes = (n: number) =>
  n >= 1024 * 1024
    ? `${(n / 1024 / 1024).toFixed(1)} MB`
    : n >= 1024
      ? `${(n / 1024).toFixed(1)} KB`
      : `${n} bytes`;

/**
 * Refuses a file over the input's byte limit without reading it further. Throws CsvInputError.
 * Callers that hold bytes (CLI) pass them; text is measured as UTF-8.
 */
export function checkCsvSize(spec: CsvInputSpec, size: number): void {
  if (size > spec.maxBytes) {
    throw new CsvInputError([
      {
        line: null,
        column: null,
        message: `the file is ${formatBytes(size)}; this runbook takes at most ${formatBytes(spec.maxBytes)}`,
      },
    ]);
  }
}

/**
 * Decodes a file's bytes as UTF-8 (a byte order mark is allowed), after the size check.
 * Throws CsvInputError naming the rule.
 */
export function decodeCsvBytes(spec: CsvInputSpec, bytes: Uint8Array): string {
  checkCsvSize(spec, bytes.length);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new CsvInputError([{ line: null, column: null, message: 'the file is not UTF-8 text' }]);
  }
}

/** A record of the file: its fields and the line it starts on. */
interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * Splits RFC 4180 text into records: comma separated, fields quoted with `"` (a quote inside is
 * doubled), line ends LF or CRLF, inside quotes too. Blank lines are skipped. Throws CsvInputError.
 */
function* records(text: string): Generator<CsvRecord> {
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  // Scans by index and slices (no character-by-character concatenation): a 50,000-row file is
  // parsed in tens of milliseconds.
  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    let wasQuoted = false;
    for (;;) {
      let field: string;
      wasQuoted = text.charCodeAt(i) === QUOTE;
      if (wasQuoted) {
        field = '';
        let from = i + 1;
        for (;;) {
          const close = text.indexOf('"', from);
          if (close === -1) {
            throw new CsvInputError([
              { line: startLine, column: null, message: 'a quoted field is never closed' },
            ]);
          }
          const part = text.slice(from, close);
          line += countLineFeeds(part);
          field += part;
          if (text.charCodeAt(close + 1) === QUOTE) {
            field += '"';
            from = close + 2;
            continue;
          }
          i = close + 1;
          break;
        }
        const next = text.charCodeAt(i);
        if (i < n && next !== COMMA && next !== LF && next !== CR) {
          throw new CsvInputError([
            {
              line,
              column: null,
              message: 'a closing quote must end its field (a quote inside is written "")',
            },
          ]);
        }
      } else {
        let end = i;
        while (end < n) {
          const c = text.charCodeAt(end);
          if (c === COMMA || c === LF || c === CR) break;
          if (c === QUOTE) {
            throw new CsvInputError([
              { line, column: null, message: 'a quote inside an unquoted field (quote the whole field)' },
            ]);
          }
          end += 1;
        }
        field = text.slice(i, end);
        i = end;
      }
      fields.push(field);
      const c = text.charCodeAt(i);
      if (c === COMMA) {
        i += 1;
        continue;
      }
      if (c === CR) i += text.charCodeAt(i + 1) === LF ? 2 : 1;
      else if (c === LF) i += 1;
      if (i <= n) line += c === CR || c === LF ? 1 : 0;
      break;
    }
    if (fields.length === 1 && fields[0] === '' && !wasQuoted) continue; // a blank line
    yield { line: startLine, fields };
  }
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

function countLineFeeds(part: string): number {
  let count = 0;
  for (let at = part.indexOf('\n'); at !== -1; at = part.indexOf('\n', at + 1)) count += 1;
  return count;
}

const INTEGER = /^[+-]?\d{1,16}$/;
const BOOLEANS: Record<string, boolean> = {
  true: true,
  false: false,
  yes: true,
  no: false,
  '1': true,
  '0': false,
};

/** One cell as its column's type, or the rule it breaks. */
function cellValue(spec: CsvColumnSpec, raw: string): { value: CsvValue } | { problem: string } {
  if (spec.type === 'text') {
    if (raw === '') return spec.optional ? { value: null } : { problem: 'must not be empty' };
    if (raw.length > CSV_TEXT_MAX) return { problem: `must be at most ${CSV_TEXT_MAX} characters` };
    return { value: raw };
  }
  const trimmed = raw.trim();
  if (trimmed === '') return spec.optional ? { value: null } : { problem: 'must not be empty' };
  if (spec.type === 'integer') {
    const value = Number(trimmed);
    if (!INTEGER.test(trimmed) || !Number.isSafeInteger(value)) {
      return { problem: `must be an integer (got ${JSON.stringify(short(raw))})` };
    }
    return { value };
  }
  const value = BOOLEANS[trimmed.toLowerCase()];
  if (value === undefined) {
    return { problem: `must be true or false (got ${JSON.stringify(short(raw))})` };
  }
  return { value };
}

const short = (s: string) => (s.length > 40 ? `${s.slice(0, 40)}…` : s);

/**
 * Parses and validates a file against a declared input: the size first, then the header (every
 * required column, no unknown or repeated one, in any order), then each row (as many fields as
 * the header, each cell of its column's type), the row limit, and that there is at least one row.
 * Returns the typed rows. Throws CsvInputError listing the problems by line and column.
 */
export function parseCsvInput(spec: CsvInputSpec, text: string): ParsedCsv {
  const byteCount = utf8ByteLength(text);
  checkCsvSize(spec, byteCount);
  const expected = Object.keys(spec.columns);
  const expectedText = expected.join(', ');
  const iterator = records(text);
  const first = iterator.next();
  if (first.done) {
    throw new CsvInputError([
      {
        line: null,
        column: null,
        message: `the file is empty: its first line must name the columns ${expectedText}`,
      },
    ]);
  }
  const header = first.value;
  const problems: CsvProblem[] = [];
  const names = header.fields.map((f) => f.trim());
  const seen = new Set<string>();
  for (const name of names) {
    if (!(name in spec.columns)) {
      problems.push({
        line: header.line,
        column: name || '(empty)',
        message: `unknown column (this runbook takes ${expectedText})`,
      });
    } else if (seen.has(name)) {
      problems.push({ line: header.line, column: name, message: 'the column is named twice' });
    }
    seen.add(name);
  }
  for (const name of expected) {
    if (!seen.has(name) && !spec.columns[name]!.optional) {
      problems.push({ line: header.line, column: name, message: 'the column is missing from the header' });
    }
  }
  if (problems.length > 0) throw new CsvInputError(problems);

  const rows: CsvRow[] = [];
  let truncated = false;
  const note = (problem: CsvProblem) => {
    if (problems.length < MAX_PROBLEMS) problems.push(problem);
    else truncated = true;
  };
  for (const record of iterator) {
    if (rows.length >= spec.maxRows) {
      throw new CsvInputError([
        {
          line: record.line,
          column: null,
          message: `too many rows: this runbook takes at most ${spec.maxRows.toLocaleString('en-US')} rows`,
        },
      ]);
    }
    if (record.fields.length !== names.length) {
      note({
        line: record.line,
        column: null,
        message: `has ${record.fields.length} fields; the header has ${names.length}`,
      });
      rows.push({});
      continue;
    }
    const row: CsvRow = {};
    for (const name of expected) row[name] = null;
    names.forEach((name, index) => {
      const checked = cellValue(spec.columns[name]!, record.fields[index]!);
      if ('problem' in checked) note({ line: record.line, column: name, message: checked.problem });
      else row[name] = checked.value;
    });
    rows.push(row);
  }
  if (problems.length > 0) throw new CsvInputError(problems, truncated);
  if (rows.length === 0) {
    throw new CsvInputError([
      { line: header.line, column: null, message: 'the file has a header but no rows' },
    ]);
  }
  return { columns: expected, rows, byteCount };
}
