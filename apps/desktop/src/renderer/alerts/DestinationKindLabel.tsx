import { makeStyles } from '@fluentui/react-components';
import { MailRegular, PeopleTeamRegular } from '@fluentui/react-icons';
import type { JSX } from 'react';
import type { DestinationKind } from '../api/types.ts';

export const DESTINATION_KINDS: Readonly<
  Record<DestinationKind, { label: string; icon: JSX.Element; addTitle: string }>
> = {
  email: { label: 'E-mail', icon: <MailRegular />, addTitle: 'Add an e-mail destination' },
  teams: { label: 'Microsoft Teams', icon: <PeopleTeamRegular />, addTitle: 'Add a Microsoft Teams channel' },
};

const useStyles = makeStyles({
  root: { display: 'inline-flex', alignItems: 'center', gap: '6px', whiteSpace: 'nowrap' },
  icon: { fontSize: '16px', display: 'inline-flex' },
});

/** The kind of an alert destination: its icon and its name ("E-mail", "Microsoft Teams"). */
export function DestinationKindLabel({ kind, children }: { kind: DestinationKind; children?: string }) {
  const s = useStyles();
  const spec = DESTINATION_KINDS[kind];
  return (
    <span className={s.root} data-kind={kind}>
      <span className={s.icon} aria-hidden="true">
        {spec.icon}
      </span>
      {children ?? spec.label}
    </span>
  );
}
