import { Card, makeStyles, ProgressBar, Text, tokens } from '@fluentui/react-components';
import { CircleFilled } from '@fluentui/react-icons';
import type { RunRecord } from '../api/types.ts';
import { formatCount, formatPercent } from '../format/numbers.ts';
import { formatDuration } from '../format/time.ts';
import { RUN_PHASES, runPhase } from '../status/badge-specs.ts';
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

/** The progress of a run: bar, processed of total, rate and time left, updated (so far, or in all). */
export function RunProgressCard({ run, live }: { run: RunRecord; live: LiveState }) {
  const s = useStyles();
  const p = liveProgress(run);
  const phase = runPhase(run);
  const spec = RUN_PHASES[phase];
  const caption = spec.caption(run.progress.throttled ?? null);
  const running = run.status === 'running';
  // "Live" only where figures still move: a paused or finished run says what it is instead.
  const liveText = spec.moving ? LIVE_TEXT[live] : run.status === 'paused' ? 'Stopped' : 'Finished';

  return (
    <Card className={s.card} aria-label="Progress" data-testid="run-progress" data-updated-at={run.updatedAt}>
      <div className={s.head}>
        <Text weight="semibold" size={400} as="h2" style={{ margin: 0 }}>
          Progress
        </Text>
        <span className={s.live} aria-live="off">
          <CircleFilled
            className={spec.moving && live === 'live' ? s.dotLive : s.dotWait}
            aria-hidden="true"
          />
          <span data-testid="progress-live">{liveText}</span>
        </span>
      </div>
      <ProgressBar
        value={p ? p.fraction : undefined}
        thickness="large"
        color={spec.progressColor}
        data-color={spec.progressColor}
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
          {running && (
            <Text>
              {p.rowsPerSecond !== null ? `${formatCount(p.rowsPerSecond)} records/s` : 'Measuring rate…'}
            </Text>
          )}
          {running && (
            <Text>
              {p.etaSeconds !== null
                ? p.etaSeconds < 1
                  ? 'Less than a second left'
                  : `About ${formatDuration(p.etaSeconds * 1000)} left`
                : 'Estimating time left…'}
            </Text>
          )}
          <Text data-testid="progress-updated">
            {p.updated !== null
              ? `${formatCount(p.updated)} updated${run.status === 'completed' ? '' : ' so far'}`
              : ''}
          </Text>
        </div>
      ) : (
        <Text className={s.figures}>Waiting for the first chunk…</Text>
      )}
      {caption && (
        <Text role="status" data-testid="progress-caption" data-phase={phase}>
          {caption}
        </Text>
      )}
    </Card>
  );
}
