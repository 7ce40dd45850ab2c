// CPU time of a process from /proc/<pid>/stat (utime + stime), so the benchmark can charge
// every process of the system — Redis included — to the queries it served.
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

let ticksPerSec: number | undefined;
function clockTicks(): number {
  if (ticksPerSec === undefined) {
    const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const n = Number(r.stdout?.trim());
    ticksPerSec = Number.isFinite(n) && n > 0 ? n : 100;
  }
  return ticksPerSec;
}

/** CPU milliseconds used so far by `pid` (0 when the process is gone). */
export function cpuMsOf(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0;
  }
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return ((utime + stime) * 1000) / clockTicks();
}

/** Resident memory of `pid` now and its peak, in MB, from /proc/<pid>/status (0 when gone). */
export function rssMbOf(pid: number): { rss: number; peak: number } {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return { rss: 0, peak: 0 };
  }
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rss: Math.round(kb('VmRSS') / 1024), peak: Math.round(kb('VmHWM') / 1024) };
}

/**
 * CPU of a set of processes across a measured window. A process that dies in the window (a
 * chaos kill) loses its CPU from the sum, so callers add `retired` for processes they end.
 */
export class CpuMeter {
  private readonly start = new Map<number, number>();
  private retired = 0;

  begin(pids: readonly number[]): void {
    for (const pid of pids) this.start.set(pid, cpuMsOf(pid));
  }

  /** Call just before killing `pid`, so its CPU in the window is kept. */
  retire(pid: number): void {
    const s = this.start.get(pid);
    if (s === undefined) return;
    this.retired += cpuMsOf(pid) - s;
    this.start.delete(pid);
  }

  /** Adds a process started inside the window (a restarted worker). */
  add(pid: number): void {
    this.start.set(pid, cpuMsOf(pid));
  }

  totalMs(): number {
    let t = this.retired;
    for (const [pid, s] of this.start) t += Math.max(0, cpuMsOf(pid) - s);
    return t;
  }
}
