/** Sign-in and sign-out against the daemon's identity endpoints (better-auth), same origin. */

export type SignInResult = { ok: true } | { ok: false; message: string };

const AUTH = '/system/api/auth';

/** Never throws: every failure becomes a sentence for the sign-in form. */
export async function signIn(email: string, password: string): Promise<SignInResult> {
  let res: Response;
  try {
    res = await fetch(`${AUTH}/sign-in/email`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
  } catch {
    return { ok: false, message: 'The ops daemon cannot be reached. Check that it is running.' };
  }
  if (res.ok) return { ok: true };
  return { ok: false, message: signInFailureMessage(res.status) };
}

export function signInFailureMessage(status: number): string {
  if (status === 401 || status === 400) return 'The e-mail address or password is not correct.';
  if (status === 429) return 'Too many sign-in attempts for this account. Wait a minute, then try again.';
  if (status === 403) return 'This sign-in was refused because it did not come from the console itself.';
  return `Sign-in failed: the daemon answered ${status}. Try again, or check the daemon's log.`;
}

export async function signOut(): Promise<void> {
  await fetch(`${AUTH}/sign-out`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  }).catch(() => undefined);
}

/** Only console paths may follow a sign-in, so a crafted `next` cannot send the operator elsewhere. */
export function safeNextPath(next: string | null): string {
  if (!next?.startsWith('/system/') || next.startsWith('/system/login') || next.includes('//')) {
    return '/system/ops/runbooks';
  }
  return next;
}
