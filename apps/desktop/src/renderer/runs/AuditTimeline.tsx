import { Badge, makeStyles, Text, tokens } from '@fluentui/react-components';
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../api/trpc.ts';
import { auditActionColor, auditActionLabel, detailsSummary } from '../audit/audit-actions.ts';
import { ErrorState, LoadingState } from '../components/states.tsx';
import { formatDateTime } from '../format/time.ts';

const useStyles = makeStyles({
  list: { listStyle: 'none', margin: 0, padding: 0, position: 'relative' },
  item: {
    position: 'relative',
    display: 'grid',
    gridTemplateColumns: '200px 1fr',
    gap: '12px',
    padding: '8px 0 8px 20px',
    borderLeft: `2px solid ${tokens.colorNeutralStroke2}`,
    '::before': {
      content: '""',
      position: 'absolute',
      left: '-6px',
      top: '14px',
      width: '10px',
      height: '10px',
      borderRadius: '50%',
      backgroundColor: tokens.colorBrandBackground,
    },
  },
  when: { color: tokens.colorNeutralForeground2 },
  what: { display: 'flex', flexDirection: 'column', gap: '2px', alignItems: 'flex-start' },
  details: { color: tokens.colorNeutralForeground2, wordBreak: 'break-word' },
});

/** The run's audit events, oldest first: who did what to it, and when. */
export function AuditTimeline({ runId }: { runId: string }) {
  const s = useStyles();
  const trpc = useTRPC();
  const events = useQuery(trpc.audit.list.queryOptions({ runId, limit: 200 }));
  if (events.isPending) return <LoadingState label="Loading the audit trail…" />;
  if (events.isError) return <ErrorState error={events.error} onRetry={() => events.refetch()} />;
  const items = [...events.data.items].reverse();
  if (items.length === 0) return <Text>No audit events for this run yet.</Text>;
  return (
    <ol className={s.list} aria-label="Audit timeline">
      {items.map((e) => (
        <li key={e.id} className={s.item}>
          <Text size={200} className={s.when}>
            <time dateTime={e.occurredAt}>{formatDateTime(e.occurredAt)}</time>
          </Text>
          <div className={s.what}>
            <Badge
              appearance="tint"
              color={auditActionColor(e.action, e.outcome)}
              style={{ whiteSpace: 'nowrap' }}
            >
              {auditActionLabel(e.action)}
            </Badge>
            <Text size={200}>by {e.actorLabel}</Text>
            {detailsSummary(e.details) && (
              <Text size={200} className={s.details}>
                {detailsSummary(e.details)}
              </Text>
            )}
          </div>
        </li>
      ))}
    </ol>
  );
}
