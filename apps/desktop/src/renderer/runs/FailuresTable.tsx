import {
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from '@fluentui/react-components';
import { formatDateTime } from '../format/time.ts';
import type { FailureRow } from './run-figures.ts';

/** What failed, where, and why: kept on the run record by the executor. */
export function FailuresTable({
  failures,
  emptyText = 'No failures.',
}: {
  failures: readonly FailureRow[];
  /** What an empty list means for this run (an interrupted run had no chunk fail, but did not finish). */
  emptyText?: string;
}) {
  if (failures.length === 0) return <Text>{emptyText}</Text>;
  return (
    <Table aria-label="Failures" size="small">
      <TableHeader>
        <TableRow>
          <TableHeaderCell>Tenant</TableHeaderCell>
          <TableHeaderCell>Error</TableHeaderCell>
          <TableHeaderCell>Message</TableHeaderCell>
          <TableHeaderCell>When</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {failures.map((f, i) => (
          // Failures have no id of their own; their order on the record is stable.
          // biome-ignore lint/suspicious/noArrayIndexKey: see above
          <TableRow key={i}>
            <TableCell>
              {f.tenantExternalId ?? (f.tenantId !== null ? `#${f.tenantId}` : 'all tenants')}
            </TableCell>
            <TableCell>{f.errorClass}</TableCell>
            <TableCell>{f.message}</TableCell>
            <TableCell>{formatDateTime(f.at)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
