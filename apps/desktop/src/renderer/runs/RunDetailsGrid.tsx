import { makeStyles, Text, tokens } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import { reasonCodeLabel } from '../api/reasons.ts';
import type { RunRecord } from '../api/types.ts';
import { formatDateTime, formatDuration } from '../format/time.ts';
import { BreakGlassBadge, ScopeBadge } from '../status/RunBadges.tsx';
import { actorText, breakGlassOf, countBasisOf, runDuration } from './run-figures.ts';

const useStyles = makeStyles({
  grid: {
    display: 'grid',
    gridTemplateColumns: 'minmax(140px, max-content) 1fr',
    gap: '8px 24px',
    margin: 0,
  },
  term: { color: tokens.colorNeutralForeground2, margin: 0 },
  value: {
    margin: 0,
    display: 'flex',
    gap: '8px',
    alignItems: 'center',
    flexWrap: 'wrap',
    wordBreak: 'break-word',
  },
});

/** Who ran what, where, why and when. */
export function RunDetailsGrid({ run, runbookTitle }: { run: RunRecord; runbookTitle: string }) {
  const s = useStyles();
  const bg = breakGlassOf(run);
  const basis = countBasisOf(run);
  const rows: [string, ReactNode][] = [
    ['Runbook', `${runbookTitle} (${run.type}, version ${run.runbookVersion})`],
    ['Scope', <ScopeBadge key="scope" scope={run.scope} />],
    [
      'Actor',
      <>
        <Text>{actorText(run.actor, run.actorLabel)}</Text>
        {bg && <BreakGlassBadge reason={bg.reason} />}
      </>,
    ],
    ['Reason code', reasonCodeLabel(run.reasonCode)],
    ['Reason', run.reasonText ?? '—'],
    ...(basis.confirmed
      ? ([
          [
            'Confirmed',
            <span key="confirmed" data-testid="count-confirmed">
              {basis.confirmed}
            </span>,
          ],
        ] as [string, ReactNode][])
      : []),
    [
      'Preflight',
      <span key="counted" data-testid="count-exact">
        {basis.counted}
      </span>,
    ],
    ['Created', formatDateTime(run.createdAt)],
    ['Started', formatDateTime(run.startedAt)],
    ['Finished', formatDateTime(run.finishedAt)],
    ['Duration', formatDuration(runDuration(run))],
  ];
  return (
    <dl className={s.grid}>
      {rows.map(([term, value]) => (
        <div key={term} style={{ display: 'contents' }}>
          <dt className={s.term}>{term}</dt>
          <dd className={s.value}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
