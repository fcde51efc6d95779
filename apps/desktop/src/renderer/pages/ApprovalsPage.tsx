import {
  makeStyles,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from '@fluentui/react-components';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { CAPABILITIES } from '../api/capabilities.ts';
import { useTRPC } from '../api/trpc.ts';
import { useCan } from '../app/me-context.ts';
import { paths } from '../app/paths.ts';
import { scopeWords } from '../approvals/approval-words.ts';
import { PolicyEditor } from '../approvals/PolicyEditor.tsx';
import { RequestStatusBadge } from '../approvals/RequestStatusBadge.tsx';
import { DateTime } from '../components/DateTime.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { RouterLink } from '../components/RouterLink.tsx';
import { EmptyState, ErrorState, LoadingState } from '../components/states.tsx';
import { formatCount } from '../format/numbers.ts';

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', gap: '16px', marginTop: '24px' },
});

/**
 * Four-eyes approval: run requests (newest first, live) and each runbook's approval policy. Anyone
 * with the ops view sees them; deciding and changing policies needs platform.runbooks.approve.
 */
export function ApprovalsPage() {
  const s = useStyles();
  const trpc = useTRPC();
  const canApprove = useCan(CAPABILITIES.runbooksApprove);
  const requests = useQuery(trpc.approvals.list.queryOptions({ limit: 100 }));
  const policies = useQuery(trpc.approvals.policies.queryOptions(undefined, { retry: false }));
  const runbooks = useQuery(trpc.runbooks.list.queryOptions(undefined, { retry: false }));
  const titles = useMemo(() => new Map((runbooks.data ?? []).map((r) => [r.id, r.title])), [runbooks.data]);
  return (
    <>
      <PageHeader
        title="Approvals"
        description={
          canApprove
            ? 'Runs that need a second operator: open a request to approve or reject it (never your own). Policies say which runs need approval.'
            : "Runs that need a second operator's approval. Approving needs the capability platform.runbooks.approve."
        }
      />
      {requests.isLoading ? (
        <LoadingState label="Loading run requests…" />
      ) : requests.error ? (
        <ErrorState error={requests.error} onRetry={() => requests.refetch()} />
      ) : !requests.data?.items.length ? (
        <EmptyState title="No run requests">
          A run that needs approval is requested from its Run… dialog.
        </EmptyState>
      ) : (
        <Table aria-label="Run requests" size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Request</TableHeaderCell>
              <TableHeaderCell>State</TableHeaderCell>
              <TableHeaderCell>Runbook</TableHeaderCell>
              <TableHeaderCell>Scope</TableHeaderCell>
              <TableHeaderCell>Affected</TableHeaderCell>
              <TableHeaderCell>Requested by</TableHeaderCell>
              <TableHeaderCell>Requested</TableHeaderCell>
              <TableHeaderCell>Expires</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {requests.data.items.map((r) => (
              <TableRow key={r.id} data-testid={`request-row-${r.id}`}>
                <TableCell>
                  <RouterLink to={paths.approval(r.id)}>Request #{r.id}</RouterLink>
                </TableCell>
                <TableCell>
                  <RequestStatusBadge status={r.status} />
                </TableCell>
                <TableCell>{titles.get(r.runbookId) ?? r.runbookId}</TableCell>
                <TableCell>{scopeWords(r.scope)}</TableCell>
                <TableCell>{formatCount(r.preflight.affected_count)}</TableCell>
                <TableCell>{r.requester.email}</TableCell>
                <TableCell>
                  <DateTime iso={r.createdAt} />
                </TableCell>
                <TableCell>
                  <DateTime iso={r.expiresAt} />
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      <div className={s.section}>
        <Text as="h2" size={500} weight="semibold">
          Approval policies
        </Text>
        {policies.error ? (
          <ErrorState error={policies.error} />
        ) : (
          (policies.data ?? []).map((p) => (
            <PolicyEditor
              key={`${p.runbookId}:${p.mode}:${p.exemptIdentities.join(',')}`}
              policy={p}
              title={titles.get(p.runbookId) ?? p.runbookId}
              canEdit={canApprove}
            />
          ))
        )}
      </div>
    </>
  );
}
