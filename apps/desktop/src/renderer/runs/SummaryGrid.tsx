import { makeStyles, Text, tokens } from '@fluentui/react-components';
import { summaryEntries, summaryLabel, summaryValue } from './summary-labels.ts';

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

/** The run's summary counts as a labelled grid (a description list), in a fixed, familiar order. */
export function SummaryGrid({ summary }: { summary: Record<string, unknown> }) {
  const s = useStyles();
  // Everything numeric the record holds (the daemon filtered it already), core figures first.
  const entries = summaryEntries(summary, Object.keys(summary));
  if (entries.length === 0) return <Text>Counts are recorded when the run completes.</Text>;
  return (
    <dl className={s.grid} aria-label="Summary counts">
      {entries.map(([key, value]) => (
        <div key={key} className={s.cell} data-summary={key}>
          <dt className={s.label}>{summaryLabel(key)}</dt>
          <dd className={`${s.value} ${key === 'error_count' && value > 0 ? s.errors : ''}`}>
            {summaryValue(key, value)}
          </dd>
        </div>
      ))}
    </dl>
  );
}
