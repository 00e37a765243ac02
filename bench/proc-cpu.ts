import { readFileSync } from 'node:fs';

const CLK_TCK = 100;

/**
 * CPU seconds (user + system) a process and its threads have used so far; undefined once it is
 * gone. With `tid`, one thread's alone (the main thread's id is the pid).
 */
export function cpuSeconds(pid: number, tid?: number): number | undefined {
  try {
    const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
    // Fields after the ")" that closes the command name: utime is field 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return undefined;
  }
}

/**
 * Measures the share of one core `pid` used while `work` runs (100 = one full core): the whole
 * process (every thread), and its main thread alone.
 */
export async function measureCpu<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; cpuPercent: number; mainThreadPercent: number }> {
  const c0 = cpuSeconds(pid) ?? 0;
  const m0 = cpuSeconds(pid, pid) ?? 0;
  const t0 = performance.now();
  const result = await work();
  const c1 = cpuSeconds(pid) ?? c0;
  const m1 = cpuSeconds(pid, pid) ?? m0;
  const s = (performance.now() - t0) / 1000;
  return { result, cpuPercent: (100 * (c1 - c0)) / s, mainThreadPercent: (100 * (m1 - m0)) / s };
}

/** Resident memory of a process, in MB. */
export function rssMb(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}
