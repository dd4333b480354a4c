// A dyno is torn down as a whole: every process of the command runs in one process group (spawned
// with `detached: true`), and signals go to the group. "Gone" ignores zombies: an orphaned
// grandchild that was killed may stay a zombie when PID 1 of a container does not reap, but it
// runs nothing and holds no pipe.
import { readdirSync, readFileSync } from 'node:fs';

/** Sends `signal` to every process of the group (0: only probe); false when the group no longer exists. */
export function signalProcessGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

interface ProcStat {
  state: string;
  pgid: number;
}

/** Parses /proc/<pid>/stat; null when the process is gone (or /proc is unavailable). */
function readProcStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  // "pid (comm) state ppid pgrp …"; comm may contain spaces and parentheses, so split after the last ")".
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', pgid: Number(fields[2]) };
}

const hasProcfs = ((): boolean => {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
})();

/** True while the process exists and is not a zombie. */
export function isProcessRunning(pid: number): boolean {
  if (hasProcfs) {
    const stat = readProcStat(pid);
    return stat !== null && stat.state !== 'Z' && stat.state !== 'X';
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** pids of the group's members that still run (zombies excluded). */
export function runningProcessGroupMembers(pgid: number): number[] {
  if (!hasProcfs) return signalProcessGroup(pgid, 0) ? [pgid] : [];
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const stat = readProcStat(pid);
    if (stat && stat.pgid === pgid && stat.state !== 'Z' && stat.state !== 'X') members.push(pid);
  }
  return members;
}

const POLL_INTERVAL_MS = 10;

/**
 * Resolves once no member of the group runs any more, SIGKILLing stragglers on every poll.
 * The kernel gives no event for "a process group became empty", so this polls /proc briefly;
 * after SIGKILL it is normally empty on the first or second look.
 */
export async function killProcessGroupAndWait(pgid: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (runningProcessGroupMembers(pgid).length === 0) return;
    signalProcessGroup(pgid, 'SIGKILL');
    if (Date.now() > deadline) {
      throw new Error(`process group ${pgid} still has running members after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}
