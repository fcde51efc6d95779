import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  Spinner,
  Text,
  tokens,
} from '@fluentui/react-components';
import { ArrowClockwiseRegular } from '@fluentui/react-icons';
import type { ReactNode } from 'react';
import { describeApiError, missingCapabilityError, type OperatorError } from '../api/api-error.ts';
import { paths } from '../app/paths.ts';
import { RouterLink } from './RouterLink.tsx';

const useStyles = makeStyles({
  loading: { display: 'flex', justifyContent: 'center', padding: '48px 0' },
  empty: {
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'center',
    gap: '8px',
    padding: '40px 16px',
    textAlign: 'center',
    color: tokens.colorNeutralForeground2,
  },
  emptyIcon: { fontSize: '40px', color: tokens.colorNeutralForeground3 },
});

/** A page or section that is waiting for data. */
export function LoadingState({ label }: { label: string }) {
  const s = useStyles();
  return (
    <div className={s.loading}>
      <Spinner label={label} />
    </div>
  );
}

/** Nothing to show yet, said plainly, with the next step when there is one. */
export function EmptyState({
  icon,
  title,
  children,
}: {
  icon?: ReactNode;
  title: string;
  children?: ReactNode;
}) {
  const s = useStyles();
  return (
    <div className={s.empty} role="status">
      {icon && (
        <span className={s.emptyIcon} aria-hidden="true">
          {icon}
        </span>
      )}
      <Text weight="semibold" size={400}>
        {title}
      </Text>
      {children && <Text>{children}</Text>}
    </div>
  );
}

/** An API error in operator words, with Retry when retrying can help. */
export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return <OperatorErrorBar described={describeApiError(error)} onRetry={onRetry} />;
}

/**
 * A page the operator may not use: the same words as the daemon's 403, without asking the daemon
 * for something it is bound to refuse.
 */
export function MissingCapabilityState({ capability }: { capability: string }) {
  return <OperatorErrorBar described={missingCapabilityError(capability)} />;
}

function OperatorErrorBar({ described, onRetry }: { described: OperatorError; onRetry?: () => void }) {
  return (
    <MessageBar intent="error" layout="multiline" data-error-code={described.code}>
      <MessageBarBody>
        <MessageBarTitle>{described.title}</MessageBarTitle>
        {described.detail}
        {described.holderRunId && (
          <>
            {' '}
            <RouterLink to={paths.run(described.holderRunId)}>Open run #{described.holderRunId}</RouterLink>
          </>
        )}
      </MessageBarBody>
      {onRetry && (
        <MessageBarActions>
          <Button icon={<ArrowClockwiseRegular />} onClick={onRetry}>
            Retry
          </Button>
        </MessageBarActions>
      )}
    </MessageBar>
  );
}
