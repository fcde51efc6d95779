import { Badge, Button, makeStyles, Spinner, Text, Tooltip, tokens } from '@fluentui/react-components';
import { DeleteRegular, EditRegular, SendRegular } from '@fluentui/react-icons';
import type { AlertDestination } from '../api/types.ts';
import { type Column, SortableTable } from '../components/SortableTable.tsx';
import { formatDateTime } from '../format/time.ts';
import { DestinationKindLabel } from './DestinationKindLabel.tsx';
import type { SendTestResult } from './use-send-test.tsx';

const useStyles = makeStyles({
  stack: { display: 'flex', flexDirection: 'column', gap: '2px', alignItems: 'flex-start' },
  secret: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    wordBreak: 'break-all',
  },
  muted: { color: tokens.colorNeutralForeground2 },
  actions: { display: 'flex', gap: '4px', alignItems: 'center' },
  cellStack: { display: 'flex', flexDirection: 'column', gap: '4px', alignItems: 'flex-start' },
  testOk: { color: tokens.colorPaletteGreenForeground1 },
  testFailed: { color: tokens.colorPaletteRedForeground1, maxWidth: '320px', wordBreak: 'break-word' },
});

/** The last Send test's answer, where the operator pressed it: it stays until the next test. */
function TestResult({ name, result }: { name: string; result: SendTestResult | undefined }) {
  const s = useStyles();
  return (
    <Text size={200} role="status" aria-label={`Last test of ${name}`} data-testid="send-test-result">
      {result &&
        (result.ok ? (
          <span className={s.testOk}>Test accepted ({formatDateTime(result.at)})</span>
        ) : (
          <span className={s.testFailed}>
            Test not accepted ({formatDateTime(result.at)}): {result.message}
          </span>
        ))}
    </Text>
  );
}

const cmp = (a: string, b: string) => a.localeCompare(b);

/** Where the alert goes, with the secret masked as the daemon returns it. */
function Address({ destination: d }: { destination: AlertDestination }) {
  const s = useStyles();
  if (d.kind === 'teams') return <span className={s.secret}>{d.webhookUrl ?? '—'}</span>;
  return (
    <div className={s.stack}>
      <Text>{d.recipients.join(', ')}</Text>
      <Text size={200} className={s.muted}>
        {d.smtpUrl ? (
          <>
            via <span className={s.secret}>{d.smtpUrl}</span>
          </>
        ) : (
          'via the daemon’s SMTP server'
        )}
      </Text>
    </div>
  );
}

/** The alert destinations with their actions: Send test, Edit, Delete. */
export function DestinationsTable({
  destinations,
  sendingId,
  testResults = {},
  onSendTest,
  onEdit,
  onDelete,
}: {
  destinations: readonly AlertDestination[];
  sendingId: string | null;
  /** The last Send test answer of each destination, by id. */
  testResults?: Readonly<Record<string, SendTestResult>>;
  onSendTest: (d: AlertDestination) => void;
  onEdit: (d: AlertDestination) => void;
  onDelete: (d: AlertDestination) => void;
}) {
  const s = useStyles();
  const columns: Column<AlertDestination>[] = [
    {
      id: 'kind',
      label: 'Kind',
      compare: (a, b) => cmp(a.kind, b.kind),
      render: (d) => <DestinationKindLabel kind={d.kind} />,
    },
    {
      id: 'name',
      label: 'Name',
      compare: (a, b) => cmp(a.name, b.name),
      render: (d) => (
        <div className={s.stack}>
          <Text weight="semibold">{d.name}</Text>
          {d.source === 'environment' && (
            <Badge appearance="outline" color="informative" size="small">
              From the environment
            </Badge>
          )}
        </div>
      ),
    },
    { id: 'address', label: 'Address', render: (d) => <Address destination={d} /> },
    {
      id: 'enabled',
      label: 'Enabled',
      compare: (a, b) => Number(b.enabled) - Number(a.enabled),
      render: (d) => (
        <Badge appearance={d.enabled ? 'filled' : 'outline'} color={d.enabled ? 'success' : 'informative'}>
          {d.enabled ? 'On' : 'Off'}
        </Badge>
      ),
    },
    {
      id: 'success',
      label: 'Notify on success',
      render: (d) => (d.notifyOnSuccess ? 'Yes' : 'No, failures only'),
    },
    {
      id: 'actions',
      label: 'Actions',
      render: (d) => (
        <div className={s.cellStack}>
          <div className={s.actions}>
            <Button
              size="small"
              icon={sendingId === d.id ? <Spinner size="extra-tiny" /> : <SendRegular />}
              disabled={sendingId !== null}
              onClick={() => onSendTest(d)}
              aria-label={`Send test to ${d.name}`}
            >
              Send test
            </Button>
            <Tooltip content={`Edit ${d.name}`} relationship="label">
              <Button appearance="subtle" icon={<EditRegular />} onClick={() => onEdit(d)} />
            </Tooltip>
            <Tooltip
              content={
                d.source === 'environment'
                  ? `${d.name} comes from the environment: disable it, or unset its variable`
                  : `Delete ${d.name}`
              }
              relationship="label"
            >
              <Button
                appearance="subtle"
                icon={<DeleteRegular />}
                disabledFocusable={d.source === 'environment'}
                onClick={() => onDelete(d)}
              />
            </Tooltip>
          </div>
          <TestResult name={d.name} result={testResults[d.id]} />
        </div>
      ),
    },
  ];
  return (
    <SortableTable
      label="Alert destinations"
      items={destinations}
      columns={columns}
      rowKey={(d) => d.id}
      defaultSort={{ column: 'name', direction: 'ascending' }}
    />
  );
}
