export { isOwnerAlive, locksConflict, RunLockSession } from './advisory-locks.ts';
