import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNREADABLE_SECRET } from '../../apps/daemon/src/alerts/alerts-service.ts';
import {
  deriveSecretKey,
  SecretBox,
  SecretUnreadableError,
} from '../../apps/daemon/src/alerts/secret-box.ts';
import { loadConfig } from '../../apps/daemon/src/config.ts';
import { startDaemon } from '../../apps/daemon/src/daemon.ts';
import { startWebhookPeer, type WebhookPeer } from '../support/alert-peers.ts';
import type { Api } from '../support/api-helpers.ts';
import { runCli } from '../support/cli.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';

// Webhook URLs and SMTP passwords at rest: sealed in the database, opened by the daemon that
// holds the key, re-sealed by `ops-daemon secrets rotate`, and a wrong key said in words.

const OLD = 'old-alert-key-0123456789-0123456789-abcdef';
const NEW = 'new-alert-key-9876543210-9876543210-fedcba';
const THIRD = 'third-alert-key-5555555555-5555555555-0000';
const SMTP_URL = 'smtps://alerts%40example.com:s3cret-pass@mail.example.com:465';
const id = (material: string) => deriveSecretKey(material).id;

describe('alert secrets at rest', () => {
  let d: TestDaemon;
  let hook: WebhookPeer;
  let operator: Api;
  let teamsId: string;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-alert-secrets-'));
  const stored = async () =>
    (await d.t.sql<{ id: string; secret: string }>(
      'SELECT id::text, secret FROM ops.alert_destinations WHERE secret IS NOT NULL ORDER BY id',
    )) as { id: string; secret: string }[];
  const cli = (args: string[], env: Record<string, string>) =>
    runCli(['secrets', ...args], {
      DATABASE_URL: d.t.url,
      OPS_DATA_DIR: dataDir,
      OPS_ALERT_SECRET_KEY: NEW,
      ...env,
    });

  beforeAll(async () => {
    hook = await startWebhookPeer();
    d = await startTestDaemon(
      { tenants: 2, findings: 200 },
      { OPS_ALERT_SECRET_KEY: OLD, OPS_TEAMS_WEBHOOK_URL: `${hook.url}?env=1` },
    );
    operator = d.client((await d.signIn('operator@ops.local')).cookie);
    teamsId = (await operator.alerts.create.mutate({ kind: 'teams', name: 'team', webhookUrl: hook.url })).id;
    await operator.alerts.create.mutate({
      kind: 'email',
      name: 'own server',
      recipients: ['ops@example.com'],
      smtpUrl: SMTP_URL,
    });
  });
  afterAll(async () => {
    await d.stop();
    await hook.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores no webhook URL or SMTP password in plain text, and still sends with them', async () => {
    const rows = await stored();
    expect(rows).toHaveLength(3); // the environment's webhook, the console's webhook and SMTP server
    for (const row of rows) expect(row.secret.startsWith(`ops-sealed.v1.${id(OLD)}.`)).toBe(true);
    const all = JSON.stringify(await d.t.sql('SELECT * FROM ops.alert_destinations'));
    for (const plain of ['s3cret-pass', 'secret-xyz', 'IncomingWebhook', '127.0.0.1', 'mail.example.com']) {
      expect(all).not.toContain(plain);
    }
    const box = new SecretBox(deriveSecretKey(OLD));
    expect(rows.map((r) => box.open(r.secret)).sort()).toEqual(
      [`${hook.url}?env=1`, hook.url, SMTP_URL].sort(),
    );
    expect(await operator.alerts.test.mutate({ id: teamsId })).toEqual({ ok: true, error: null });
    expect(hook.posts).toHaveLength(1);
    // The database itself refuses a plain secret written past the store.
    await expect(
      d.t.sql("UPDATE ops.alert_destinations SET secret = 'https://example.com/hook' WHERE id = $1", [
        teamsId,
      ]),
    ).rejects.toThrow(/alert_destinations_secret_sealed/);
  });

  it('seals a secret stored in plain text before migration 009 when a daemon starts', async () => {
    // A row as it was before 009: the check is NOT VALID, so it only stops new plain values.
    await d.t.sql(`
      ALTER TABLE ops.alert_destinations DROP CONSTRAINT alert_destinations_secret_sealed;
      INSERT INTO ops.alert_destinations (kind, name, secret) VALUES ('teams', 'from before', '${hook.url}?legacy=1');
      ALTER TABLE ops.alert_destinations ADD CONSTRAINT alert_destinations_secret_sealed
        CHECK (secret IS NULL OR starts_with(secret, 'ops-sealed.v1.')) NOT VALID;
    `);
    const second = await startDaemon(
      loadConfig({
        DATABASE_URL: d.t.url,
        OPS_DATA_DIR: dataDir,
        OPS_ALERT_SECRET_KEY: OLD,
        OPS_TEAMS_WEBHOOK_URL: `${hook.url}?env=1`,
      }),
      { host: '127.0.0.1', port: 0 },
    );
    await second.stop();
    const rows = await stored();
    expect(rows).toHaveLength(4);
    expect(rows.every((r) => r.secret.startsWith(`ops-sealed.v1.${id(OLD)}.`))).toBe(true);
    const legacy = (await operator.alerts.list.query()).find((x) => x.name === 'from before')!;
    expect(legacy.webhookUrl).toBe(`${new URL(hook.url).origin}/…cy=1`);
  });

  it('shows which key seals the secrets', async () => {
    const status = await cli(['status', '--json'], { OPS_ALERT_SECRET_KEY: OLD });
    expect(status.code).toBe(0);
    expect(status.json()).toEqual({ keyId: id(OLD), byKey: { [id(OLD)]: 4 }, plain: 0 });
  });

  it('rotates every secret to the new key, after which the old key opens none', async () => {
    const before = new Map(
      (await stored()).map((r) => [r.id, new SecretBox(deriveSecretKey(OLD)).open(r.secret)]),
    );
    const result = await cli(['rotate', '--from-env', 'OLD_ALERT_KEY', '--json'], { OLD_ALERT_KEY: OLD });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.json()).toEqual({ keyId: id(NEW), resealed: 4, alreadyCurrent: 0, sealedPlain: 0 });

    const rows = await stored();
    const oldBox = new SecretBox(deriveSecretKey(OLD));
    const newBox = new SecretBox(deriveSecretKey(NEW));
    for (const row of rows) {
      expect(row.secret.startsWith(`ops-sealed.v1.${id(NEW)}.`)).toBe(true);
      expect(() => oldBox.open(row.secret)).toThrow(SecretUnreadableError);
      expect(newBox.open(row.secret)).toBe(before.get(row.id));
    }
    const { items } = await operator.audit.list.query({ limit: 20 });
    const rotated = items.find((e) => e.action === 'alert.secrets_rotated')!;
    expect(rotated).toMatchObject({
      actorLabel: 'system:cli',
      details: { fromKey: id(OLD), keyId: id(NEW), resealed: 4 },
    });
    expect(JSON.stringify(rotated)).not.toMatch(/s3cret|ops-sealed|webhook/);
  });

  it('tells a daemon still on the old key in words, and keeps serving', async () => {
    const list = await operator.alerts.list.query();
    expect(list.find((x) => x.id === teamsId)?.webhookUrl).toBe(UNREADABLE_SECRET);
    const posts = hook.posts.length;
    expect(await operator.alerts.test.mutate({ id: teamsId })).toEqual({
      ok: false,
      error: `the stored secret was sealed with key ${id(NEW)}, and this daemon's key is ${id(OLD)}: start it with the key that sealed it (OPS_ALERT_SECRET_KEY or OPS_SECRET), or re-seal with ops-daemon secrets rotate`,
    });
    expect(hook.posts).toHaveLength(posts);
    // Renaming it keeps the sealed secret as it is.
    const sealed = (await stored()).find((r) => r.id === teamsId)!.secret;
    await operator.alerts.update.mutate({ id: teamsId, name: 'team (renamed)' });
    expect((await stored()).find((r) => r.id === teamsId)!.secret).toBe(sealed);
  });

  it('changes nothing when a secret is sealed with neither key, and names the argument', async () => {
    const before = await stored();
    const result = await cli(['rotate', '--from-env', 'OLD_ALERT_KEY'], {
      OLD_ALERT_KEY: OLD,
      OPS_ALERT_SECRET_KEY: THIRD,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(
        `^error \\(--from-env\\): alert destination \\d+'s secret was sealed with key ${id(NEW)}, which is neither the old key \\(${id(OLD)}\\) nor the new one \\(${id(THIRD)}\\); nothing was changed\\n$`,
      ),
    );
    expect(await stored()).toEqual(before);

    const unset = await cli(['rotate', '--from-env', 'NO_SUCH_VARIABLE'], {});
    expect(unset.code).toBe(2);
    expect(unset.stderr).toMatch(/^error \(--from-env\): environment variable NO_SUCH_VARIABLE is not set/);
    const same = await cli(['rotate', '--from-env', 'OLD_ALERT_KEY'], { OLD_ALERT_KEY: NEW });
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/the old key is the current key/);
  });

  it('names the variable of a bad key or address allowance', async () => {
    const short = await cli(['status'], { OPS_ALERT_SECRET_KEY: 'too-short' });
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/environment variable OPS_ALERT_SECRET_KEY: must be at least 32 characters/);
    const hosts = await cli(['status'], { OPS_ALERT_ALLOW_PRIVATE_HOSTS: 'intranet' });
    expect(hosts.code).toBe(2);
    expect(hosts.stderr).toMatch(
      /environment variable OPS_ALERT_ALLOW_PRIVATE_HOSTS: must be true, false or/,
    );
  });
});
