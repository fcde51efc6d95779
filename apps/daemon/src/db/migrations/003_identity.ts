import type { Migration } from '../migrator.ts';

// Platform identity. The first four tables are better-auth's, written out by hand because the
// migrator hands a migration only a SQL function inside its transaction; identity/schema.test.ts
// asserts that better-auth's own `getMigrations` finds nothing to create or alter here, so the two
// cannot drift. Their names and quoted camelCase columns are better-auth's, not ours.
export const up: Migration = async ({ context: sql }) => {
  await sql(`
    CREATE TABLE ops."user" (
      "id"            text PRIMARY KEY,
      "name"          text NOT NULL,
      "email"         text NOT NULL UNIQUE,
      "emailVerified" boolean NOT NULL,
      "image"         text,
      "createdAt"     timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
      "updatedAt"     timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
      "plane"         text NOT NULL DEFAULT 'platform' CHECK ("plane" IN ('platform', 'tenant')),
      "capabilities"  jsonb NOT NULL DEFAULT '[]'
    );
    CREATE TABLE ops."session" (
      "id"        text PRIMARY KEY,
      "expiresAt" timestamptz NOT NULL,
      "token"     text NOT NULL UNIQUE,
      "createdAt" timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
      "updatedAt" timestamptz NOT NULL,
      "ipAddress" text,
      "userAgent" text,
      "userId"    text NOT NULL REFERENCES ops."user" ("id") ON DELETE CASCADE
    );
    CREATE INDEX "session_userId_idx" ON ops."session" ("userId");
    CREATE TABLE ops."account" (
      "id"                    text PRIMARY KEY,
      "accountId"             text NOT NULL,
      "providerId"            text NOT NULL,
      "userId"                text NOT NULL REFERENCES ops."user" ("id") ON DELETE CASCADE,
      "accessToken"           text,
      "refreshToken"          text,
      "idToken"               text,
      "accessTokenExpiresAt"  timestamptz,
      "refreshTokenExpiresAt" timestamptz,
      "scope"                 text,
      "password"              text,
      "createdAt"             timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
      "updatedAt"             timestamptz NOT NULL
    );
    CREATE INDEX "account_userId_idx" ON ops."account" ("userId");
    CREATE TABLE ops."verification" (
      "id"         text PRIMARY KEY,
      "identifier" text NOT NULL,
      "value"      text NOT NULL,
      "expiresAt"  timestamptz NOT NULL,
      "createdAt"  timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
      "updatedAt"  timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP
    );
    CREATE INDEX "verification_identifier_idx" ON ops."verification" ("identifier");

    -- Sign-in throttling (identity/login-throttle.ts): the times of the last allowed attempts per key.
    CREATE TABLE ops.login_attempts (
      ip           text NOT NULL,
      email        text NOT NULL,
      attempted_at timestamptz[] NOT NULL,
      allowed      boolean NOT NULL,
      last_at      timestamptz NOT NULL,
      PRIMARY KEY (ip, email)
    );
    CREATE INDEX login_attempts_last_at_idx ON ops.login_attempts (last_at);

    -- Break-glass sessions (identity/break-glass.ts); at most one open per account.
    CREATE TABLE ops.break_glass (
      id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      user_id      text NOT NULL REFERENCES ops."user" ("id"),
      reason_code  text NOT NULL CHECK (reason_code IN ('DATA_REPAIR', 'INCIDENT', 'SUPPORT', 'SECURITY')),
      reason_text  text NOT NULL CHECK (char_length(reason_text) BETWEEN 1 AND 500),
      activated_at timestamptz NOT NULL DEFAULT now(),
      expires_at   timestamptz NOT NULL,
      ended_at     timestamptz,
      end_reason   text CHECK (end_reason IN ('deactivated', 'expired')),
      CHECK ((ended_at IS NULL) = (end_reason IS NULL))
    );
    CREATE UNIQUE INDEX break_glass_one_open_idx ON ops.break_glass (user_id) WHERE ended_at IS NULL;
    CREATE INDEX break_glass_open_expiry_idx ON ops.break_glass (expires_at) WHERE ended_at IS NULL;
  `);
};

export const down: Migration = async ({ context: sql }) => {
  await sql(`
    DROP TABLE IF EXISTS ops.break_glass, ops.login_attempts, ops."verification", ops."account",
      ops."session", ops."user"
  `);
};
