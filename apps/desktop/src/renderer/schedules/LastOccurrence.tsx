import { makeStyles, Text, tokens } from '@fluentui/react-components';
import type { ScheduleOccurrence } from '../api/types.ts';
import { paths } from '../app/paths.ts';
import { DateTime } from '../components/DateTime.tsx';
import { RouterLink } from '../components/RouterLink.tsx';
import { plural } from '../format/numbers.ts';
import { OccurrenceStatusBadge } from '../status/RunBadges.tsx';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: '2px', alignItems: 'flex-start', maxWidth: '320px' },
  detail: { color: tokens.colorNeutralForeground2, wordBreak: 'break-word' },
});

/** What the occurrence did beyond its status: the run it started, what it found, or why it did not fire. */
function OccurrenceDetail({ occurrence: o }: { occurrence: ScheduleOccurrence }) {
  if (o.status === 'started' && o.runId)
    return <RouterLink to={paths.run(o.runId)}>Run #{o.runId}</RouterLink>;
  if (o.status === 'drift_detected' && o.affectedCount !== null)
    return <>{`${plural(o.affectedCount, 'record')} to repair`}</>;
  if ((o.status === 'skipped' || o.status === 'failed') && o.reason)
    return <>{`${o.status === 'skipped' ? 'Skipped' : 'Failed'}: ${o.reason}`}</>;
  return null;
}

/** A schedule's latest tick: how it ended, when, and what came of it. */
export function LastOccurrence({ occurrence }: { occurrence: ScheduleOccurrence | null }) {
  const s = useStyles();
  if (!occurrence) return <Text size={200}>Not fired yet</Text>;
  return (
    <div className={s.root} data-occurrence={occurrence.status}>
      <OccurrenceStatusBadge status={occurrence.status} />
      <Text size={200}>
        <DateTime iso={occurrence.slotAt} />
      </Text>
      <Text size={200} className={s.detail}>
        <OccurrenceDetail occurrence={occurrence} />
      </Text>
    </div>
  );
}
