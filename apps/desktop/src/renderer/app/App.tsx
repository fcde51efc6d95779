import { useQuery } from '@tanstack/react-query';
import { Redirect, Route, Router, Switch } from 'wouter';
import { apiErrorCode } from '../api/api-error.ts';
import { CAPABILITIES, hasCapability } from '../api/capabilities.ts';
import { useTRPC } from '../api/trpc.ts';
import { useApprovalChanges } from '../approvals/use-approval-changes.ts';
import { ErrorState, LoadingState } from '../components/states.tsx';
import { AlertsSettingsPage } from '../pages/AlertsSettingsPage.tsx';
import { ApprovalDetailPage } from '../pages/ApprovalDetailPage.tsx';
import { ApprovalsPage } from '../pages/ApprovalsPage.tsx';
import { AuditPage } from '../pages/AuditPage.tsx';
import { LoginPage } from '../pages/LoginPage.tsx';
import { NotFoundPage } from '../pages/NotFoundPage.tsx';
import { RunbooksPage } from '../pages/RunbooksPage.tsx';
import { RunDetailPage } from '../pages/RunDetailPage.tsx';
import { RunsPage } from '../pages/RunsPage.tsx';
import { SchedulesPage } from '../pages/SchedulesPage.tsx';
import { useRunChanges } from '../runs/use-run-changes.ts';
import { AppShell } from '../shell/AppShell.tsx';
import { DesktopConnectionGate } from './DesktopConnectionGate.tsx';
import { MeContext } from './me-context.ts';
import { BASE, paths } from './paths.ts';
import { redirectToSignIn } from './query-client.ts';

/** Where "/system" leads: the first page this operator may open. */
function homePath(capabilities: readonly string[]): string {
  if (hasCapability(capabilities, CAPABILITIES.runbooksView)) return paths.runbooks;
  if (hasCapability(capabilities, CAPABILITIES.opsView)) return paths.runs;
  return paths.runbooks;
}

/** The console's one subscription to run changes (use-run-changes.ts); renders nothing. */
function RunChanges({ enabled }: { enabled: boolean }) {
  useRunChanges(enabled);
  useApprovalChanges(enabled);
  return null;
}

/** Everything behind sign-in. A tenant-plane account gets the same "not found" as a wrong address. */
function SignedInConsole() {
  const trpc = useTRPC();
  const me = useQuery(trpc.me.get.queryOptions(undefined, { refetchInterval: 60_000 }));
  if (me.isPending) return <LoadingState label="Loading the console…" />;
  if (me.isError) {
    const code = apiErrorCode(me.error);
    if (code === 'NOT_FOUND') return <NotFoundPage />;
    if (code === 'UNAUTHORIZED') {
      redirectToSignIn();
      return <LoadingState label="Your session has ended; opening sign-in…" />;
    }
    return (
      <div style={{ padding: 24 }}>
        <ErrorState error={me.error} onRetry={() => me.refetch()} />
      </div>
    );
  }
  return (
    <MeContext.Provider value={me.data}>
      <RunChanges enabled={hasCapability(me.data.capabilities, CAPABILITIES.opsView)} />
      <AppShell>
        <Switch>
          <Route path={paths.home}>
            <Redirect to={homePath(me.data.capabilities)} replace />
          </Route>
          <Route path={paths.runbooks} component={RunbooksPage} />
          <Route path={paths.runs} component={RunsPage} />
          <Route path={paths.runPattern}>{(params) => <RunDetailPage id={params.id} />}</Route>
          <Route path={paths.audit} component={AuditPage} />
          <Route path={paths.schedules} component={SchedulesPage} />
          <Route path={paths.approvals} component={ApprovalsPage} />
          <Route path={paths.approvalPattern}>{(params) => <ApprovalDetailPage id={params.id} />}</Route>
          <Route path={paths.alerts} component={AlertsSettingsPage} />
          <Route>
            <NotFoundPage inShell />
          </Route>
        </Switch>
      </AppShell>
    </MeContext.Provider>
  );
}

export function App() {
  return (
    <DesktopConnectionGate>
      <Router base={BASE}>
        <Switch>
          <Route path={paths.login} component={LoginPage} />
          <Route>
            <SignedInConsole />
          </Route>
        </Switch>
      </Router>
    </DesktopConnectionGate>
  );
}
