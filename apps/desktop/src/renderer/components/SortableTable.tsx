import {
  createTableColumn,
  makeStyles,
  mergeClasses,
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
import { type MouseEvent, type ReactNode, useMemo } from 'react';

export interface Column<T> {
  id: string;
  label: string;
  render: (item: T) => ReactNode;
  /** Sortable on the page when given (client-side sorting). */
  compare?: (a: T, b: T) => number;
  /** Sortable by the server (with `sort` and `onSortChange`): the column id is the sort key. */
  sortable?: boolean;
  width?: string;
}

/** Where the table stops being a table and each row becomes a labelled block (the 800 px layout). */
export const NARROW_TABLE_QUERY = '@media (max-width: 800px)';

const useStyles = makeStyles({
  wrap: { overflowX: 'auto', maxWidth: '100%' },
  // Columns sized by their content (Fluent's default is equal fixed widths).
  table: { tableLayout: 'auto', [NARROW_TABLE_QUERY]: { display: 'block' } },
  clickable: { cursor: 'pointer' },
  cell: {
    paddingTop: '6px',
    paddingBottom: '6px',
    overflowWrap: 'break-word',
    [NARROW_TABLE_QUERY]: {
      display: 'flex',
      alignItems: 'center',
      gap: '12px',
      minHeight: '28px',
      paddingTop: '2px',
      paddingBottom: '2px',
      '::before': {
        content: 'attr(data-label)',
        flexShrink: 0,
        width: '104px',
        fontWeight: tokens.fontWeightSemibold,
        color: tokens.colorNeutralForeground2,
      },
    },
  },
  header: {
    backgroundColor: tokens.colorNeutralBackground1,
    [NARROW_TABLE_QUERY]: { display: 'block' },
  },
  headerRow: {
    [NARROW_TABLE_QUERY]: { display: 'flex', flexWrap: 'wrap', gap: '4px', borderBottomStyle: 'none' },
  },
  // A label-only header cell: in the narrow layout each cell carries its label instead.
  plainHeader: { [NARROW_TABLE_QUERY]: { display: 'none' } },
  sortHeader: { [NARROW_TABLE_QUERY]: { display: 'block', width: 'auto !important' } },
  body: { [NARROW_TABLE_QUERY]: { display: 'block' } },
  row: { [NARROW_TABLE_QUERY]: { display: 'block', paddingTop: '8px', paddingBottom: '8px' } },
});

const toFluent = (d: 'asc' | 'desc'): SortDirection => (d === 'asc' ? 'ascending' : 'descending');

/**
 * A Fluent table with sortable headers, and rows that open their item. Row clicks are a mouse
 * convenience: each row also carries a real link for keyboards. Sorting is the current page's
 * (client-side, `compare`) unless `sort` and `onSortChange` are given: then the server sorts and
 * the table shows the rows in the order given. Narrow windows get one labelled block per row.
 */
export function SortableTable<T>({
  label,
  items,
  columns,
  rowKey,
  onRowClick,
  defaultSort,
  sort: serverSort,
  onSortChange,
}: {
  label: string;
  items: readonly T[];
  columns: readonly Column<T>[];
  rowKey: (item: T) => string;
  onRowClick?: (item: T) => void;
  defaultSort?: { column: string; direction: SortDirection };
  sort?: { column: string; direction: 'asc' | 'desc' } | null;
  onSortChange?: (column: string, direction: 'asc' | 'desc') => void;
}) {
  const s = useStyles();
  const serverSorted = onSortChange !== undefined;
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
  const rows = serverSorted ? getRows() : sort(getRows());
  const sortable = (c: Column<T>) => (serverSorted ? Boolean(c.sortable) : Boolean(c.compare));
  const directionOf = (c: Column<T>) =>
    serverSorted
      ? serverSort?.column === c.id
        ? toFluent(serverSort.direction)
        : undefined
      : getSortDirection(c.id);
  const clickSort = (e: MouseEvent, c: Column<T>) => {
    if (!serverSorted) return toggleColumnSort(e, c.id);
    // A new column starts ascending; the sorted one turns round.
    const next = serverSort?.column === c.id && serverSort.direction === 'asc' ? 'desc' : 'asc';
    onSortChange(c.id, next);
  };

  return (
    <div className={s.wrap}>
      <Table aria-label={label} sortable size="small" className={s.table}>
        <TableHeader className={s.header}>
          <TableRow className={s.headerRow}>
            {columns.map((c) =>
              sortable(c) ? (
                <TableHeaderCell
                  key={c.id}
                  className={s.sortHeader}
                  sortDirection={directionOf(c)}
                  onClick={(e) => clickSort(e, c)}
                  style={c.width ? { width: c.width } : undefined}
                >
                  {c.label}
                </TableHeaderCell>
              ) : (
                <TableHeaderCell
                  key={c.id}
                  className={s.plainHeader}
                  style={c.width ? { width: c.width } : undefined}
                >
                  {c.label}
                </TableHeaderCell>
              ),
            )}
          </TableRow>
        </TableHeader>
        <TableBody className={s.body}>
          {rows.map(({ item }) => (
            <TableRow
              key={rowKey(item)}
              className={mergeClasses(s.row, onRowClick && s.clickable)}
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
                <TableCell key={c.id} className={s.cell} data-label={c.label} data-column={c.id}>
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
