import {
  Accordion,
  AccordionHeader,
  AccordionItem,
  AccordionPanel,
  Breadcrumb,
  BreadcrumbButton,
  BreadcrumbDivider,
  BreadcrumbItem,
  Card,
  makeStyles,
  Text,
  tokens,
} from '@fluentui/react-components';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useLocation } from 'wouter';
import { apiErrorCode } from '../api/api-error.ts';
import { CAPABILITIES } from '../api/capabilities.ts';
import { useTRPC } from '../api/trpc.ts';
import { useCan } from '../app/me-context.ts';
import { absolutePath, paths } from '../app/paths.ts';
import { PageHeader } from '../components/PageHeader.tsx';
import { isPlainLeftClick } from '../components/RouterLink.tsx';
import { EmptyState, ErrorState, LoadingState } from '../components/states.tsx';
import { AuditTimeline } from '../runs/AuditTimeline.tsx';
import { DeliveriesTable } from '../runs/DeliveriesTable.tsx';
import { FailuresTable } from '../runs/FailuresTable.tsx';
import { RevertPanel } from '../runs/RevertPanel.tsx';
import { RunApprovalNotice } from '../runs/RunApprovalNotice.tsx';
import { RunControls } from '../runs/RunControls.tsx';
import { RunDetailsGrid } from '../runs/RunDetailsGrid.tsx';
import { RunInputFile } from '../runs/RunInputFile.tsx';
import { RunInterruptedNotice } from '../runs/RunInterruptedNotice.tsx';
import { RunParameters } from '../runs/RunParameters.tsx';
import { RunProgressCard } from '../runs/RunProgressCard.tsx';
import { RunStartCheckNotice } from '../runs/RunStartCheckNotice.tsx';
import { failuresOf, interruptionOf } from '../runs/run-figures.ts';
import { SummaryGrid } from '../runs/SummaryGrid.tsx';
import { useLiveRun } from '../runs/use-live-run.ts';
import { isActiveStatus } from '../status/badge-specs.ts';
import { RunStateBadges, ScopeBadge } from '../status/RunBadges.tsx';

const useStyles = makeStyles({
  badges: { display: 'flex', gap: '6px', flexWrap: 'wrap', alignItems: 'center' },
  section: { padding: '16px 20px', gap: '12px' },
  sectionTitle: { margin: 0 },
  json: {
    margin: 0,
    padding: '12px',
    // Wrapped rather than scrolled: a scrolling box would need to be focusable for keyboards.
    whiteSpace: 'pre-wrap',
    wordBreak: 'break-word',
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    backgroundColor: tokens.colorNeutralBackground3,
    borderRadius: tokens.borderRadiusMedium,
  },
});

function Section({ title, children }: { title: string; children: ReactNode }) {
  const s = useStyles();
  const id = `section-${title.toLowerCase().replaceAll(' ', '-')}`;
  return (
    <Card className={s.section} aria-labelledby={id}>
      <Text as="h2" id={id} weight="semibold" size={400} className={s.sectionTitle}>
        {title}
      </Text>
      {children}
    </Card>
  );
}

export function RunDetailPage({ id }: { id: string }) {
  const s = useStyles();
  const trpc = useTRPC();
  const [, navigate] = useLocation();
  const canControl = useCan(CAPABILITIES.runbooksRun);
  const { run, live } = useLiveRun(id);
  const runbooks = useQuery(trpc.runbooks.list.queryOptions(undefined, { retry: false }));

  const crumbs = (
    <Breadcrumb aria-label="Breadcrumb">
      <BreadcrumbItem>
        <BreadcrumbButton
          href={absolutePath(paths.runs)}
          onClick={(e) => {
            if (!isPlainLeftClick(e)) return;
            e.preventDefault();
            navigate(paths.runs);
          }}
        >
          Runs
        </BreadcrumbButton>
      </BreadcrumbItem>
      <BreadcrumbDivider />
      <BreadcrumbItem>
        <BreadcrumbButton current>Run #{id}</BreadcrumbButton>
      </BreadcrumbItem>
    </Breadcrumb>
  );

  if (run.isPending)
    return (
      <>
        {crumbs}
        <LoadingState label={`Loading run #${id}…`} />
      </>
    );
  if (run.isError) {
    return (
      <>
        {crumbs}
        {apiErrorCode(run.error) === 'NOT_FOUND' ? (
          <EmptyState title={`Run #${id} does not exist`}>
            Check the address, or find the run in the list of runs.
          </EmptyState>
        ) : (
          <ErrorState error={run.error} onRetry={() => run.refetch()} />
        )}
      </>
    );
  }

  const r = run.data;
  const title = runbooks.data?.find((b) => b.id === r.type)?.title ?? r.type;
  const active = isActiveStatus(r.status);
  return (
    <>
      {crumbs}
      <PageHeader
        title={
          typeof r.context.reverts_run_id === 'string'
            ? `Run #${r.id}: revert of run #${r.context.reverts_run_id} (${title})`
            : `Run #${r.id}: ${title}`
        }
        badges={
          <div className={s.badges} data-testid="run-badges">
            <RunStateBadges status={r.status} outcome={r.outcome} />
            <ScopeBadge scope={r.scope} />
          </div>
        }
        actions={canControl && active ? <RunControls run={r} /> : undefined}
      />
      <RunInterruptedNotice run={r} />
      <RunStartCheckNotice run={r} />
      {(active || Object.keys(r.progress).length > 0) && <RunProgressCard run={r} live={live} />}
      <Section title="Details">
        <RunDetailsGrid run={r} runbookTitle={title} />
        <RunApprovalNotice context={r.context as Record<string, unknown>} />
      </Section>
      <Section title="Summary">
        <RunParameters params={r.params} />
        <RunInputFile context={r.context as Record<string, unknown>} />
        <SummaryGrid summary={r.summary as Record<string, unknown>} />
      </Section>
      <Section title="Revert">
        <RevertPanel run={r} />
      </Section>
      <Section title="Failures">
        <FailuresTable
          failures={failuresOf(r)}
          emptyText={
            interruptionOf(r) ? 'No chunk failed before the run was interrupted: see why above.' : undefined
          }
        />
      </Section>
      <Section title="Deliveries">
        <DeliveriesTable run={r} />
      </Section>
      <Section title="Audit trail">
        <AuditTimeline runId={r.id} />
      </Section>
      <Accordion collapsible>
        <AccordionItem value="context">
          <AccordionHeader>Raw run context (JSON)</AccordionHeader>
          <AccordionPanel>
            <pre className={s.json}>{JSON.stringify(r.context, null, 2)}</pre>
          </AccordionPanel>
        </AccordionItem>
      </Accordion>
    </>
  );
}
