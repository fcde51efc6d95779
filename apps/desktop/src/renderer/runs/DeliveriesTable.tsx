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
import { alertEventLabel } from '../alerts/alert-events.ts';
import { DESTINATION_KINDS, DestinationKindLabel } from '../alerts/DestinationKindLabel.tsx';
import { useTRPC } from '../api/trpc.ts';
import type { AlertDelivery, RunRecord } from '../api/types.ts';
import { DateTime } from '../components/DateTime.tsx';
import { ErrorState, LoadingState } from '../components/states.tsx';
import { DeliveryStatusBadge } from '../status/RunBadges.tsx';

const useStyles = makeStyles({
  // Columns sized by their content (Fluent's default is equal fixed widths).
  table: { tableLayout: 'auto' },
});

/** Deliveries are enqueued as the run ends, and retried with backoff: watch them for a while. */
const POLL_MS = 3000;
const WATCH_AFTER_FINISH_MS = 60_000;

function stillMoving(
  run: Pick<RunRecord, 'finishedAt'>,
  deliveries: readonly AlertDelivery[] | undefined,
): boolean {
  if (deliveries?.some((d) => d.status === 'pending' || d.status === 'sending')) return true;
  return !run.finishedAt || Date.now() - Date.parse(run.finishedAt) < WATCH_AFTER_FINISH_MS;
}

/**
 * The alert deliveries of a run: to which destination, about what, and whether it arrived. A
 * delivery that failed never changes the run's outcome; it is shown so nobody assumes an alert
 * went out that did not.
 */
export function DeliveriesTable({ run }: { run: Pick<RunRecord, 'id' | 'finishedAt'> }) {
  const s = useStyles();
  const trpc = useTRPC();
  const deliveries = useQuery(
    trpc.alerts.deliveries.queryOptions(
      { runId: run.id },
      { refetchInterval: (q) => (stillMoving(run, q.state.data) ? POLL_MS : false) },
    ),
  );
  if (deliveries.isPending) return <LoadingState label="Loading alert deliveries…" />;
  if (deliveries.isError) return <ErrorState error={deliveries.error} onRetry={() => deliveries.refetch()} />;
  if (deliveries.data.length === 0) {
    return (
      <Text>
        {run.finishedAt
          ? 'No alerts were sent for this run. Failed runs alert every enabled destination; successful runs only those that ask for it.'
          : 'Alerts are sent when the run ends.'}
      </Text>
    );
  }
  return (
    <Table aria-label="Alert deliveries" size="small" className={s.table}>
      <TableHeader>
        <TableRow>
          <TableHeaderCell>Destination</TableHeaderCell>
          <TableHeaderCell>Event</TableHeaderCell>
          <TableHeaderCell>Status</TableHeaderCell>
          <TableHeaderCell>Attempts</TableHeaderCell>
          <TableHeaderCell>Last error</TableHeaderCell>
          <TableHeaderCell>Delivered</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {deliveries.data.map((d) => (
          <TableRow key={d.id} data-delivery={d.destinationName}>
            <TableCell>
              <DestinationKindLabel kind={d.destinationKind}>
                {`${d.destinationName} (${DESTINATION_KINDS[d.destinationKind].label})`}
              </DestinationKindLabel>
            </TableCell>
            <TableCell>{alertEventLabel(d.event)}</TableCell>
            <TableCell>
              <DeliveryStatusBadge status={d.status} />
            </TableCell>
            <TableCell>
              <AttemptsText delivery={d} />
            </TableCell>
            <TableCell>{d.lastError ?? '—'}</TableCell>
            <TableCell>
              <DateTime iso={d.deliveredAt} />
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function AttemptsText({ delivery: d }: { delivery: AlertDelivery }) {
  const text = `${d.attempts} of ${d.maxAttempts}`;
  if (d.status !== 'pending' || !d.nextAttemptAt || d.attempts === 0) return <>{text}</>;
  return (
    <>
      {text}, next at <DateTime iso={d.nextAttemptAt} />
    </>
  );
}
