import {
  Button,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  Text,
  tokens,
} from '@fluentui/react-components';
import { PlayRegular } from '@fluentui/react-icons';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useLocation } from 'wouter';
import { CAPABILITIES } from '../api/capabilities.ts';
import { useTRPC } from '../api/trpc.ts';
import { useCan } from '../app/me-context.ts';
import { paths } from '../app/paths.ts';
import { REQUEST_STATUS_SPECS, scopeWords } from '../approvals/approval-words.ts';
import { DecisionPanel } from '../approvals/DecisionPanel.tsx';
import { RequestStatusBadge } from '../approvals/RequestStatusBadge.tsx';
import { WithdrawButton } from '../approvals/WithdrawButton.tsx';
import { DateTime } from '../components/DateTime.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { RouterLink } from '../components/RouterLink.tsx';
import { ErrorState, LoadingState } from '../components/states.tsx';
import { formatCount } from '../format/numbers.ts';
import { RunInputFile } from '../runs/RunInputFile.tsx';

const useStyles = makeStyles({
  grid: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    gap: '6px 24px',
    marginBottom: '24px',
    maxWidth: '800px',
  },
  label: { color: tokens.colorNeutralForeground2 },
  body: { display: 'flex', flexDirection: 'column', gap: '16px' },
});

/** One run request: what was asked, its state (live), the decision, and its one start. */
export function ApprovalDetailPage({ id }: { id: string }) {
  const s = useStyles();
  const trpc = useTRPC();
  const [, navigate] = useLocation();
  const canRun = useCan(CAPABILITIES.runbooksRun);
  const request = useQuery(trpc.approvals.get.queryOptions({ id }));
  const start = useMutation(
    trpc.approvals.start.mutationOptions({ onSuccess: ({ runId }) => navigate(paths.run(runId)) }),
  );
  if (request.isLoading) return <LoadingState label={`Loading request #${id}…`} />;
  if (request.error || !request.data)
    return <ErrorState error={request.error} onRetry={() => request.refetch()} />;
  const r = request.data;
  const facts: [string, React.ReactNode][] = [
    ['Runbook', r.runbookId],
    ['Scope', scopeWords(r.scope)],
    [
      'Preflight',
      r.preflight.margin
        ? `about ${formatCount(r.preflight.affected_count)} ± ${formatCount(r.preflight.margin)} records (an estimate)`
        : `${formatCount(r.preflight.affected_count)} records`,
    ],
    ['Parameters', Object.keys(r.params).length ? JSON.stringify(r.params) : 'none'],
    ['Reason', [r.reasonCode, r.reasonText].filter(Boolean).join(': ') || 'none given'],
    ['Requested by', r.requester.email],
    ['Requested', <DateTime key="c" iso={r.createdAt} />],
    ['Expires', <DateTime key="e" iso={r.expiresAt} />],
    ...(r.decidedBy
      ? ([
          [r.status === 'rejected' ? 'Rejected by' : 'Approved by', r.decidedBy.email],
          ['Comment', r.decisionComment ?? ''],
        ] as [string, React.ReactNode][])
      : []),
    ...(r.status === 'withdrawn'
      ? ([
          ['Withdrawn', r.decidedAt ? <DateTime key="w" iso={r.decidedAt} /> : 'yes'],
          ...(r.decisionComment ? [['Comment', r.decisionComment]] : []),
        ] as [string, React.ReactNode][])
      : []),
  ];
  return (
    <>
      <PageHeader
        title={`Run request #${r.id}`}
        description={REQUEST_STATUS_SPECS[r.status].hint}
        badges={<RequestStatusBadge status={r.status} />}
        actions={<RouterLink to={paths.approvals}>All approvals</RouterLink>}
      />
      <div className={s.body}>
        <dl className={s.grid}>
          {facts.map(([label, value]) => (
            <div key={label} style={{ display: 'contents' }}>
              <dt className={s.label}>{label}</dt>
              <dd style={{ margin: 0 }}>{value}</dd>
            </div>
          ))}
        </dl>
        {/* The file the run was asked for: the approval is bound to it, and the start uses it. */}
        <RunInputFile context={{ input: r.input }} />
        <DecisionPanel request={r} />
        <WithdrawButton request={r} />
        {r.status === 'approved' && (
          <MessageBar intent="success">
            <MessageBarBody>
              <MessageBarTitle>Approved</MessageBarTitle>
              The run starts exactly as requested, once; it refuses to write if the data changed beyond the
              preflight.
            </MessageBarBody>
          </MessageBar>
        )}
        {r.status === 'approved' && canRun && (
          <div>
            <Button
              appearance="primary"
              icon={<PlayRegular />}
              disabled={start.isPending}
              onClick={() => start.mutate({ id: r.id })}
            >
              Start approved run
            </Button>
          </div>
        )}
        {start.error && <ErrorState error={start.error} />}
        {r.runId && (
          <Text>
            Started as <RouterLink to={paths.run(r.runId)}>run #{r.runId}</RouterLink>.
          </Text>
        )}
      </div>
    </>
  );
}
