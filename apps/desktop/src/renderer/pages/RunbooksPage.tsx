import { MessageBar, MessageBarBody, MessageBarTitle, makeStyles } from '@fluentui/react-components';
import { BookOpenRegular } from '@fluentui/react-icons';
import { useQuery } from '@tanstack/react-query';
import { CAPABILITIES, hasCapability } from '../api/capabilities.ts';
import { useTRPC } from '../api/trpc.ts';
import { useMe } from '../app/me-context.ts';
import { PageHeader } from '../components/PageHeader.tsx';
import { EmptyState, ErrorState, LoadingState } from '../components/states.tsx';
import { RunbookCard } from '../runbooks/RunbookCard.tsx';
import { UnavailableRunbookCard } from '../runbooks/UnavailableRunbookCard.tsx';

const CATALOG_POLL_MS = 3_000;

const useStyles = makeStyles({ list: { display: 'flex', flexDirection: 'column', gap: '16px' } });

export function RunbooksPage() {
  const s = useStyles();
  const trpc = useTRPC();
  const me = useMe();
  // Operators who see runs follow them live (use-run-changes.ts); the others' catalog looks again
  // every few seconds while one of its runs is under way.
  const followsLive = hasCapability(me.capabilities, CAPABILITIES.opsView);
  const runbooks = useQuery(
    trpc.runbooks.list.queryOptions(undefined, {
      refetchInterval: (query) =>
        !followsLive && query.state.data?.some((r) => r.lastRun && r.lastRun.status !== 'completed')
          ? CATALOG_POLL_MS
          : false,
    }),
  );
  return (
    <>
      <PageHeader
        title="Runbooks"
        description="Predefined repairs of customer data. Preflight first: it is read-only. Runs are locked, chunked, resumable and audited."
      />
      <MessageBar intent="warning" layout="multiline" data-testid="customer-data-warning">
        <MessageBarBody>
          <MessageBarTitle>Runbooks modify customer data</MessageBarTitle>
          Every run writes to tenant-owned records. Check the preflight, choose the narrowest scope that fixes
          the problem, and give a reason. Every preflight, run, pause and cancel is recorded in the audit log.
        </MessageBarBody>
      </MessageBar>
      {runbooks.isPending && <LoadingState label="Loading runbooks…" />}
      {runbooks.isError && <ErrorState error={runbooks.error} onRetry={() => runbooks.refetch()} />}
      {runbooks.data?.length === 0 && (
        <EmptyState icon={<BookOpenRegular />} title="No runbooks are installed">
          Runbooks come from plugins loaded by the daemon (OPS_PLUGINS).
        </EmptyState>
      )}
      {runbooks.data && runbooks.data.length > 0 && (
        <div className={s.list}>
          {runbooks.data.map((r) =>
            r.available ? (
              <RunbookCard key={r.id} runbook={r} />
            ) : (
              <UnavailableRunbookCard key={r.id} runbook={r} />
            ),
          )}
        </div>
      )}
    </>
  );
}
