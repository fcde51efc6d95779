export { locksConflict, RunLockSession } from './advisory-locks.ts';
export { checkFence, currentFence, type Fence, LeaseLostError, leaseHeld, RunLease } from './run-lease.ts';
