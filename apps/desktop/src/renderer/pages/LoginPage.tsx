import {
  Button,
  Card,
  Field,
  Input,
  Link,
  MessageBar,
  MessageBarBody,
  makeStyles,
  Spinner,
  Text,
  Title2,
  tokens,
} from '@fluentui/react-components';
import { ShieldKeyholeRegular } from '@fluentui/react-icons';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useLocation, useSearch } from 'wouter';
import { safeNextPath, signIn } from '../api/session.ts';
import { useDesktopConnection } from '../app/DesktopConnectionGate.tsx';

const useStyles = makeStyles({
  page: { minHeight: '100vh', display: 'grid', placeItems: 'center', padding: '24px' },
  card: { width: 'min(420px, 100%)', padding: '32px', gap: '20px' },
  brand: { display: 'flex', alignItems: 'center', gap: '10px', color: tokens.colorBrandForeground1 },
  brandIcon: { fontSize: '32px' },
  heading: { display: 'flex', flexDirection: 'column', gap: '4px' },
  title: { margin: 0 },
  form: { display: 'flex', flexDirection: 'column', gap: '16px' },
  muted: { color: tokens.colorNeutralForeground2 },
});

/** Platform operators sign in here; the daemon sets the /system session (or the desktop app keeps it). */
export function LoginPage() {
  const s = useStyles();
  const search = useSearch();
  const [, navigate] = useLocation();
  const queryClient = useQueryClient();
  const { connection, changeDaemon } = useDesktopConnection();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const result = await signIn(email.trim(), password);
    if (!result.ok) {
      setBusy(false);
      setError(result.message);
      return;
    }
    // A new identity: nothing cached for the previous one may show.
    queryClient.clear();
    const next = safeNextPath(new URLSearchParams(search).get('next'));
    navigate(`~${next}`, { replace: true });
  };

  return (
    <main className={s.page}>
      <Card className={s.card}>
        <div className={s.brand}>
          <ShieldKeyholeRegular className={s.brandIcon} aria-hidden="true" />
          <Text weight="semibold" size={500}>
            Ops Runbooks
          </Text>
        </div>
        <div className={s.heading}>
          <Title2 as="h1" className={s.title}>
            Sign in
          </Title2>
          <Text className={s.muted}>The operator console is for platform operators only.</Text>
        </div>
        <form className={s.form} onSubmit={submit} aria-label="Sign in">
          <Field label="E-mail" required>
            <Input
              type="email"
              name="email"
              autoComplete="username"
              value={email}
              onChange={(_, d) => setEmail(d.value)}
              autoFocus
            />
          </Field>
          <Field label="Password" required>
            <Input
              type="password"
              name="password"
              autoComplete="current-password"
              value={password}
              onChange={(_, d) => setPassword(d.value)}
            />
          </Field>
          {error && (
            <MessageBar intent="error" role="alert">
              <MessageBarBody>{error}</MessageBarBody>
            </MessageBar>
          )}
          <Button
            appearance="primary"
            type="submit"
            disabled={busy || email.trim() === '' || password === ''}
            icon={busy ? <Spinner size="tiny" /> : undefined}
          >
            {busy ? 'Signing in…' : 'Sign in'}
          </Button>
        </form>
        {connection?.daemonUrl && (
          <Text size={200} className={s.muted}>
            Connected to {connection.daemonUrl}.{' '}
            <Link as="button" onClick={() => void changeDaemon()}>
              Change daemon
            </Link>
          </Text>
        )}
      </Card>
    </main>
  );
}
