import { Link as FluentLink } from '@fluentui/react-components';
import type { MouseEvent, ReactNode } from 'react';
import { useLocation } from 'wouter';
import { absolutePath } from '../app/paths.ts';

/** Opens in a new tab (or window) instead of navigating in place: leave those clicks to the browser. */
export function isPlainLeftClick(e: MouseEvent): boolean {
  return e.button === 0 && !e.metaKey && !e.ctrlKey && !e.shiftKey && !e.altKey;
}

/** A Fluent link to a console route: a real href (copyable, openable in a new tab), routed in place. */
export function RouterLink({
  to,
  children,
  onClick,
  className,
}: {
  to: string;
  children: ReactNode;
  onClick?: () => void;
  className?: string;
}) {
  const [, navigate] = useLocation();
  return (
    <FluentLink
      href={absolutePath(to)}
      className={className}
      onClick={(e: MouseEvent<HTMLAnchorElement>) => {
        onClick?.();
        if (!isPlainLeftClick(e)) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </FluentLink>
  );
}
