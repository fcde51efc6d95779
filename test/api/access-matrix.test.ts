import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callProcedure, startTestDaemon, type TestDaemon } from '../support/daemon.ts';

// The security contract of interfaces.md, checked for every procedure × persona over real HTTP.
// Expectations are derived from this one table and the personas' capabilities, never listed by hand.

const RUNBOOK = 'findings.lifecycle.backfill';
const CAP = {
  opsView: 'platform.ops.view',
  runbooksView: 'platform.runbooks.view',
  runbooksRun: 'platform.runbooks.run',
  breakGlass: 'platform.breakglass',
  alertsManage: 'platform.alerts.manage',
  schedulesManage: 'platform.schedules.manage',
  runbooksApprove: 'platform.runbooks.approve',
  runbooksRevert: 'platform.runbooks.revert',
  platform: null, // any platform operator
} as const;

interface Row {
  procedure: string;
  /** A subscription is an SSE stream: allowed means it opens (200, text/event-stream). */
  kind: 'query' | 'mutation' | 'subscription';
  capability: string | null;
  input: (ctx: { runId: string; tenantId: number }) => unknown;
  /** What an operator allowed to call it gets for this input (an error status when the input is refused later). */
  allowed: number;
}

const PROCEDURES: Row[] = [
  { procedure: 'me.get', kind: 'query', capability: CAP.platform, input: () => undefined, allowed: 200 },
  {
    procedure: 'runbooks.list',
    kind: 'query',
    capability: CAP.runbooksView,
    input: () => undefined,
    allowed: 200,
  },
  {
    procedure: 'runbooks.preflight',
    kind: 'mutation',
    capability: CAP.runbooksView,
    input: ({ tenantId }) => ({ runbookId: RUNBOOK, scope: { kind: 'tenant', tenantId } }),
    allowed: 200,
  },
  {
    procedure: 'runbooks.estimate',
    kind: 'query',
    capability: CAP.runbooksView,
    input: ({ tenantId }) => ({ runbookId: RUNBOOK, scope: { kind: 'tenant', tenantId } }),
    allowed: 200,
  },
  {
    procedure: 'runbooks.diff',
    kind: 'mutation',
    capability: CAP.runbooksView,
    input: ({ tenantId }) => ({ runbookId: RUNBOOK, scope: { kind: 'tenant', tenantId }, limit: 5 }),
    allowed: 200,
  },
  {
    procedure: 'runbooks.run',
    kind: 'mutation',
    capability: CAP.runbooksRun,
    // No reason for all tenants: refused as bad input after the access checks pass.
    input: () => ({ runbookId: RUNBOOK, scope: { kind: 'all' }, preflightAffectedCount: 1 }),
    allowed: 400,
  },
  { procedure: 'runs.list', kind: 'query', capability: CAP.opsView, input: () => ({}), allowed: 200 },
  {
    procedure: 'runs.onChange',
    kind: 'subscription',
    capability: CAP.opsView,
    input: () => undefined,
    allowed: 200,
  },
  {
    procedure: 'runs.get',
    kind: 'query',
    capability: CAP.opsView,
    input: ({ runId }) => ({ id: runId }),
    allowed: 200,
  },
  // The run is completed, so control is refused as bad input once access is granted.
  {
    procedure: 'runs.cancel',
    kind: 'mutation',
    capability: CAP.runbooksRun,
    input: ({ runId }) => ({ id: runId }),
    allowed: 400,
  },
  {
    procedure: 'runs.pause',
    kind: 'mutation',
    capability: CAP.runbooksRun,
    input: ({ runId }) => ({ id: runId }),
    allowed: 400,
  },
  {
    procedure: 'runs.resume',
    kind: 'mutation',
    capability: CAP.runbooksRun,
    input: ({ runId }) => ({ id: runId }),
    allowed: 400,
  },
  {
    procedure: 'runs.revertInfo',
    kind: 'query',
    capability: CAP.opsView,
    input: ({ runId }) => ({ id: runId }),
    allowed: 200,
  },
  // No reason and no confirmation: refused as bad input once access is granted (nothing reverted).
  {
    procedure: 'runs.revert',
    kind: 'mutation',
    capability: CAP.runbooksRevert,
    input: ({ runId }) => ({ id: runId }),
    allowed: 400,
  },
  {
    procedure: 'tenants.search',
    kind: 'query',
    capability: CAP.runbooksView,
    input: () => ({ q: 'acme' }),
    allowed: 200,
  },
  {
    procedure: 'breakGlass.activate',
    kind: 'mutation',
    capability: CAP.breakGlass,
    input: () => ({ reasonCode: 'NOT_A_CODE', reasonText: 'x' }),
    allowed: 400,
  },
  {
    procedure: 'notifications.list',
    kind: 'query',
    capability: CAP.platform,
    input: () => ({}),
    allowed: 200,
  },
  {
    procedure: 'notifications.markRead',
    kind: 'mutation',
    capability: CAP.platform,
    input: () => ({ ids: [] }),
    allowed: 200,
  },
  { procedure: 'audit.list', kind: 'query', capability: CAP.opsView, input: () => ({}), allowed: 200 },
  { procedure: 'audit.chain', kind: 'query', capability: CAP.opsView, input: () => undefined, allowed: 200 },
  {
    procedure: 'alerts.list',
    kind: 'query',
    capability: CAP.alertsManage,
    input: () => undefined,
    allowed: 200,
  },
  // A malformed webhook URL: refused as bad input once access is granted, so nothing is created.
  {
    procedure: 'alerts.create',
    kind: 'mutation',
    capability: CAP.alertsManage,
    input: () => ({ kind: 'teams', name: 'x', webhookUrl: 'not a url' }),
    allowed: 400,
  },
  {
    procedure: 'alerts.test',
    kind: 'mutation',
    capability: CAP.alertsManage,
    input: () => ({ id: '999999' }),
    allowed: 404,
  },
  {
    procedure: 'alerts.deliveries',
    kind: 'query',
    capability: CAP.opsView,
    input: ({ runId }) => ({ runId }),
    allowed: 200,
  },
  {
    procedure: 'schedules.list',
    kind: 'query',
    capability: CAP.opsView,
    input: () => undefined,
    allowed: 200,
  },
  {
    procedure: 'schedules.occurrences',
    kind: 'query',
    capability: CAP.opsView,
    input: () => ({ id: '999999' }),
    allowed: 404,
  },
  {
    procedure: 'schedules.create',
    kind: 'mutation',
    capability: CAP.schedulesManage,
    input: () => ({
      name: 'x',
      cron: 'never',
      runbookId: RUNBOOK,
      scope: { kind: 'all' },
      mode: 'preflight',
    }),
    allowed: 400,
  },
  {
    procedure: 'schedules.preview',
    kind: 'query',
    capability: CAP.schedulesManage,
    input: () => ({ cron: '0 3 * * *' }),
    allowed: 200,
  },
  // Four-eyes approval: inputs that pass the access checks and are then refused change nothing.
  {
    procedure: 'approvals.policies',
    kind: 'query',
    capability: CAP.runbooksView,
    input: () => undefined,
    allowed: 200,
  },
  {
    procedure: 'approvals.setPolicy',
    kind: 'mutation',
    capability: CAP.runbooksApprove,
    input: () => ({ runbookId: 'no.such.runbook', mode: 'none' }),
    allowed: 400,
  },
  {
    procedure: 'approvals.request',
    kind: 'mutation',
    capability: CAP.runbooksRun,
    input: () => ({ runbookId: RUNBOOK, scope: { kind: 'all' }, preflightAffectedCount: 1 }),
    allowed: 400,
  },
  { procedure: 'approvals.list', kind: 'query', capability: CAP.opsView, input: () => ({}), allowed: 200 },
  {
    procedure: 'approvals.get',
    kind: 'query',
    capability: CAP.opsView,
    input: () => ({ id: '999999' }),
    allowed: 404,
  },
  {
    procedure: 'approvals.approve',
    kind: 'mutation',
    capability: CAP.runbooksApprove,
    input: () => ({ id: '999999', comment: 'x' }),
    allowed: 404,
  },
  {
    procedure: 'approvals.reject',
    kind: 'mutation',
    capability: CAP.runbooksApprove,
    input: () => ({ id: '999999', comment: 'x' }),
    allowed: 404,
  },
  {
    procedure: 'approvals.start',
    kind: 'mutation',
    capability: CAP.runbooksRun,
    input: () => ({ id: '999999' }),
    allowed: 404,
  },
  {
    procedure: 'approvals.withdraw',
    kind: 'mutation',
    capability: CAP.runbooksRun,
    input: () => ({ id: '999999' }),
    allowed: 404,
  },
  {
    procedure: 'approvals.onChange',
    kind: 'subscription',
    capability: CAP.opsView,
    input: () => undefined,
    allowed: 200,
  },
];

const RUNBOOK_CAPS = [
  CAP.opsView,
  CAP.runbooksView,
  CAP.runbooksRun,
  'platform.runbooks.findings.lifecycle_backfill',
];

interface Persona {
  name: string;
  email: string | null;
  plane: 'platform' | 'tenant' | null;
  capabilities: string[];
  breakGlass?: boolean;
}

const PERSONAS: Persona[] = [
  { name: 'anonymous', email: null, plane: null, capabilities: [] },
  { name: 'tenant user', email: 'customer@tenant-1.example', plane: 'tenant', capabilities: [] },
  {
    name: 'viewer',
    email: 'viewer@ops.local',
    plane: 'platform',
    capabilities: [CAP.opsView, CAP.runbooksView],
  },
  {
    name: 'operator',
    email: 'operator@ops.local',
    plane: 'platform',
    capabilities: [
      ...RUNBOOK_CAPS,
      CAP.breakGlass,
      CAP.alertsManage,
      CAP.schedulesManage,
      CAP.runbooksApprove,
      CAP.runbooksRevert,
    ],
  },
  {
    name: 'responder',
    email: 'responder@ops.local',
    plane: 'platform',
    capabilities: [CAP.opsView, CAP.breakGlass],
  },
  {
    // Approves other operators' run requests; break-glass never grants this.
    name: 'approver',
    email: 'approver@ops.local',
    plane: 'platform',
    capabilities: [CAP.opsView, CAP.runbooksView, CAP.runbooksApprove],
  },
  {
    name: 'responder in break-glass',
    email: 'responder@ops.local',
    plane: 'platform',
    capabilities: [CAP.opsView, CAP.breakGlass, ...RUNBOOK_CAPS],
    breakGlass: true,
  },
];

function expectedStatus(persona: Persona, row: Row): number {
  if (persona.plane === null) return 401;
  if (persona.plane === 'tenant') return 404;
  if (row.capability !== null && !persona.capabilities.includes(row.capability)) return 403;
  return row.allowed;
}

describe('the /system access matrix', () => {
  let d: TestDaemon;
  const sessions = new Map<string, Record<string, string>>();
  let ctx: { runId: string; tenantId: number };

  beforeAll(async () => {
    d = await startTestDaemon();
    const [tenant] = await d.t.sql<{ id: string }>("SELECT id FROM tenants WHERE external_id = 'tenant-2'");
    const started = await d.daemon.ops.service.start({
      runbookId: RUNBOOK,
      scope: { kind: 'externalId', externalId: 'tenant-2' },
      actor: { kind: 'system', label: 'system:cli' },
    });
    await started.done;
    ctx = { runId: started.run.id, tenantId: Number(tenant!.id) };
    for (const persona of PERSONAS) {
      if (!persona.email) {
        sessions.set(persona.name, {});
        continue;
      }
      // A second sign-in gives the break-glass persona a session of its own.
      const { cookie } = await d.signIn(persona.email);
      sessions.set(persona.name, { cookie });
      if (persona.breakGlass) {
        await d
          .client(cookie)
          .breakGlass.activate.mutate({ reasonCode: 'INCIDENT', reasonText: 'access matrix test' });
      }
    }
  });
  afterAll(() => d.stop());

  const cases = PERSONAS.flatMap((persona) =>
    PROCEDURES.map((row) => [persona.name, row.procedure, persona, row] as const),
  );

  it.each(cases)('%s calling %s gets the specified status', async (_p, _r, persona, row) => {
    // Break-glass is per account, so the responder rows are checked with it on and off in turn.
    if (persona.email === 'responder@ops.local') await setBreakGlass(Boolean(persona.breakGlass));
    if (row.kind === 'subscription') {
      const stream = new AbortController();
      const res = await fetch(`${d.url}/system/api/trpc/${row.procedure}`, {
        headers: { origin: d.url, ...sessions.get(persona.name)! },
        signal: stream.signal,
      });
      const opened = res.status === 200 && res.headers.get('content-type')?.startsWith('text/event-stream');
      stream.abort();
      expect({ status: res.status, opened }).toEqual({
        status: expectedStatus(persona, row),
        opened: expectedStatus(persona, row) === 200,
      });
      return;
    }
    const res = await callProcedure(
      d.url,
      row.procedure,
      row.kind,
      row.input(ctx),
      sessions.get(persona.name)!,
    );
    expect({ status: res.status, body: await res.text() }).toMatchObject({
      status: expectedStatus(persona, row),
    });
  });

  async function setBreakGlass(on: boolean) {
    const cookie = sessions.get('responder in break-glass')!.cookie!;
    const me = await d.client(cookie).me.get.query();
    if (on && !me.breakGlass) {
      await d
        .client(cookie)
        .breakGlass.activate.mutate({ reasonCode: 'INCIDENT', reasonText: 'access matrix test' });
    }
    if (!on && me.breakGlass) await d.client(cookie).breakGlass.deactivate.mutate();
  }

  it("answers a tenant user's /system request exactly like a path that does not exist", async () => {
    const { cookie } = await d.signIn('customer@tenant-1.example');
    const comparable = async (res: Response) => {
      const headers = Object.fromEntries([...res.headers.entries()].filter(([k]) => k !== 'date'));
      return { status: res.status, headers, body: await res.text() };
    };
    const unknown = await comparable(await fetch(`${d.url}/no/such/path`));
    expect(unknown.status).toBe(404);
    for (const path of [
      '/system/api/trpc/runs.list',
      '/system/ops/runbooks',
      '/system/ops/runs/1',
      '/system/api/trpc/runs.onUpdate?input=%7B%22id%22%3A%221%22%7D',
    ]) {
      expect(await comparable(await fetch(`${d.url}${path}`, { headers: { cookie } }))).toEqual(unknown);
    }
  });

  it('sends anonymous console pages to the sign-in page and anonymous API calls a 401', async () => {
    const page = await fetch(`${d.url}/system/ops/runs`, { redirect: 'manual' });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/system/login?next=%2Fsystem%2Fops%2Fruns');
    const stream = await fetch(`${d.url}/system/api/trpc/runs.onUpdate?input=%7B%22id%22%3A%221%22%7D`);
    expect(stream.status).toBe(401);
  });

  it('puts the security headers on every response', async () => {
    for (const path of ['/healthz', '/system/login', '/nope', '/system/api/trpc/me.get']) {
      const res = await fetch(`${d.url}${path}`, { redirect: 'manual' });
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
    }
  });

  it('refuses a cookie-authenticated mutation from a foreign origin', async () => {
    const { cookie } = await d.signIn('operator@ops.local');
    const res = await fetch(`${d.url}/system/api/trpc/notifications.markRead`, {
      method: 'POST',
      headers: { cookie, origin: 'https://evil.example', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Origin not allowed');
  });

  it('accepts the bearer token the desktop app uses, without an Origin', async () => {
    const { token } = await d.signIn('viewer@ops.local');
    const res = await fetch(`${d.url}/system/api/trpc/me.get`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ result: { data: { user: { email: 'viewer@ops.local' } } } });
  });
});
