import { describe, expect, it } from 'vitest';
import {
  CsvInputError,
  type CsvInputSpec,
  csvInput,
  csvInputProblems,
  decodeCsvBytes,
  parseCsvInput,
} from './csv-input.ts';
import { csvRowWork, rowsInRange } from './row-work.ts';

const spec = csvInput({ columns: { finding_id: 'integer', note: { type: 'text', optional: true } } });

function refusal(s: CsvInputSpec, text: string): string {
  try {
    parseCsvInput(s, text);
  } catch (error) {
    expect(error).toBeInstanceOf(CsvInputError);
    return (error as Error).message;
  }
  throw new Error('the file was accepted');
}

describe('parseCsvInput', () => {
  it('reads typed rows with quotes, doubled quotes, commas and line ends inside quotes, CRLF and a BOM', () => {
    const text = '\uFEFFfinding_id,note\r\n17,"closed, per ""INC-9"""\r\n18,"two\r\nlines"\r\n19,\r\n\r\n';
    const parsed = parseCsvInput(spec, text);
    expect(parsed.rows).toEqual([
      { finding_id: 17, note: 'closed, per "INC-9"' },
      { finding_id: 18, note: 'two\r\nlines' },
      { finding_id: 19, note: null },
    ]);
    expect(parsed.columns).toEqual(['finding_id', 'note']);
  });

  it('takes the columns in any order, and an optional column may be left out', () => {
    expect(parseCsvInput(spec, 'note,finding_id\nx,5\n').rows).toEqual([{ finding_id: 5, note: 'x' }]);
    expect(parseCsvInput(spec, 'finding_id\n5\n6').rows).toEqual([
      { finding_id: 5, note: null },
      { finding_id: 6, note: null },
    ]);
  });

  it('names the line, the column and the rule of a bad cell', () => {
    const lines = ['finding_id,note', ...Array.from({ length: 15 }, (_, i) => `${i + 1},ok`), 'abc,x'];
    expect(refusal(spec, lines.join('\n'))).toBe(
      'line 17, column finding_id: must be an integer (got "abc")',
    );
    expect(refusal(spec, 'finding_id,note\n,x')).toBe('line 2, column finding_id: must not be empty');
    expect(refusal(spec, 'finding_id,note\n1.5,x\n99999999999999999,y')).toBe(
      'line 2, column finding_id: must be an integer (got "1.5"); line 3, column finding_id: must be an integer (got "99999999999999999")',
    );
  });

  it('counts lines of the file, quoted line ends included', () => {
    expect(refusal(spec, 'finding_id,note\n1,"a\nb"\nx,c')).toBe(
      'line 4, column finding_id: must be an integer (got "x")',
    );
  });

  it('refuses a header with a missing, unknown or repeated column', () => {
    expect(refusal(spec, 'note\nx')).toBe('line 1, column finding_id: the column is missing from the header');
    expect(refusal(spec, 'finding_id,notes\n1,x')).toBe(
      'line 1, column notes: unknown column (this runbook takes finding_id, note)',
    );
    expect(refusal(spec, 'finding_id,finding_id\n1,2')).toBe(
      'line 1, column finding_id: the column is named twice',
    );
  });

  it('refuses a row with the wrong number of fields, and broken quoting', () => {
    expect(refusal(spec, 'finding_id,note\n1,a,b')).toBe('line 2: has 3 fields; the header has 2');
    expect(refusal(spec, 'finding_id,note\n1,"open')).toBe('line 2: a quoted field is never closed');
    expect(refusal(spec, 'finding_id,note\n1,ab"c')).toBe(
      'line 2: a quote inside an unquoted field (quote the whole field)',
    );
    expect(refusal(spec, 'finding_id,note\n1,"a"b')).toBe(
      'line 2: a closing quote must end its field (a quote inside is written "")',
    );
  });

  it('refuses an empty file and a file with no rows', () => {
    expect(refusal(spec, '')).toBe(
      'the file is empty: its first line must name the columns finding_id, note',
    );
    expect(refusal(spec, '\uFEFF\r\n')).toMatch(/^the file is empty/);
    expect(refusal(spec, 'finding_id,note\r\n')).toBe('line 1: the file has a header but no rows');
  });

  it('refuses too many rows at the first row past the limit, and too many bytes before parsing', () => {
    const small = csvInput({ columns: { finding_id: 'integer' }, maxRows: 2, maxBytes: 30 });
    expect(refusal(small, 'finding_id\n1\n2\n3')).toBe(
      'line 4: too many rows: this runbook takes at most 2 rows',
    );
    expect(refusal(small, `finding_id\n${'1\n'.repeat(20)}`)).toBe(
      'the file is 51 bytes; this runbook takes at most 30 bytes',
    );
  });

  it('lists at most 20 problems', () => {
    const text = `finding_id\n${'x\n'.repeat(30)}`;
    const message = refusal(spec, text);
    expect(message.split('; line').length).toBe(20);
    expect(message).toMatch(/more problems not listed\)$/);
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(() => decodeCsvBytes(spec, new Uint8Array([0x66, 0xff, 0x0a]))).toThrow(
      'the file is not UTF-8 text',
    );
    expect(decodeCsvBytes(spec, new TextEncoder().encode('\uFEFFfinding_id\n1'))).toBe('\uFEFFfinding_id\n1');
  });
});

describe('csvInputProblems', () => {
  it('accepts csvInput and names each broken rule', () => {
    expect(csvInputProblems(spec)).toEqual([]);
    expect(
      csvInputProblems({
        kind: 'csv',
        description: '',
        columns: { 'Bad-Name': { type: 'date' } },
        maxRows: 0,
        maxBytes: 1,
      }),
    ).toEqual([
      'input column "Bad-Name" must be snake_case',
      'input column Bad-Name: type must be one of integer, text, boolean',
      'input maxRows must be an integer from 1 to 500000',
    ]);
    expect(csvInputProblems({ columns: {} })).toEqual(['input must be made with csvInput({...})']);
  });
});

describe('csvRowWork', () => {
  it('cuts the rows into chunks by row number, within a unit, and hands each chunk its rows', async () => {
    const input = {
      ...parseCsvInput(spec, 'finding_id\n10\n11\n12\n13\n14'),
      fileName: 'a.csv',
      sha256: 'x',
      rowCount: 5,
    };
    const applied: number[][] = [];
    const work = csvRowWork(input, {
      tenantsOf: async () => [],
      apply: async (_tx, rows) => {
        applied.push(rows.map((r) => r.row.finding_id as number));
        return { updated: rows.length };
      },
    });
    const db = { query: async () => ({ rows: [], rowCount: 0 }) };
    expect(await work.countItems(db)).toBe(5);
    expect(await work.idBounds!(db)).toEqual({ firstId: '1', lastId: '5' });
    expect(await work.nextChunk(db, null, 2)).toEqual({ lastId: '2', items: 2 });
    expect(await work.nextChunk(db, '2', 2, '3')).toEqual({ lastId: '3', items: 1 });
    expect(await work.nextChunk(db, '5', 2)).toBeNull();
    await work.applyChunk(db, { afterId: '3', lastId: '5', onlyTenantId: null, excludeTenantIds: [] });
    expect(applied).toEqual([[13, 14]]);
    expect(rowsInRange(input, { afterId: null, lastId: '1' })).toEqual([
      { rowNumber: 1, row: { finding_id: 10, note: null } },
    ]);
  });
});
