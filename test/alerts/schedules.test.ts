import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookPeer, type WebhookPeer } from '../support/alert-peers.ts';
import { type Api, errorOf, RUNBOOK, runToEnd } from '../support/api-helpers.ts';
import { waitFor } from '../support/cli.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { removeSlowFindingWrites, slowFindingWrites } from '../support/slow-writes.ts';

const berlinHour = (iso: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit' }).format(
    new Date(iso),
  );

describe('schedules', () => {
  let d: TestDaemon;
  let hook: WebhookPeer;
  let operator: Api;
  let viewer: Api;
  let tenantIds: Map<string, number>;
  const tenant = (externalId: string) => ({ kind: 'tenant' as const, tenantId: tenantIds.get(externalId)! });
  const REASON = { reasonCode: 'DATA_REPAIR' as const, reasonText: 'nightly repair' };

  beforeAll(async () => {
    hook = await startWebhookPeer();
    d = await startTestDaemon(
      { tenants: 4, findings: 1500, drift: 0.4 },
      { OPS_TEAMS_WEBHOOK_URL: hook.url, OPS_ALERT_RETRY_MS: '50' },
    );
    operator = d.client((await d.signIn('operator@ops.local')).cookie);
    viewer = d.client((await d.signIn('viewer@ops.local')).cookie);
    const rows = await d.t.sql<{ id: string; external_id: string }>('SELECT id, external_id FROM tenants');
    tenantIds = new Map(rows.map((r) => [r.external_id, Number(r.id)]));
  });
  afterAll(async () => {
    await d.stop();
    await hook.close();
  });

  it('names the field of bad input: cron expression, time zone, missing reason or confirmation, runbook', async () => {
    const base = {
      name: 'nightly',
      runbookId: RUNBOOK,
      scope: { kind: 'all' as const },
      mode: 'preflight' as const,
    };
    const cases: [Parameters<Api['schedules']['create']['mutate']>[0], string, RegExp][] = [
      [{ ...base, cron: 'every night' }, 'cron', /has 5 or 6 fields; this one has 2/],
      [
        { ...base, cron: '61 * * * *' },
        'cron',
        /The minute field \(1st\) has “61”; minutes run from 0 to 59/,
      ],
      [
        { ...base, cron: '0 3 * * *', timezone: 'Mars/Olympus_Mons' },
        'timezone',
        /“Mars\/Olympus_Mons” is not a time zone this system knows/,
      ],
      [{ ...base, cron: '0 3 * * *', runbookId: 'no.such.runbook' }, 'runbookId', /unknown runbook/],
      [{ ...base, cron: '0 3 * * *', mode: 'run' }, 'reasonCode', /needs a reason code/],
      [{ ...base, cron: '0 3 * * *', mode: 'run', ...REASON }, 'confirmation', /BACKFILL/],
      [{ ...base, cron: '0 3 * * *', reasonCode: 'BECAUSE' as 'INCIDENT' }, 'reasonCode', /INCIDENT/],
    ];
    for (const [input, field, message] of cases) {
      const error = await errorOf(operator.schedules.create.mutate(input));
      expect(error, field).toMatchObject({ code: 'BAD_REQUEST', data: { field, httpStatus: 400 } });
      expect(error.message).toMatch(message);
    }
    const preview = await errorOf(operator.schedules.preview.query({ cron: '* * *', timezone: 'UTC' }));
    expect(preview).toMatchObject({ code: 'BAD_REQUEST', data: { field: 'cron' } });
    expect(await operator.schedules.list.query()).toEqual([]);
  });

  it('needs platform.schedules.manage to save one, and shows schedules to viewers', async () => {
    const error = await errorOf(
      viewer.schedules.create.mutate({
        name: 'x',
        cron: '0 3 * * *',
        runbookId: RUNBOOK,
        scope: { kind: 'all' },
        mode: 'preflight',
      }),
    );
    expect(error).toMatchObject({ code: 'FORBIDDEN', data: { capability: 'platform.schedules.manage' } });
    expect(await viewer.schedules.list.query()).toEqual([]);
  });

  it('shows the next fire times in the schedule’s time zone, and none while disabled', async () => {
    const created = await operator.schedules.create.mutate({
      name: 'nightly check',
      cron: '30 3 * * *',
      timezone: 'europe/berlin',
      runbookId: RUNBOOK,
      scope: { kind: 'all' },
      mode: 'preflight',
    });
    expect(created.timezone).toBe('Europe/Berlin');
    expect(created.nextFireTimes).toHaveLength(3);
    expect(created.nextFireTimes.map(berlinHour)).toEqual(['03:30', '03:30', '03:30']);
    expect(Date.parse(created.nextFireTimes[0]!)).toBeGreaterThan(Date.now());
    const disabled = await operator.schedules.update.mutate({ id: created.id, enabled: false });
    expect(disabled.nextFireTimes).toEqual([]);
    const preview = await operator.schedules.preview.query({
      cron: '0 9 * * MON',
      timezone: 'Europe/Berlin',
      count: 2,
    });
    expect(preview.nextFireTimes.map(berlinHour)).toEqual(['09:00', '09:00']);
    expect(new Date(preview.nextFireTimes[0]!).getUTCDay()).toBe(1);
    await operator.schedules.delete.mutate({ id: created.id });
  });

  it('alerts "drift detected" when a preflight-mode schedule finds rows to repair, and stays quiet on clean data', async () => {
    const schedule = await operator.schedules.create.mutate({
      name: 'tenant-1 drift watch',
      cron: '* * * * * *',
      runbookId: RUNBOOK,
      scope: tenant('tenant-1'),
      mode: 'preflight',
    });
    const drifted = await waitFor(async () => {
      const all = await viewer.schedules.occurrences.query({ id: schedule.id });
      return all.find((o) => o.status === 'drift_detected');
    });
    expect(drifted.affectedCount).toBeGreaterThan(0);
    expect(drifted.claimed).toBe(true);
    await waitFor(async () => (hook.posts.length > 0 ? true : undefined));
    const card = hook.posts[0] as { attachments: { content: { body: { text?: string }[] } }[] };
    expect(card.attachments[0]!.content.body[0]!.text).toBe(
      `Drift detected: ${drifted.affectedCount} rows to repair for ${RUNBOOK} on tenant tenant-1`,
    );
    const note = (await operator.notifications.list.query({})).items.find(
      (n) => n.kind === 'schedule.drift_detected',
    );
    expect(note?.title).toMatch(/^Drift detected/);

    // Pause the watch, repair the tenant, watch again: clean, and no new alert.
    await operator.schedules.update.mutate({ id: schedule.id, enabled: false });
    await new Promise((r) => setTimeout(r, 1200)); // a fire already under way ends
    const repaired = await runToEnd(operator, tenant('tenant-1'));
    expect(repaired.outcome).toBe('succeeded');
    const posts = hook.posts.length;
    const since = new Date().toISOString();
    await operator.schedules.update.mutate({ id: schedule.id, enabled: true });
    await waitFor(async () => {
      const all = await viewer.schedules.occurrences.query({ id: schedule.id });
      const clean = all.filter((o) => o.slotAt > since && o.status === 'clean');
      return clean.length >= 2 ? clean : undefined;
    });
    await operator.schedules.delete.mutate({ id: schedule.id });
    await new Promise((r) => setTimeout(r, 300));
    expect(hook.posts.length).toBe(posts);
    const listed = await operator.schedules.list.query();
    expect(listed).toEqual([]);
  });

  it('starts runs as system:schedule in run mode, once, and records the later ticks', async () => {
    const schedule = await operator.schedules.create.mutate({
      name: 'tenant-2 repair',
      cron: '* * * * * *',
      runbookId: RUNBOOK,
      scope: tenant('tenant-2'),
      mode: 'run',
      ...REASON,
    });
    const started = await waitFor(async () =>
      (await viewer.schedules.occurrences.query({ id: schedule.id })).find((o) => o.status === 'started'),
    );
    const run = await waitFor(async () => {
      const r = await viewer.runs.get.query({ id: started.runId! });
      return r.status === 'completed' ? r : undefined;
    });
    expect(run).toMatchObject({
      actorLabel: 'system:schedule',
      actor: { kind: 'system', label: 'system:schedule', scheduleId: schedule.id },
      reasonCode: 'DATA_REPAIR',
      reasonText: 'nightly repair',
      outcome: 'succeeded',
    });
    // Later ticks find nothing left to do.
    await waitFor(async () =>
      (await viewer.schedules.occurrences.query({ id: schedule.id })).some(
        (o) => o.status === 'nothing_to_do',
      )
        ? true
        : undefined,
    );
    await operator.schedules.delete.mutate({ id: schedule.id });
    const runs = await d.t.sql("SELECT id FROM ops.runs WHERE actor_label = 'system:schedule'");
    expect(runs).toHaveLength(1);
    // The run is announced (its end claimed once), but a success is quiet in the schedule owner's
    // bell: in-app success notifications are off by default (OPS_NOTIFY_SUCCESS_IN_APP).
    await waitFor(async () =>
      (await d.t.sql('SELECT 1 FROM ops.run_announcements WHERE run_id = $1', [run.id])).length
        ? true
        : undefined,
    );
    expect((await operator.notifications.list.query({})).items.filter((n) => n.runId === run.id)).toEqual([]);
  });

  it('records a skipped occurrence when a run holds the lock for the scope', async () => {
    // One chunk of this size takes seconds: the run holds its lock across the next ticks.
    await slowFindingWrites(d.t, 4000);
    const preflight = await operator.runbooks.preflight.mutate({
      runbookId: RUNBOOK,
      scope: tenant('tenant-4'),
    });
    const { runId } = await operator.runbooks.run.mutate({
      runbookId: RUNBOOK,
      scope: tenant('tenant-4'),
      preflightAffectedCount: preflight.affected_count,
    });
    const schedule = await operator.schedules.create.mutate({
      name: 'tenant-4 repair',
      cron: '* * * * * *',
      runbookId: RUNBOOK,
      scope: tenant('tenant-4'),
      mode: 'run',
      ...REASON,
    });
    const skipped = await waitFor(async () =>
      (await viewer.schedules.occurrences.query({ id: schedule.id })).find((o) => o.status === 'skipped'),
    );
    expect(skipped.claimed).toBe(true);
    expect(skipped.reason).toMatch(new RegExp(`^lock held: run ${runId} .*holds the lock`));
    await operator.schedules.delete.mutate({ id: schedule.id });
    await operator.runs.cancel.mutate({ id: runId });
    await removeSlowFindingWrites(d.t);
  });
});
