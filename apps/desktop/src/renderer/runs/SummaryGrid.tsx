import { makeStyles, Text, tokens } from '@fluentui/react-components';
import { formatCount } from '../format/numbers.ts';
import { formatDuration } from '../format/time.ts';

const LABELS: Record<string, string> = {
  affected_count: 'Affected',
  updated_count: 'Updated',
  skipped_count: 'Skipped',
  error_count: 'Errors',
  total_scanned: 'Scanned',
  estimated_tenants: 'Tenants (estimated)',
  tenant_count: 'Tenants',
  duration_ms: 'Duration',
};
const ORDER = Object.keys(LABELS);

const useStyles = makeStyles({
  grid: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(150px, 1fr))',
    gap: '12px',
    margin: 0,
  },
  cell: {
    display: 'flex',
    flexDirection: 'column',
    gap: '2px',
    padding: '10px 14px',
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground3,
  },
  label: { color: tokens.colorNeutralForeground2, fontSize: tokens.fontSizeBase200, margin: 0 },
  value: { fontSize: tokens.fontSizeBase600, fontWeight: tokens.fontWeightSemibold, margin: 0 },
  errors: { color: tokens.colorPaletteRedForeground1 },
});

function humanize(key: string): string {
  const words = key.replace(/_count$/, '').replaceAll('_', ' ');
  return words[0]!.toUpperCase() + words.slice(1);
}

/** The run's summary counts as a labelled grid (a description list), in a fixed, familiar order. */
export function SummaryGrid({ summary }: { summary: Record<string, unknown> }) {
  const s = useStyles();
  const entries = Object.entries(summary)
    .filter(([, v]) => typeof v === 'number')
    .sort(([a], [b]) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99)) as [string, number][];
  if (entries.length === 0) return <Text>Counts are recorded when the run completes.</Text>;
  return (
    <dl className={s.grid} aria-label="Summary counts">
      {entries.map(([key, value]) => (
        <div key={key} className={s.cell} data-summary={key}>
          <dt className={s.label}>{LABELS[key] ?? humanize(key)}</dt>
          <dd className={`${s.value} ${key === 'error_count' && value > 0 ? s.errors : ''}`}>
            {key === 'duration_ms' ? formatDuration(value) : formatCount(value)}
          </dd>
        </div>
      ))}
    </dl>
  );
}
