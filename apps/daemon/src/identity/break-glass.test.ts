import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.ts';
import {
  type AuthServer,
  bearerHeaders,
  RUNBOOK_CAPABILITY,
  startAuthServer,
} from '../../../../test/support/identity-kit.ts';
import { ConflictError, InputError, NotAllowedError } from '../errors.ts';
import type { Principal } from './principal.ts';

const PASSWORD = 'ops-demo-password';
const REASON = { reasonCode: 'INCIDENT', reasonText: 'INC-42: repair findings of tenant 7' };

describe('break-glass', () => {
  let t: TestDatabase;
  let s: AuthServer;
  let responder: Headers;
  let viewer: Headers;
  /** The audit trail is append-only: each test reads the events written after this id. */
  let auditMark = '0';
  beforeAll(async () => {
    t = await createTestDatabase();
    s = await startAuthServer(t.db, { breakGlassMinutes: 15 });
    await s.identity.ensureDemoAccounts(PASSWORD);
    responder = await bearerHeaders(s.baseUrl, 'responder@ops.local', PASSWORD);
    viewer = await bearerHeaders(s.baseUrl, 'viewer@ops.local', PASSWORD);
  });
  afterAll(async () => {
    await s.close();
    await t.drop();
  });
  beforeEach(async () => {
    await t.sql('DELETE FROM ops.break_glass');
    const [mark] = await t.sql<{ id: string }>(
      'SELECT coalesce(max(id), 0)::text AS id FROM ops.audit_events',
    );
    auditMark = mark!.id;
  });

  async function principal(headers: Headers): Promise<Principal> {
    const p = await s.identity.principalFor(headers);
    if (p === null) throw new Error('expected a principal');
    return p;
  }

  const audits = () =>
    t.sql<{ action: string; actor_label: string; ip: string | null; details: Record<string, unknown> }>(
      "SELECT action, actor_label, ip, details FROM ops.audit_events WHERE action LIKE 'breakglass.%' AND id > $1 ORDER BY id",
      [auditMark],
    );

  it('grants the runbook capabilities while active and takes them away on deactivation', async () => {
    const before = await principal(responder);
    expect(before.capabilities).not.toContain(RUNBOOK_CAPABILITY);

    const state = await s.identity.activateBreakGlass(before, REASON, '127.0.0.1');
    expect(state).toMatchObject(REASON);
    const minutes = (Date.parse(state.expiresAt) - Date.parse(state.activatedAt)) / 60_000;
    expect(minutes).toBeCloseTo(15, 5);

    const during = await principal(responder);
    expect(during.breakGlass).toEqual(state);
    expect(during.capabilities).toEqual(
      expect.arrayContaining([
        'platform.ops.view',
        'platform.breakglass',
        'platform.runbooks.view',
        'platform.runbooks.run',
        RUNBOOK_CAPABILITY,
      ]),
    );

    await s.identity.deactivateBreakGlass(during, '127.0.0.1');
    const after = await principal(responder);
    expect(after.breakGlass).toBeNull();
    expect(after.capabilities).toEqual(before.capabilities);

    expect(await audits()).toEqual([
      expect.objectContaining({
        action: 'breakglass.activated',
        actor_label: 'responder@ops.local',
        ip: '127.0.0.1',
        details: expect.objectContaining({
          reasonCode: 'INCIDENT',
          reasonText: REASON.reasonText,
          minutes: 15,
        }),
      }),
      expect.objectContaining({
        action: 'breakglass.deactivated',
        details: expect.objectContaining({ reasonCode: 'INCIDENT' }),
      }),
    ]);
    const rows = await t.sql('SELECT end_reason FROM ops.break_glass');
    expect(rows).toEqual([{ end_reason: 'deactivated' }]);
  });

  it('closes an expired break-glass when the principal is next resolved, and audits it once', async () => {
    await s.identity.activateBreakGlass(await principal(responder), REASON, null);
    await t.sql(
      "UPDATE ops.break_glass SET activated_at = now() - interval '31 minutes', expires_at = now() - interval '1 minute'",
    );
    const [first, second] = await Promise.all([principal(responder), principal(responder)]);
    for (const p of [first, second]) {
      expect(p.breakGlass).toBeNull();
      expect(p.capabilities).not.toContain(RUNBOOK_CAPABILITY);
    }
    expect((await audits()).map((a) => a.action)).toEqual(['breakglass.activated', 'breakglass.expired']);
    const rows = await t.sql<{ closed_at_expiry: boolean; end_reason: string }>(
      'SELECT ended_at = expires_at AS closed_at_expiry, end_reason FROM ops.break_glass',
    );
    expect(rows).toEqual([{ closed_at_expiry: true, end_reason: 'expired' }]);
  });

  it('expireBreakGlass closes every break-glass past its expiry and reports how many', async () => {
    await s.identity.activateBreakGlass(await principal(responder), REASON, null);
    expect(await s.identity.expireBreakGlass()).toBe(0);
    await t.sql("UPDATE ops.break_glass SET expires_at = now() - interval '1 second'");
    expect(await s.identity.expireBreakGlass()).toBe(1);
    expect(await s.identity.expireBreakGlass()).toBe(0);
    expect(await audits()).toEqual([
      expect.objectContaining({ action: 'breakglass.activated' }),
      expect.objectContaining({
        action: 'breakglass.expired',
        actor_label: 'responder@ops.local',
        details: expect.objectContaining({ reasonCode: 'INCIDENT', reasonText: REASON.reasonText }),
      }),
    ]);
  });

  it('refuses a second activation while one is active', async () => {
    const p = await principal(responder);
    await s.identity.activateBreakGlass(p, REASON, null);
    await expect(s.identity.activateBreakGlass(p, REASON, null)).rejects.toThrow(ConflictError);
    await expect(s.identity.activateBreakGlass(p, REASON, null)).rejects.toThrow(/already active/);
  });

  it('allows a new activation once the previous one expired', async () => {
    const p = await principal(responder);
    await s.identity.activateBreakGlass(p, REASON, null);
    await t.sql("UPDATE ops.break_glass SET expires_at = now() - interval '1 second'");
    const again = await s.identity.activateBreakGlass(
      p,
      { reasonCode: 'SUPPORT', reasonText: 'ticket 9' },
      null,
    );
    expect(again.reasonCode).toBe('SUPPORT');
    expect((await audits()).map((a) => a.action)).toEqual([
      'breakglass.activated',
      'breakglass.expired',
      'breakglass.activated',
    ]);
  });

  it('needs platform.breakglass', async () => {
    const error = await s.identity
      .activateBreakGlass(await principal(viewer), REASON, null)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotAllowedError);
    expect(error).toMatchObject({ capability: 'platform.breakglass' });
    expect(await t.sql('SELECT 1 FROM ops.break_glass')).toEqual([]);
  });

  it.each([
    [{ reasonCode: 'BECAUSE', reasonText: 'x' }, 'reasonCode'],
    [{ reasonCode: 'INCIDENT', reasonText: '  ' }, 'reasonText'],
    [{ reasonCode: 'INCIDENT', reasonText: 'x'.repeat(501) }, 'reasonText'],
  ])('validates the reason (%#)', async (input, field) => {
    const error = await s.identity
      .activateBreakGlass(await principal(responder), input, null)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ field });
  });

  it('treats deactivation without an active break-glass as a no-op', async () => {
    await s.identity.deactivateBreakGlass(await principal(responder), null);
    expect(await audits()).toEqual([]);
  });
});
