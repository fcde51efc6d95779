import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AddressPolicy } from '../../apps/daemon/src/alerts/address-policy.ts';
import type { Destination } from '../../apps/daemon/src/alerts/destination-store.ts';
import { testMessage } from '../../apps/daemon/src/alerts/messages.ts';
import { createSenders, describeSendError } from '../../apps/daemon/src/alerts/senders.ts';
import {
  refusedUrl,
  type SmtpPeer,
  startSmtpPeer,
  startTcpPeer,
  startWebhookPeer,
  type TcpPeer,
  type WebhookPeer,
} from '../support/alert-peers.ts';

// What the senders make of the network, on real peers: every answer in operator words that carry
// nothing the remote side wrote, and with the address policy on, nothing connected to at all.

const destination = (kind: Destination['kind'], secret: string): Destination => ({
  id: '1',
  kind,
  name: `${kind} under test`,
  recipients: kind === 'email' ? ['oncall@example.com'] : [],
  secret,
  secretProblem: null,
  enabled: true,
  notifyOnSuccess: false,
  envKey: null,
  createdBy: null,
  createdAt: new Date().toISOString(),
  updatedAt: new Date().toISOString(),
});

/** The error text a send ends with, as kept on a delivery attempt; null when it was accepted. */
async function outcome(send: Promise<void>): Promise<string | null> {
  try {
    await send;
    return null;
  } catch (error) {
    return describeSendError(error);
  }
}

describe('alert senders on the network', () => {
  let hook: WebhookPeer;
  let redirecting: WebhookPeer;
  let smtp: SmtpPeer;
  let silent: TcpPeer;
  let garbage: TcpPeer;
  let databasePort: string;
  const message = testMessage('under test', 'http://ops.example.com');
  // A short time limit keeps the silent peer's case short; the daemon's is 15 s.
  const open = createSenders({ smtpUrl: undefined, timeoutMs: 1000, addresses: new AddressPolicy('all') });
  const strict = createSenders({ smtpUrl: undefined, timeoutMs: 1000, addresses: new AddressPolicy([]) });

  beforeAll(async () => {
    [hook, redirecting, smtp, silent, garbage] = await Promise.all([
      startWebhookPeer(),
      startWebhookPeer('/moved'),
      startSmtpPeer(),
      startTcpPeer('silent'),
      startTcpPeer('garbage'),
    ]);
    redirecting.redirectTo = hook.url;
    databasePort = new URL(inject('pgAdminUrl')).port;
  });
  afterAll(async () => {
    await Promise.all([hook.close(), redirecting.close(), smtp.close(), silent.close(), garbage.close()]);
  });

  describe('with private addresses allowed (OPS_ALERT_ALLOW_PRIVATE_HOSTS=true)', () => {
    it('posts to a webhook and mails through an SMTP server', async () => {
      expect(await outcome(open.teams(destination('teams', hook.url), message))).toBeNull();
      expect(hook.posts).toHaveLength(1);
      expect(await outcome(open.email(destination('email', smtp.url), message))).toBeNull();
      expect(smtp.mails.at(-1)!.to).toEqual(['oncall@example.com']);
    });

    it('tells a refusing webhook, a closed, a silent and a non-HTTP port apart, without the body', async () => {
      hook.status = 500;
      try {
        expect(await outcome(open.teams(destination('teams', hook.url), message))).toBe(
          'the webhook answered HTTP 500',
        );
      } finally {
        hook.status = 200;
      }
      expect(await outcome(open.teams(destination('teams', await refusedUrl('http')), message))).toBe(
        "the webhook's server refused the connection (nothing listens on that port)",
      );
      expect(
        await outcome(open.teams(destination('teams', `http://127.0.0.1:${silent.port}/x`), message)),
      ).toBe('the webhook did not answer within 1 s');
      expect(
        await outcome(open.teams(destination('teams', `http://127.0.0.1:${garbage.port}/x`), message)),
      ).toBe("the webhook's server did not answer in HTTP");
      // PostgreSQL hangs up on a startup packet it cannot read.
      expect(
        await outcome(open.teams(destination('teams', `http://127.0.0.1:${databasePort}/x`), message)),
      ).toBe("the webhook's server closed the connection without answering");
    });

    it('refuses a redirect and does not follow it', async () => {
      const before = { connections: hook.connections, posts: hook.posts.length };
      expect(await outcome(open.teams(destination('teams', redirecting.url), message))).toBe(
        'the webhook answered with a redirect (HTTP 302), which alert destinations may not follow; give the final URL',
      );
      expect(hook.connections).toBe(before.connections);
      expect(hook.posts).toHaveLength(before.posts);
    });

    it("reports an SMTP refusal by its status, never the server's words", async () => {
      smtp.refuseWith = 550;
      try {
        expect(await outcome(open.email(destination('email', smtp.url), message))).toBe(
          'the mail server refused the message (SMTP 550)',
        );
      } finally {
        smtp.refuseWith = null;
      }
      expect(await outcome(open.email(destination('email', await refusedUrl('smtp')), message))).toBe(
        'the mail server refused the connection (nothing listens on that port)',
      );
      expect(
        await outcome(open.email(destination('email', `smtp://127.0.0.1:${silent.port}`), message)),
      ).toMatch(/^the mail server did not answer (in time|within 1 s)$/);
      expect(
        await outcome(open.email(destination('email', `smtp://127.0.0.1:${garbage.port}`), message)),
      ).toMatch(/^the mail server (did not answer in SMTP|closed the connection without answering in SMTP)$/);
    });
  });

  describe('with private addresses refused (the default)', () => {
    it('gives the database port, a closed port and a redirecting server the same refusal, connecting to none', async () => {
      const before = [hook, redirecting, silent, garbage].map((p) => p.connections);
      const urls = [
        `http://127.0.0.1:${databasePort}/hook`,
        await refusedUrl('http'),
        redirecting.url,
        `http://127.0.0.1:${silent.port}/hook`,
        `http://127.0.0.1:${garbage.port}/hook`,
        hook.url,
      ];
      const answers = await Promise.all(
        urls.map((url) => outcome(strict.teams(destination('teams', url), message))),
      );
      expect(new Set(answers)).toEqual(
        new Set([
          "the webhook's address resolves to this machine (loopback) (127.0.0.1), which alert destinations may not use; OPS_ALERT_ALLOW_PRIVATE_HOSTS can allow it",
        ]),
      );
      expect([hook, redirecting, silent, garbage].map((p) => p.connections)).toEqual(before);
    });

    it('checks the address a name resolves to, and SMTP servers the same way', async () => {
      const before = [silent.connections, garbage.connections];
      expect(
        await outcome(strict.teams(destination('teams', `http://localhost:${silent.port}/hook`), message)),
      ).toMatch(/^the webhook's address resolves to this machine \(loopback\) \((127\.0\.0\.1|::1)\)/);
      expect(
        await outcome(strict.email(destination('email', `smtp://127.0.0.1:${silent.port}`), message)),
      ).toBe(
        "the mail server's address resolves to this machine (loopback) (127.0.0.1), which alert destinations may not use; OPS_ALERT_ALLOW_PRIVATE_HOSTS can allow it",
      );
      expect(
        await outcome(
          strict.email(destination('email', `smtp://[::ffff:127.0.0.1]:${garbage.port}`), message),
        ),
      ).toMatch(/this machine \(loopback\)/);
      expect(
        await outcome(
          strict.teams(destination('teams', 'http://169.254.169.254/latest/meta-data/'), message),
        ),
      ).toMatch(/^the webhook's address resolves to a link-local network \(169\.254\.169\.254\)/);
      expect([silent.connections, garbage.connections]).toEqual(before);
    });
  });
});
