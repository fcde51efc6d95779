import { Card, makeStyles, ProgressBar, Text, tokens } from '@fluentui/react-components';
import { CircleFilled } from '@fluentui/react-icons';
import type { RunRecord } from '../api/types.ts';
import { formatCount, formatPercent } from '../format/numbers.ts';
import { formatDuration } from '../format/time.ts';
import { liveProgress } from './run-figures.ts';
import type { LiveState } from './use-live-run.ts';

const useStyles = makeStyles({
  card: { padding: '16px 20px', gap: '10px' },
  head: {
    display: 'flex',
    justifyContent: 'space-between',
    alignItems: 'center',
    gap: '12px',
    flexWrap: 'wrap',
  },
  figures: { display: 'flex', gap: '20px', flexWrap: 'wrap', color: tokens.colorNeutralForeground2 },
  live: { display: 'inline-flex', alignItems: 'center', gap: '6px', color: tokens.colorNeutralForeground2 },
  dotLive: { color: tokens.colorPaletteGreenForeground1, fontSize: '10px' },
  dotWait: { color: tokens.colorNeutralForeground3, fontSize: '10px' },
  big: {
    fontSize: tokens.fontSizeBase500,
    fontWeight: tokens.fontWeightSemibold,
    color: tokens.colorNeutralForeground1,
  },
});

const LIVE_TEXT: Record<LiveState, string> = {
  live: 'Live',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  off: 'Not live',
};

/** The progress of an active run: bar, processed of total, rate and time left, updated so far. */
export function RunProgressCard({ run, live }: { run: RunRecord; live: LiveState }) {
  const s = useStyles();
  const p = liveProgress(run);
  const pausing = run.requestedAction === 'pause' && run.status === 'running';
  const cancelling = run.requestedAction === 'cancel';
  const caption = cancelling
    ? 'Cancelling: the run stops after its current chunk.'
    : pausing
      ? 'Pausing: the run stops after its current chunk.'
      : run.status === 'paused'
        ? 'Paused at a checkpoint. Resume continues from there.'
        : run.status === 'queued'
          ? 'Queued: waiting for the executor.'
          : null;

  return (
    <Card className={s.card} aria-label="Progress" data-testid="run-progress" data-updated-at={run.updatedAt}>
      <div className={s.head}>
        <Text weight="semibold" size={400} as="h2" style={{ margin: 0 }}>
          Progress
        </Text>
        <span className={s.live} aria-live="off">
          <CircleFilled className={live === 'live' ? s.dotLive : s.dotWait} aria-hidden="true" />
          {LIVE_TEXT[live]}
        </span>
      </div>
      <ProgressBar
        value={p ? p.fraction : undefined}
        thickness="large"
        color={run.status === 'paused' ? 'warning' : 'brand'}
        aria-label="Run progress"
        aria-valuetext={
          p
            ? `${formatPercent(p.fraction)}, ${formatCount(p.processed)} of ${formatCount(p.total)}`
            : 'Starting'
        }
      />
      {p ? (
        <div className={s.figures}>
          <Text>
            <span className={s.big} data-testid="progress-percent">
              {formatPercent(p.fraction)}
            </span>{' '}
            {formatCount(p.processed)} of {formatCount(p.total)} records
          </Text>
          <Text>
            {p.rowsPerSecond !== null ? `${formatCount(p.rowsPerSecond)} records/s` : 'Measuring rate…'}
          </Text>
          <Text>
            {p.etaSeconds !== null && run.status === 'running'
              ? p.etaSeconds < 1
                ? 'Less than a second left'
                : `About ${formatDuration(p.etaSeconds * 1000)} left`
              : run.status === 'running'
                ? 'Estimating time left…'
                : ''}
          </Text>
          <Text>{p.updated !== null ? `${formatCount(p.updated)} updated so far` : ''}</Text>
        </div>
      ) : (
        <Text className={s.figures}>Waiting for the first chunk…</Text>
      )}
      {caption && <Text role="status">{caption}</Text>}
    </Card>
  );
}
