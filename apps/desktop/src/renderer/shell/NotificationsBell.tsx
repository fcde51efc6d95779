import {
  Button,
  CounterBadge,
  makeStyles,
  mergeClasses,
  Popover,
  PopoverSurface,
  PopoverTrigger,
  Text,
  tokens,
} from '@fluentui/react-components';
import { AlertRegular } from '@fluentui/react-icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '../api/trpc.ts';
import type { AppNotification, RunOutcome } from '../api/types.ts';
import { paths } from '../app/paths.ts';
import { RouterLink } from '../components/RouterLink.tsx';
import { EmptyState, ErrorState, LoadingState } from '../components/states.tsx';
import { useVisuallyHidden } from '../components/visually-hidden.ts';
import { formatDateTime, formatRelative } from '../format/time.ts';
import { RUN_OUTCOME_BADGES } from '../status/badge-specs.ts';
import { RunOutcomeBadge } from '../status/RunBadges.tsx';
import { useHeaderButtonStyles } from './header-button.ts';

/** Run notifications are of kind `run.<outcome>`: show that outcome's badge, the same as everywhere. */
function runOutcomeOf(kind: string): RunOutcome | null {
  const outcome = kind.startsWith('run.') ? kind.slice(4) : '';
  return outcome in RUN_OUTCOME_BADGES ? (outcome as RunOutcome) : null;
}

const useStyles = makeStyles({
  trigger: { color: tokens.colorNeutralForegroundOnBrand, minWidth: '40px' },
  icon: { position: 'relative', display: 'inline-flex' },
  count: { position: 'absolute', top: '-6px', right: '-10px', pointerEvents: 'none' },
  surface: { width: '380px', maxHeight: '480px', overflowY: 'auto', padding: '12px 0' },
  head: { display: 'flex', alignItems: 'center', justifyContent: 'space-between', padding: '0 16px 8px' },
  list: { listStyle: 'none', margin: 0, padding: 0 },
  item: {
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'flex-start',
    gap: '2px',
    padding: '10px 16px',
    borderTop: `1px solid ${tokens.colorNeutralStroke2}`,
  },
  unread: { borderLeft: `3px solid ${tokens.colorBrandStroke1}`, paddingLeft: '13px' },
  meta: { color: tokens.colorNeutralForeground2 },
});

/** The in-app notifications (failed runs of this operator, and whatever else the daemon sends). */
export function NotificationsBell() {
  const s = useStyles();
  const header = useHeaderButtonStyles();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const list = useQuery(trpc.notifications.list.queryOptions({ limit: 20 }, { refetchInterval: 30_000 }));
  const markRead = useMutation(
    trpc.notifications.markRead.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.notifications.list.queryKey() }),
    }),
  );
  const unread = list.data?.unreadCount ?? 0;

  return (
    <Popover open={open} onOpenChange={(_, d) => setOpen(d.open)} positioning="below-end" trapFocus>
      <PopoverTrigger disableButtonEnhancement>
        <Button
          appearance="transparent"
          className={mergeClasses(header.root, s.trigger)}
          icon={
            <span className={s.icon}>
              <AlertRegular />
              {unread > 0 && (
                <CounterBadge
                  className={s.count}
                  count={unread}
                  size="small"
                  color="danger"
                  aria-hidden="true"
                />
              )}
            </span>
          }
          aria-label={unread > 0 ? `Notifications, ${unread} unread` : 'Notifications'}
        />
      </PopoverTrigger>
      <PopoverSurface className={s.surface} aria-label="Notifications">
        <div className={s.head}>
          <Text weight="semibold" size={400} as="h2" style={{ margin: 0 }}>
            Notifications
          </Text>
          <Button
            size="small"
            appearance="subtle"
            disabled={unread === 0 || markRead.isPending}
            onClick={() => markRead.mutate({})}
          >
            Mark all as read
          </Button>
        </div>
        {list.isPending && <LoadingState label="Loading notifications…" />}
        {list.isError && <ErrorState error={list.error} onRetry={() => list.refetch()} />}
        {list.data && list.data.items.length === 0 && (
          <EmptyState title="No notifications">You are told here when one of your runs fails.</EmptyState>
        )}
        {list.data && list.data.items.length > 0 && (
          <ul className={s.list}>
            {list.data.items.map((n) => (
              <NotificationItem
                key={n.id}
                n={n}
                onOpen={() => {
                  if (!n.readAt) markRead.mutate({ ids: [n.id] });
                  setOpen(false);
                }}
              />
            ))}
          </ul>
        )}
      </PopoverSurface>
    </Popover>
  );
}

function NotificationItem({ n, onOpen }: { n: AppNotification; onOpen: () => void }) {
  const s = useStyles();
  const hidden = useVisuallyHidden();
  const outcome = runOutcomeOf(n.kind);
  return (
    <li className={`${s.item} ${n.readAt ? '' : s.unread}`}>
      {outcome && <RunOutcomeBadge outcome={outcome} />}
      <Text weight={n.readAt ? 'regular' : 'semibold'}>
        {n.readAt ? '' : <span className={hidden.root}>Unread: </span>}
        {n.title}
      </Text>
      {n.body && <Text size={200}>{n.body}</Text>}
      <Text size={200} className={s.meta} title={formatDateTime(n.createdAt)}>
        {formatRelative(n.createdAt)}
        {n.runId && (
          <>
            {' · '}
            <RouterLink to={paths.run(n.runId)} onClick={onOpen}>
              View run #{n.runId}
            </RouterLink>
          </>
        )}
      </Text>
    </li>
  );
}
