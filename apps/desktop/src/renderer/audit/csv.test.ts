import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../api/types.ts';
import { AUDIT_CSV_COLUMNS, auditCsvFileName, auditEventsToCsv, csvCell } from './csv.ts';

const event: AuditEvent = {
  id: '9',
  occurredAt: '2026-11-26T12:00:00.000Z',
  action: 'run.started',
  actorLabel: 'operator@ops.local',
  runId: '3',
  runbookId: 'findings.lifecycle.backfill',
  scope: { kind: 'all' },
  outcome: null,
  ip: '127.0.0.1',
  details: { reasonText: 'import, "again"\nline two' },
};

describe('audit CSV export', () => {
  it('writes a header and one RFC 4180 row per event', () => {
    const lines = auditEventsToCsv([event]).split('\r\n');
    expect(lines[0]).toBe(AUDIT_CSV_COLUMNS.join(','));
    expect(lines[1]).toMatch(
      /^9,2026-11-26T12:00:00.000Z,run.started,operator@ops.local,3,findings.lifecycle.backfill,/,
    );
    expect(auditEventsToCsv([event])).toContain('"{""reasonText"":""import, \\""again\\""\\nline two""}"');
  });

  it('defuses cells a spreadsheet would run as formulas', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell(null)).toBe('');
  });

  it('names the file by the time of export, safe on every file system', () => {
    expect(auditCsvFileName(new Date('2026-11-26T14:02:11.123Z'))).toBe('audit-2026-11-26T14-02-11Z.csv');
  });
});
