import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far, from /proc; 0 once it is gone. */
export function cpuSecondsOf(pid: number): number {
  try {
    // The command name (field 2) may hold spaces and parentheses: the fields after it start at the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** The pids of every process whose command name is `name` (e.g. every PostgreSQL backend). */
export function pidsNamed(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/**
 * CPU seconds used between start and stop by named groups of processes. A group given by name is
 * looked up at both ends, so backends that started or ended meanwhile count with what they used
 * inside the window as far as /proc can tell (a backend that ended loses its share).
 */
export function cpuMeter(groups: Record<string, () => number[]>): { stop(): Record<string, number> } {
  const read = () => {
    const out = new Map<string, Map<number, number>>();
    for (const [group, pids] of Object.entries(groups)) out.set(group, new Map(pids().map((pid) => [pid, cpuSecondsOf(pid)])));
    return out;
  };
  const before = read();
  return {
    stop() {
      const after = read();
      const used: Record<string, number> = {};
      for (const [group, pids] of after) {
        let sum = 0;
        for (const [pid, seconds] of pids) sum += seconds - (before.get(group)?.get(pid) ?? 0);
        used[group] = sum;
      }
      return used;
    },
  };
}

/** Busy CPU seconds of the whole machine so far, summed over its cores (from /proc/stat). */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / TICKS_PER_SECOND;
}
