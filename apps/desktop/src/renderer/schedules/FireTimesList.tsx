import { makeStyles, Text, tokens } from '@fluentui/react-components';
import { formatInTimeZone, formatRelative } from '../format/time.ts';

const useStyles = makeStyles({
  list: { margin: 0, padding: 0, listStyle: 'none', display: 'flex', flexDirection: 'column', gap: '2px' },
  item: { whiteSpace: 'nowrap' },
  muted: { color: tokens.colorNeutralForeground2 },
});

/** Fire times on the clock of the schedule's zone, each with "in 5 hours" on hover. */
export function FireTimesList({
  times,
  timeZone,
  label,
  busy = false,
}: {
  times: readonly string[];
  timeZone: string;
  label: string;
  /** The times answer an earlier input; a newer answer is on its way. */
  busy?: boolean;
}) {
  const s = useStyles();
  return (
    <ul className={s.list} aria-label={label} aria-busy={busy || undefined} data-current={!busy}>
      {times.map((iso) => (
        <li key={iso} className={s.item}>
          <Text size={200} wrap={false}>
            <time dateTime={iso} title={formatRelative(iso)}>
              {formatInTimeZone(iso, timeZone)}
            </time>
          </Text>
        </li>
      ))}
    </ul>
  );
}
