import {
  Button,
  Card,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  makeStyles,
  Text,
  Title2,
  tokens,
} from '@fluentui/react-components';
import { PlugConnectedRegular } from '@fluentui/react-icons';
import { type FormEvent, useState } from 'react';
import type { SetDaemonUrlResult } from '../../shared/ipc.ts';

const useStyles = makeStyles({
  page: { minHeight: '100vh', display: 'grid', placeItems: 'center', padding: '24px' },
  card: { width: 'min(480px, 100%)', padding: '28px', gap: '16px' },
  form: { display: 'flex', flexDirection: 'column', gap: '16px' },
  icon: { fontSize: '32px', color: tokens.colorBrandForeground1 },
});

/** Desktop first start: which ops daemon this app talks to. Remembered by the main process. */
export function ConnectPage({
  defaultUrl,
  connect,
}: {
  defaultUrl: string;
  connect: (url: string) => Promise<SetDaemonUrlResult>;
}) {
  const s = useStyles();
  const [url, setUrl] = useState(defaultUrl);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const result = await connect(url);
    setBusy(false);
    if (!result.ok) setError(result.message);
  };

  return (
    <main className={s.page}>
      <Card className={s.card}>
        <PlugConnectedRegular className={s.icon} aria-hidden="true" />
        <Title2 as="h1">Connect to your ops daemon</Title2>
        <Text>
          The desktop console talks to one <code>ops-daemon serve</code>. Enter its address; the app remembers
          it.
        </Text>
        <form className={s.form} onSubmit={submit}>
          <Field
            label="Daemon address"
            required
            hint="For example http://127.0.0.1:7400. Use https:// for a daemon on another machine."
          >
            <Input value={url} onChange={(_, d) => setUrl(d.value)} type="url" autoFocus />
          </Field>
          {error && (
            <MessageBar intent="error">
              <MessageBarBody>{error}</MessageBarBody>
            </MessageBar>
          )}
          <Button appearance="primary" type="submit" disabled={busy || url.trim() === ''}>
            {busy ? 'Checking the daemon…' : 'Connect'}
          </Button>
        </form>
      </Card>
    </main>
  );
}
