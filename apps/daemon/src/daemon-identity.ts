import { randomBytes } from 'node:crypto';
import os from 'node:os';

/**
 * Who a daemon is, as kept on leases, attempts and claimed ticks: `host:pid:random`. The random
 * part tells two daemons of one process apart (tests); host and pid let a daemon on the same
 * host prove that another one has stopped.
 */
export function newDaemonId(): string {
  return `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/**
 * True only when the daemon has provably stopped: it ran on this host and its process is gone
 * (the way PostgreSQL judges a stale postmaster.pid). A daemon on another host, or an id in
 * another form, is never proven gone here; the caller waits for a time bound instead. Caveat:
 * two containers sharing a hostname but not a PID namespace would defeat the proof.
 */
export function daemonIsGone(daemonId: string): boolean {
  const [host, pidText] = daemonId.split(':');
  const pid = Number(pidText);
  if (host !== os.hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: a process of another user has that pid, so something is alive there.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
