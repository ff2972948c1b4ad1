// schedstat.mjs: what each thread of a process spent on a CPU and ready to run but waiting for one, from
// /proc/<pid>/task/<tid>/schedstat (Linux), for scripts/bench (its Node engines' threads, the page's
// Chromium threads).
import { readdirSync, readFileSync } from 'node:fs';

/**
 * The threads of process `pid` ('self': this one): Map tid → {cpu, wait} in nanoseconds, with `name` (the
 * thread's comm) when `names`; threads that end while they are read are left out. Null where there is no
 * such file (not Linux, a sandbox without scheduler statistics) or the process has ended.
 */
export function threadClocks(pid = 'self', { names = false } = {}) {
  let tids;
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  const clocks = new Map();
  for (const tid of tids) {
    try {
      const [cpu, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
      const clock = { cpu, wait };
      if (names) clock.name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      clocks.set(tid, clock);
    } catch {
      // ended meanwhile, or no scheduler statistics here
    }
  }
  return clocks.size ? clocks : null;
}
