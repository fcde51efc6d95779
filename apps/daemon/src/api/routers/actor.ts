import type { Principal } from '../../identity/principal.ts';

/** The run record's actor for an operator. */
export function actorOf(principal: Principal) {
  return { kind: 'user' as const, id: principal.userId, email: principal.email, name: principal.name };
}
