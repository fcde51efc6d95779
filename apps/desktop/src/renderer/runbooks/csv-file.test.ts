import { csvInput } from '@ops/runbook-sdk/csv';
import { describe, expect, it } from 'vitest';
import { checkCsvFile, describeCsvColumns } from './csv-file.ts';

const spec = csvInput({
  columns: { finding_id: 'integer', note: { type: 'text', optional: true } },
  maxBytes: 64,
});
const bytes = (text: string) => new TextEncoder().encode(text);

describe('checkCsvFile', () => {
  it('accepts a valid file and counts its rows', () => {
    expect(checkCsvFile(spec, 'a.csv', bytes('\uFEFFfinding_id,note\r\n1,x\r\n2,\r\n'))).toEqual({
      ok: true,
      file: { fileName: 'a.csv', text: '\uFEFFfinding_id,note\r\n1,x\r\n2,\r\n' },
      rowCount: 2,
    });
  });

  it('lists every problem by line and column, by the daemon’s rules', () => {
    expect(checkCsvFile(spec, 'b.csv', bytes('finding_id,note\nx,1\n2,3,4\n'))).toEqual({
      ok: false,
      fileName: 'b.csv',
      problems: [
        'line 2, column finding_id: must be an integer (got "x")',
        'line 3: has 3 fields; the header has 2',
      ],
    });
  });

  it('refuses a file over the size limit before reading its rows', () => {
    expect(checkCsvFile(spec, 'c.csv', bytes('x'.repeat(65)))).toEqual({
      ok: false,
      fileName: 'c.csv',
      problems: ['the file is 65 bytes; this runbook takes at most 64 bytes'],
    });
  });

  it('describes the columns', () => {
    expect(describeCsvColumns(spec)).toBe('finding_id (integer), note (text, optional)');
  });
});
