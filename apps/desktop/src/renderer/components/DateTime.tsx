import { formatDateTime, formatRelative } from '../format/time.ts';

/** A point in time in tables and details: absolute, on one line, with "5 minutes ago" on hover. */
export function DateTime({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <>—</>;
  return (
    <time dateTime={iso} title={formatRelative(iso)} style={{ whiteSpace: 'nowrap' }}>
      {formatDateTime(iso)}
    </time>
  );
}
