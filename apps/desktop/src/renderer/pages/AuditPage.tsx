import {
  Badge,
  Button,
  Dropdown,
  Field,
  Input,
  makeStyles,
  Option,
  Text,
  tokens,
} from '@fluentui/react-components';
import { ArrowDownloadRegular, HistoryRegular } from '@fluentui/react-icons';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '../api/trpc.ts';
import type { AuditEvent, RunScope } from '../api/types.ts';
import { paths } from '../app/paths.ts';
import {
  AUDIT_ACTION_LABELS,
  auditActionColor,
  auditActionLabel,
  detailsSummary,
} from '../audit/audit-actions.ts';
import { auditCsvFileName, auditEventsToCsv } from '../audit/csv.ts';
import { DateTime } from '../components/DateTime.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { RouterLink } from '../components/RouterLink.tsx';
import { type Column, SortableTable } from '../components/SortableTable.tsx';
import { EmptyState, ErrorState, LoadingState } from '../components/states.tsx';
import { scopeLabel } from '../status/badge-specs.ts';

const PAGE_SIZE = 100;
const ALL = '';

const useStyles = makeStyles({
  filters: { display: 'flex', gap: '12px', alignItems: 'flex-end', flexWrap: 'wrap' },
  footer: { display: 'flex', gap: '12px', alignItems: 'center', justifyContent: 'space-between' },
  muted: { color: tokens.colorNeutralForeground2 },
  details: {
    color: tokens.colorNeutralForeground2,
    minWidth: '240px',
    maxWidth: '420px',
    display: 'inline-block',
    wordBreak: 'break-word',
  },
});

function download(text: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const cmp = (a: string | null, b: string | null) => (a ?? '').localeCompare(b ?? '');

export function AuditPage() {
  const s = useStyles();
  const trpc = useTRPC();
  const [action, setAction] = useState(ALL);
  const [runId, setRunId] = useState('');
  const runFilter = /^\d{1,19}$/.test(runId.trim()) ? runId.trim() : undefined;
  const events = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(
      { limit: PAGE_SIZE, ...(action ? { action } : {}), ...(runFilter ? { runId: runFilter } : {}) },
      { getNextPageParam: (page) => page.nextCursor ?? undefined },
    ),
  );
  const items = events.data?.pages.flatMap((p) => p.items) ?? [];

  const columns: Column<AuditEvent>[] = [
    {
      id: 'time',
      label: 'Time',
      compare: (a, b) => cmp(a.occurredAt, b.occurredAt),
      render: (e) => <DateTime iso={e.occurredAt} />,
    },
    {
      id: 'action',
      label: 'Action',
      compare: (a, b) => cmp(auditActionLabel(a.action), auditActionLabel(b.action)),
      render: (e) => (
        <Badge appearance="tint" color={auditActionColor(e.action)} style={{ whiteSpace: 'nowrap' }}>
          {auditActionLabel(e.action)}
        </Badge>
      ),
    },
    {
      id: 'actor',
      label: 'Actor',
      compare: (a, b) => cmp(a.actorLabel, b.actorLabel),
      render: (e) => e.actorLabel,
    },
    {
      id: 'run',
      label: 'Run',
      compare: (a, b) => Number(a.runId ?? 0) - Number(b.runId ?? 0),
      render: (e) => (e.runId ? <RouterLink to={paths.run(e.runId)}>#{e.runId}</RouterLink> : '—'),
    },
    {
      id: 'runbook',
      label: 'Runbook',
      compare: (a, b) => cmp(a.runbookId, b.runbookId),
      render: (e) => e.runbookId ?? '—',
    },
    { id: 'scope', label: 'Scope', render: (e) => (e.scope ? scopeLabel(e.scope as RunScope) : '—') },
    { id: 'outcome', label: 'Outcome', render: (e) => e.outcome ?? '—' },
    { id: 'ip', label: 'IP', render: (e) => e.ip ?? '—' },
    {
      id: 'details',
      label: 'Details',
      render: (e) => (
        <Text size={200} className={s.details}>
          {detailsSummary(e.details)}
        </Text>
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every preflight, run, control action, break-glass and failed sign-in, newest first. Entries cannot be changed."
        actions={
          <Button
            icon={<ArrowDownloadRegular />}
            disabled={items.length === 0}
            onClick={() => download(auditEventsToCsv(items), auditCsvFileName())}
          >
            Export CSV
          </Button>
        }
      />
      <search className={s.filters} aria-label="Filter audit events">
        <Field label="Action">
          <Dropdown
            value={action ? auditActionLabel(action) : 'All actions'}
            selectedOptions={[action]}
            onOptionSelect={(_, d) => setAction(d.optionValue ?? ALL)}
          >
            <Option value={ALL}>All actions</Option>
            {Object.entries(AUDIT_ACTION_LABELS).map(([value, { label }]) => (
              <Option key={value} value={value}>
                {label}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field
          label="Run"
          validationState={runId.trim() && !runFilter ? 'error' : 'none'}
          validationMessage={runId.trim() && !runFilter ? 'A run id is a number, like 42.' : undefined}
        >
          <Input
            value={runId}
            onChange={(_, d) => setRunId(d.value)}
            placeholder="Run id"
            inputMode="numeric"
          />
        </Field>
      </search>
      {events.isPending && <LoadingState label="Loading audit events…" />}
      {events.isError && <ErrorState error={events.error} onRetry={() => events.refetch()} />}
      {events.data && items.length === 0 && (
        <EmptyState icon={<HistoryRegular />} title="No audit events match">
          Change the filters to see more.
        </EmptyState>
      )}
      {items.length > 0 && (
        <SortableTable
          label="Audit events"
          items={items}
          columns={columns}
          rowKey={(e) => e.id}
          defaultSort={{ column: 'time', direction: 'descending' }}
        />
      )}
      {events.data && (
        <div className={s.footer}>
          <Text size={200} className={s.muted}>
            {items.length} events loaded. Export CSV saves the loaded events.
          </Text>
          <Button
            disabled={!events.hasNextPage || events.isFetchingNextPage}
            onClick={() => events.fetchNextPage()}
          >
            {events.isFetchingNextPage
              ? 'Loading…'
              : events.hasNextPage
                ? 'Load older events'
                : 'No older events'}
          </Button>
        </div>
      )}
    </>
  );
}
