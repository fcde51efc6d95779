import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { ShieldErrorFilled } from '@fluentui/react-icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { reasonCodeLabel } from '../api/reasons.ts';
import { useTRPC } from '../api/trpc.ts';
import { useMe } from '../app/me-context.ts';
import { formatCountdown, formatDateTime } from '../format/time.ts';

// Solid red, white text: it must not be mistaken for an ordinary notice (contrast 5.9:1).
const useStyles = makeStyles({
  banner: {
    borderRadius: 0,
    minWidth: 0,
    maxWidth: '100%',
    boxSizing: 'border-box',
    overflowWrap: 'anywhere',
    backgroundColor: tokens.colorStatusDangerBackground3,
    color: tokens.colorNeutralForegroundOnBrand,
    border: 'none',
  },
  icon: { color: tokens.colorNeutralForegroundOnBrand },
  title: { color: tokens.colorNeutralForegroundOnBrand },
  // The same in light and dark themes: the banner's red does not change either.
  end: {
    color: '#242424',
    backgroundColor: '#ffffff',
    ':hover': { backgroundColor: '#f0f0f0', color: '#242424' },
  },
});

function useNow(intervalMs: number): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}

/** While break-glass is active: on every page, with the time left and a way out. */
export function BreakGlassBanner() {
  const me = useMe();
  const breakGlass = me.breakGlass;
  if (!breakGlass) return null;
  return (
    <ActiveBreakGlassBanner
      expiresAt={breakGlass.expiresAt}
      reasonCode={breakGlass.reasonCode}
      reasonText={breakGlass.reasonText}
    />
  );
}

function ActiveBreakGlassBanner({
  expiresAt,
  reasonCode,
  reasonText,
}: {
  expiresAt: string;
  reasonCode: string;
  reasonText: string;
}) {
  const s = useStyles();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const now = useNow(1000);
  const left = new Date(expiresAt).getTime() - now;
  const expired = left <= 0;
  const end = useMutation(
    trpc.breakGlass.deactivate.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.me.get.queryKey() }),
    }),
  );

  useEffect(() => {
    // When the time is up the daemon has already withdrawn the rights; show what it says now.
    if (expired) void queryClient.invalidateQueries({ queryKey: trpc.me.get.queryKey() });
  }, [expired, queryClient, trpc]);

  return (
    <MessageBar
      intent="error"
      // Multiline: the reason text is the operator's and can be long; on one line it pushed the
      // page wider than the window (1303 px at 1280) and "End break-glass" off-screen.
      layout="multiline"
      className={s.banner}
      icon={<ShieldErrorFilled className={s.icon} />}
      role="region"
      aria-label="Break-glass active"
      data-testid="break-glass-banner"
    >
      <MessageBarBody>
        <MessageBarTitle className={s.title}>
          Break-glass active: {formatCountdown(left)} left
        </MessageBarTitle>
        Elevated rights end at {formatDateTime(expiresAt)}. Reason: {reasonCodeLabel(reasonCode)} —{' '}
        {reasonText}
      </MessageBarBody>
      <MessageBarActions>
        <Button className={s.end} onClick={() => end.mutate({})} disabled={end.isPending}>
          End break-glass
        </Button>
      </MessageBarActions>
    </MessageBar>
  );
}
