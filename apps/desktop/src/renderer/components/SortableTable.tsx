import {
  createTableColumn,
  makeStyles,
  type SortDirection,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  tokens,
  useTableFeatures,
  useTableSort,
} from '@fluentui/react-components';
import { type ReactNode, useMemo } from 'react';

export interface Column<T> {
  id: string;
  label: string;
  render: (item: T) => ReactNode;
  /** Sortable when given. */
  compare?: (a: T, b: T) => number;
  width?: string;
}

const useStyles = makeStyles({
  wrap: { overflowX: 'auto' },
  // Columns sized by their content (Fluent's default is equal fixed widths).
  table: { tableLayout: 'auto' },
  clickable: { cursor: 'pointer' },
  cell: { paddingTop: '6px', paddingBottom: '6px' },
  header: { backgroundColor: tokens.colorNeutralBackground1 },
});

/**
 * A Fluent table with sortable headers (the current page, client-side), and rows that open their
 * item. Row clicks are a mouse convenience: each row also carries a real link for keyboards.
 */
export function SortableTable<T>({
  label,
  items,
  columns,
  rowKey,
  onRowClick,
  defaultSort,
}: {
  label: string;
  items: readonly T[];
  columns: readonly Column<T>[];
  rowKey: (item: T) => string;
  onRowClick?: (item: T) => void;
  defaultSort?: { column: string; direction: SortDirection };
}) {
  const s = useStyles();
  const tableColumns = useMemo(
    () =>
      columns.map((c) =>
        createTableColumn<T>({ columnId: c.id, compare: c.compare ?? (() => 0), renderCell: c.render }),
      ),
    [columns],
  );
  const {
    getRows,
    sort: { getSortDirection, toggleColumnSort, sort },
  } = useTableFeatures<T>({ columns: tableColumns, items: [...items] }, [
    useTableSort({
      defaultSortState: defaultSort
        ? { sortColumn: defaultSort.column, sortDirection: defaultSort.direction }
        : undefined,
    }),
  ]);
  const rows = sort(getRows());

  return (
    <div className={s.wrap}>
      <Table aria-label={label} sortable size="small" className={s.table}>
        <TableHeader className={s.header}>
          <TableRow>
            {columns.map((c) =>
              c.compare ? (
                <TableHeaderCell
                  key={c.id}
                  sortDirection={getSortDirection(c.id)}
                  onClick={(e) => toggleColumnSort(e, c.id)}
                  style={c.width ? { width: c.width } : undefined}
                >
                  {c.label}
                </TableHeaderCell>
              ) : (
                <TableHeaderCell key={c.id} style={c.width ? { width: c.width } : undefined}>
                  {c.label}
                </TableHeaderCell>
              ),
            )}
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map(({ item }) => (
            <TableRow
              key={rowKey(item)}
              className={onRowClick ? s.clickable : undefined}
              onClick={
                onRowClick
                  ? (e) => {
                      // Links and buttons inside the row do their own thing.
                      if ((e.target as HTMLElement).closest('a,button')) return;
                      onRowClick(item);
                    }
                  : undefined
              }
              data-row={rowKey(item)}
            >
              {columns.map((c) => (
                <TableCell key={c.id} className={s.cell}>
                  {c.render(item)}
                </TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
