import type { InternalAdapter } from 'better-auth';
import { z } from 'zod';
import { InputError } from '../errors.ts';
import { ALL_PLATFORM_CAPABILITIES, PLANES, PLATFORM_CAPABILITIES, type Plane } from './capabilities.ts';

export interface AccountInput {
  email: string;
  password: string;
  name?: string;
  plane: Plane;
  capabilities: string[];
}

export interface AccountSummary {
  email: string;
  plane: Plane;
  capabilities: string[];
}

// better-auth's limits: sign-in refuses a password over 128 characters and an e-mail z.email() rejects,
// so an account outside them could be created but never used.
const PASSWORD_MIN = 8;
const PASSWORD_MAX = 128;
const emailSchema = z.email();

/** The part of better-auth's context accounts are made with: its adapter and its password hasher. */
export interface AccountContext {
  password: { hash(password: string): Promise<string> };
  internalAdapter: Pick<
    InternalAdapter,
    'findUserByEmail' | 'createUser' | 'updateUser' | 'updatePassword' | 'linkAccount'
  >;
}

export interface ValidAccount {
  email: string;
  password: string;
  name: string;
  plane: Plane;
  capabilities: string[];
}

/** Checks an account request against the capability universe; throws InputError naming the field. */
export function validateAccount(input: AccountInput, knownCapabilities: readonly string[]): ValidAccount {
  const email = input.email.trim().toLowerCase();
  if (!emailSchema.safeParse(email).success) {
    throw new InputError('email', `not a valid e-mail address: ${JSON.stringify(input.email)}`);
  }
  if (input.password.length < PASSWORD_MIN) {
    throw new InputError('password', `the password must be at least ${PASSWORD_MIN} characters`);
  }
  if (input.password.length > PASSWORD_MAX) {
    throw new InputError('password', `the password must be at most ${PASSWORD_MAX} characters`);
  }
  if (!(PLANES as readonly string[]).includes(input.plane)) {
    throw new InputError(
      'plane',
      `plane must be one of ${PLANES.join(', ')} (got ${JSON.stringify(input.plane)})`,
    );
  }
  const known = new Set(knownCapabilities);
  const unknown = input.capabilities.find((c) => !known.has(c));
  if (unknown !== undefined)
    throw new InputError('capability', `unknown capability ${JSON.stringify(unknown)}`);
  const capabilities = [...new Set(input.capabilities)];
  if (input.plane === 'tenant' && capabilities.length > 0) {
    throw new InputError('capability', 'a tenant-plane account cannot hold platform capabilities');
  }
  const name = input.name?.trim() || email.slice(0, email.indexOf('@'));
  return { email, password: input.password, name, plane: input.plane, capabilities };
}

/**
 * Creates the account, or updates plane, capabilities, name (when given) and password of an existing
 * one, through better-auth's own adapter and hasher so sign-in verifies it. Throws InputError.
 */
export async function upsertAccount(
  auth: AccountContext,
  input: AccountInput,
  knownCapabilities: readonly string[],
): Promise<{ id: string; created: boolean }> {
  const account = validateAccount(input, knownCapabilities);
  const hash = await auth.password.hash(account.password);
  const existing = await auth.internalAdapter.findUserByEmail(account.email, { includeAccounts: true });
  if (existing === null) {
    const created = await createAccount(auth, account, hash);
    if (created !== null) return { id: created, created: true };
    // Another process created it between our lookup and insert: fall through to an update.
    const raced = await auth.internalAdapter.findUserByEmail(account.email, { includeAccounts: true });
    if (raced === null) throw new Error(`could not create or find the account ${account.email}`);
    return { id: await updateAccount(auth, raced, account, input.name !== undefined, hash), created: false };
  }
  return { id: await updateAccount(auth, existing, account, input.name !== undefined, hash), created: false };
}

type UserWithAccounts = NonNullable<Awaited<ReturnType<InternalAdapter['findUserByEmail']>>>;

/** Returns the new user's id, or null when the e-mail was taken meanwhile. */
async function createAccount(
  auth: AccountContext,
  account: ValidAccount,
  hash: string,
): Promise<string | null> {
  let userId: string;
  try {
    const user = await auth.internalAdapter.createUser(
      {
        email: account.email,
        name: account.name,
        // Made by an operator on the server, not by a self-service sign-up: nothing left to verify.
        emailVerified: true,
        plane: account.plane,
        capabilities: account.capabilities,
      },
      { method: 'admin' },
    );
    userId = user.id;
  } catch (error) {
    if ((error as { code?: string }).code === '23505') return null;
    throw error;
  }
  await linkCredential(auth, userId, hash);
  return userId;
}

async function updateAccount(
  auth: AccountContext,
  existing: UserWithAccounts,
  account: ValidAccount,
  nameGiven: boolean,
  hash: string,
): Promise<string> {
  const userId = existing.user.id;
  await auth.internalAdapter.updateUser(userId, {
    plane: account.plane,
    capabilities: account.capabilities,
    ...(nameGiven ? { name: account.name } : {}),
  });
  // A user row without its credential (a crash between the two inserts) is repaired here.
  const hasCredential = existing.accounts.some(
    (a) => a.providerId === 'credential' && a.accountId === userId,
  );
  if (hasCredential) await auth.internalAdapter.updatePassword(userId, hash);
  else await linkCredential(auth, userId, hash);
  return userId;
}

async function linkCredential(auth: AccountContext, userId: string, hash: string): Promise<void> {
  // better-auth's sign-in looks for providerId "credential" with accountId = the user's id.
  await auth.internalAdapter.linkAccount({
    userId,
    providerId: 'credential',
    accountId: userId,
    password: hash,
  });
}

/**
 * The demo accounts of interfaces.md, plus a responder whose runbook rights come only from
 * break-glass and an approver (the second operator of four-eyes approval).
 */
export function demoAccounts(runbookCapabilities: readonly string[]): AccountSummary[] {
  return [
    {
      email: 'operator@ops.local',
      plane: 'platform',
      capabilities: [...ALL_PLATFORM_CAPABILITIES, ...runbookCapabilities],
    },
    {
      email: 'viewer@ops.local',
      plane: 'platform',
      capabilities: [PLATFORM_CAPABILITIES.opsView, PLATFORM_CAPABILITIES.runbooksView],
    },
    { email: 'customer@tenant-1.example', plane: 'tenant', capabilities: [] },
    {
      email: 'responder@ops.local',
      plane: 'platform',
      capabilities: [PLATFORM_CAPABILITIES.opsView, PLATFORM_CAPABILITIES.breakGlass],
    },
    {
      // The second operator of four-eyes approval: sees and approves run requests, starts nothing.
      email: 'approver@ops.local',
      plane: 'platform',
      capabilities: [
        PLATFORM_CAPABILITIES.opsView,
        PLATFORM_CAPABILITIES.runbooksView,
        PLATFORM_CAPABILITIES.runbooksApprove,
      ],
    },
  ];
}
