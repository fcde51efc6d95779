import {
  Badge,
  Caption1,
  Card,
  CardHeader,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  Text,
  tokens,
} from '@fluentui/react-components';
import { PlugDisconnectedRegular } from '@fluentui/react-icons';
import type { Runbook } from '../api/types.ts';
import { runbookHeadingId } from './RunbookCard.tsx';

const useStyles = makeStyles({
  // Visibly out of service (dashed, no fill), while its text keeps full contrast: the reason
  // must stay readable.
  card: {
    padding: '20px',
    gap: '14px',
    backgroundColor: tokens.colorNeutralBackground2,
    border: `1px dashed ${tokens.colorNeutralStroke1}`,
    boxShadow: 'none',
  },
  title: {
    fontSize: tokens.fontSizeBase500,
    lineHeight: tokens.lineHeightBase500,
    margin: 0,
    display: 'flex',
    alignItems: 'center',
    gap: '8px',
    flexWrap: 'wrap',
  },
  reason: { fontFamily: tokens.fontFamilyMonospace, wordBreak: 'break-word' },
});

/**
 * A plugin the daemon refused at load (an SDK range it does not meet, an invalid definition, a
 * throw at import): listed so an operator knows why a runbook is missing, with no actions.
 */
export function UnavailableRunbookCard({ runbook }: { runbook: Runbook }) {
  const s = useStyles();
  const headingId = runbookHeadingId(runbook.id);
  return (
    <Card
      className={s.card}
      aria-labelledby={headingId}
      aria-disabled="true"
      data-runbook={runbook.id}
      data-available="false"
    >
      <CardHeader
        header={
          <h2 id={headingId} className={s.title}>
            <Text weight="semibold" size={500}>
              {runbook.title}
            </Text>
            <Badge appearance="outline" color="informative" icon={<PlugDisconnectedRegular />}>
              Unavailable
            </Badge>
          </h2>
        }
        description={<Caption1>{runbook.id}</Caption1>}
      />
      <MessageBar intent="warning" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>The daemon did not load this plugin</MessageBarTitle>
          It cannot be previewed or run until its author fixes it and the daemon is restarted. Reason:{' '}
          <span className={s.reason}>{runbook.unavailableReason ?? 'not given'}</span>
        </MessageBarBody>
      </MessageBar>
    </Card>
  );
}
