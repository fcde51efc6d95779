import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { CsvInputError, checkCsvSize, decodeCsvBytes } from '@ops/runbook-sdk';
import { InputError } from '../../errors.ts';
import type { Ops } from '../../ops.ts';
import type { RawRunInput } from '../../runs/run-input.ts';
import { UsageError } from '../exit-codes.ts';

/**
 * `--input file.csv` as the run service takes it. The size is checked before the file is read and
 * the bytes must be UTF-8; the rows are checked by the run service (the SDK's parser), like the
 * API's. Throws UsageError (unreadable file) and InputError naming `input` (the file's rules).
 */
export async function readInputFile(
  ops: Ops,
  runbookId: string,
  file: string | undefined,
): Promise<RawRunInput | undefined> {
  if (file === undefined) return undefined;
  const fileName = path.basename(file);
  const spec = ops.service.runbook(runbookId).input;
  try {
    if (spec) checkCsvSize(spec, (await stat(file)).size);
    const bytes = await readFile(file);
    return { fileName, text: spec ? decodeCsvBytes(spec, bytes) : bytes.toString('utf8') };
  } catch (error) {
    if (error instanceof CsvInputError)
      throw new InputError('input', `input file ${fileName}: ${error.message}`);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') {
      const why =
        code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : 'permission denied';
      throw new UsageError('--input', `cannot read --input ${file}: ${why}`);
    }
    throw error;
  }
}
