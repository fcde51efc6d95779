import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import type { Me } from '../api/types.ts';

/**
 * When the operator's rights change (break-glass entered, ended or expired, capabilities changed),
 * every query is asked again: a page that said "You do not have permission" a moment ago shows
 * its data without a Retry, and one whose rights were withdrawn says so.
 */
export function useRefetchOnRightsChange(me: Pick<Me, 'capabilities' | 'breakGlass'>): void {
  const queryClient = useQueryClient();
  const rights = JSON.stringify([[...me.capabilities].sort(), me.breakGlass?.expiresAt ?? null]);
  const previous = useRef(rights);
  useEffect(() => {
    if (previous.current === rights) return;
    previous.current = rights;
    void queryClient.invalidateQueries();
  }, [rights, queryClient]);
}
