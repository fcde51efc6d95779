import {
  Badge,
  Button,
  Dropdown,
  Field,
  Input,
  makeStyles,
  Option,
  SearchBox,
  Text,
  tokens,
} from '@fluentui/react-components';
import { ArrowDownloadRegular, DismissRegular, HistoryRegular } from '@fluentui/react-icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { type ApiClient, useTRPC, useTRPCClient } from '../api/trpc.ts';
import type { AuditEvent, RunScope } from '../api/types.ts';
import { paths } from '../app/paths.ts';
import {
  AUDIT_ACTION_LABELS,
  auditActionColor,
  auditActionLabel,
  detailsSummary,
} from '../audit/audit-actions.ts';
import { ChainStatus } from '../audit/ChainStatus.tsx';
import { auditCsvFileName, auditEventsToCsv } from '../audit/csv.ts';
import { DateTime } from '../components/DateTime.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { RouterLink } from '../components/RouterLink.tsx';
import { type Column, SortableTable } from '../components/SortableTable.tsx';
import { EmptyState, ErrorState, LoadingState } from '../components/states.tsx';
import { Breakable } from '../lists/breakable.tsx';
import { ListPager } from '../lists/ListPager.tsx';
import { hasFilters, type ListSpec, type ListState, useListUrlState } from '../lists/list-url-state.ts';
import { useUrlTextFilter } from '../lists/use-url-text-filter.ts';
import { scopeLabel } from '../status/badge-specs.ts';

const PAGE_SIZE = 50;
/** Export CSV pages through every matching event, up to this many. */
const EXPORT_MAX = 10_000;
const ALL = '';
const ID = /^\d{1,19}$/;

const AUDIT_SORTS = ['time', 'action', 'actor', 'run', 'runbook'] as const;
type AuditSort = (typeof AUDIT_SORTS)[number];
type AuditFilter = 'action' | 'run' | 'actor';
/** The audit log in the URL: ?action=…&run=42&actor=…&sort=actor&dir=asc&after=…. */
const AUDIT_LIST: ListSpec<AuditFilter, AuditSort> = {
  filters: ['action', 'run', 'actor'],
  sorts: AUDIT_SORTS,
  defaultDirection: 'desc',
};

const useStyles = makeStyles({
  filters: { display: 'flex', gap: '12px', alignItems: 'flex-end', flexWrap: 'wrap' },
  footer: {
    display: 'flex',
    gap: '12px',
    alignItems: 'center',
    justifyContent: 'space-between',
    flexWrap: 'wrap',
  },
  muted: { color: tokens.colorNeutralForeground2 },
  details: {
    color: tokens.colorNeutralForeground2,
    minWidth: '12em',
    maxWidth: '360px',
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

/** The API input of a list state (the page itself left out when `paged` is false). */
function auditQuery(state: ListState<AuditFilter, AuditSort>, paged: boolean) {
  const { filters, sort, direction, after, before } = state;
  const run = filters.run.trim();
  return {
    limit: PAGE_SIZE,
    ...(paged && after ? { cursor: after } : paged && before ? { before } : {}),
    ...(filters.action ? { action: filters.action } : {}),
    ...(ID.test(run) ? { runId: run } : {}),
    ...(filters.actor.trim() ? { actor: filters.actor.trim() } : {}),
    ...(sort ? { sort, direction } : {}),
  };
}

/** Every event matching the filters, in the page's order, fetched page by page (at most EXPORT_MAX). */
async function allMatching(
  client: ApiClient,
  state: ListState<AuditFilter, AuditSort>,
): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.audit.list.query({
      ...auditQuery(state, false),
      limit: 200,
      ...(cursor ? { cursor } : {}),
    });
    events.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && events.length < EXPORT_MAX);
  return events.slice(0, EXPORT_MAX);
}

export function AuditPage() {
  const s = useStyles();
  const trpc = useTRPC();
  const client = useTRPCClient();
  const list = useListUrlState(AUDIT_LIST);
  const { filters, sort, direction, after, before } = list.state;
  const [runTyped, setRunTyped] = useUrlTextFilter(filters.run, (v) => list.setFilter('run', v, true));
  const [actorTyped, setActorTyped] = useUrlTextFilter(filters.actor, (v) =>
    list.setFilter('actor', v, true),
  );
  const runInvalid = runTyped.trim() !== '' && !ID.test(runTyped.trim());
  const filtered = hasFilters(filters);
  const [exporting, setExporting] = useState<unknown>(null);
  const events = useQuery(
    trpc.audit.list.queryOptions(auditQuery(list.state, true), { placeholderData: keepPreviousData }),
  );
  const items = events.data?.items ?? [];

  const exportCsv = async () => {
    setExporting(true);
    try {
      download(auditEventsToCsv(await allMatching(client, list.state)), auditCsvFileName());
      setExporting(null);
    } catch (error) {
      setExporting(error);
    }
  };

  const columns: Column<AuditEvent>[] = [
    {
      id: 'time',
      label: 'Time',
      sortable: true,
      render: (e) => <DateTime iso={e.occurredAt} />,
    },
    {
      id: 'action',
      label: 'Action',
      sortable: true,
      render: (e) => (
        <Badge appearance="tint" color={auditActionColor(e.action)} style={{ whiteSpace: 'nowrap' }}>
          {auditActionLabel(e.action)}
        </Badge>
      ),
    },
    {
      id: 'actor',
      label: 'Actor',
      sortable: true,
      render: (e) => <Breakable text={e.actorLabel} />,
    },
    {
      id: 'run',
      label: 'Run',
      sortable: true,
      render: (e) => (e.runId ? <RouterLink to={paths.run(e.runId)}>#{e.runId}</RouterLink> : '—'),
    },
    {
      id: 'runbook',
      label: 'Runbook',
      sortable: true,
      render: (e) => (e.runbookId ? <Breakable text={e.runbookId} /> : '—'),
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
        description="Every preflight, run, control action, break-glass and failed sign-in, newest first; a column header sorts all events by it. Entries cannot be changed."
        actions={
          <Button
            icon={<ArrowDownloadRegular />}
            disabled={items.length === 0 || exporting === true}
            onClick={() => void exportCsv()}
          >
            {exporting === true ? 'Exporting…' : 'Export CSV'}
          </Button>
        }
      />
      <ChainStatus />
      {exporting !== null && exporting !== true && <ErrorState error={exporting} />}
      <search className={s.filters} aria-label="Filter audit events">
        <Field label="Action">
          <Dropdown
            value={filters.action ? auditActionLabel(filters.action) : 'All actions'}
            selectedOptions={[filters.action]}
            onOptionSelect={(_, d) => list.setFilter('action', d.optionValue ?? ALL)}
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
          validationState={runInvalid ? 'error' : 'none'}
          validationMessage={runInvalid ? 'A run id is a number, like 42.' : undefined}
        >
          <Input
            value={runTyped}
            onChange={(_, d) => setRunTyped(d.value)}
            placeholder="Run id"
            inputMode="numeric"
          />
        </Field>
        <Field label="Actor">
          <SearchBox
            value={actorTyped}
            onChange={(_, d) => setActorTyped(d.value)}
            placeholder="e-mail or system:cli"
          />
        </Field>
        {filtered && (
          <Button icon={<DismissRegular />} appearance="subtle" onClick={list.clearFilters}>
            Clear filters
          </Button>
        )}
      </search>
      {events.isPending && <LoadingState label="Loading audit events…" />}
      {events.isError && <ErrorState error={events.error} onRetry={() => events.refetch()} />}
      {events.data && items.length === 0 && (
        <EmptyState
          icon={<HistoryRegular />}
          title={
            filtered
              ? 'No audit event matches the filters'
              : after || before
                ? 'No events on this page'
                : 'No audit events yet'
          }
        >
          {filtered ? (
            <>
              Change or clear the filters to see other events.{' '}
              <Button appearance="primary" icon={<DismissRegular />} onClick={list.clearFilters}>
                Clear filters
              </Button>
            </>
          ) : after || before ? (
            <Button onClick={list.firstPage}>Go to the first page</Button>
          ) : undefined}
        </EmptyState>
      )}
      {items.length > 0 && (
        <SortableTable
          label="Audit events"
          items={items}
          columns={columns}
          rowKey={(e) => e.id}
          sort={sort ? { column: sort, direction } : { column: 'time', direction: 'desc' }}
          onSortChange={(column, dir) => list.setSort(column as AuditSort, dir)}
        />
      )}
      {events.data && (items.length > 0 || events.data.prevCursor) && (
        <div className={s.footer}>
          <Text size={200} className={s.muted}>
            {PAGE_SIZE} events a page. Export CSV saves every event{' '}
            {filtered ? 'matching the filters' : 'in the log'} (up to {EXPORT_MAX.toLocaleString('en-US')}).
          </Text>
          <ListPager
            label="Pages of audit events"
            prevCursor={events.data.prevCursor}
            nextCursor={events.data.nextCursor}
            onPrevious={list.pageBefore}
            onNext={list.pageAfter}
          />
        </div>
      )}
    </>
  );
}
