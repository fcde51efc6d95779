import {
  CsvInputError,
  type CsvInputSpec,
  decodeCsvBytes,
  describeCsvProblem,
  parseCsvInput,
} from '@ops/runbook-sdk/csv';

/** A file as the API takes it (runbooks.preflight / runbooks.run `input`). */
export interface ChosenCsv {
  fileName: string;
  text: string;
}

export type CsvCheck =
  | { ok: true; file: ChosenCsv; rowCount: number }
  | { ok: false; fileName: string; problems: string[] };

/**
 * The upload check of the run dialog: the daemon's own rules (the SDK's parser) on the chosen file,
 * so an operator sees every problem by line and column before anything is sent. The daemon checks
 * the file again when it arrives.
 */
export function checkCsvFile(spec: CsvInputSpec, fileName: string, bytes: Uint8Array): CsvCheck {
  try {
    const text = decodeCsvBytes(spec, bytes);
    const parsed = parseCsvInput(spec, text);
    return { ok: true, file: { fileName, text }, rowCount: parsed.rows.length };
  } catch (error) {
    if (error instanceof CsvInputError) {
      const problems = error.problems.map(describeCsvProblem);
      if (error.truncated) problems.push('… and more problems not listed');
      return { ok: false, fileName, problems };
    }
    throw error;
  }
}

/** The columns a runbook's file takes, in words: "finding_id (integer), note (text, optional)". */
export function describeCsvColumns(spec: CsvInputSpec): string {
  return Object.entries(spec.columns)
    .map(([name, c]) => `${name} (${c.type}${c.optional ? ', optional' : ''})`)
    .join(', ');
}
