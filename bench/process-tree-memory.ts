import { readdirSync, readFileSync } from 'node:fs';

/** Linux page size: statm counts pages. */
const PAGE_BYTES = 4096;

/** The fields of /proc/PID/stat after the command name (which is in parentheses and may hold spaces). */
function statFields(pid: string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function parentOf(pid: string): string | undefined {
  return statFields(pid)?.[1];
}

/** proc(5) utime, stime, cutime, cstime are fields 14–17: here 0-based after the name, 11–14, in clock ticks (100 Hz). */
function statCpuSeconds(fields: string[] | undefined, which: readonly number[]): number {
  return fields ? which.reduce((sum, i) => sum + Number(fields[i]), 0) / 100 : 0;
}

/** user+sys seconds of `pid` itself (not of the children it reaped: they are sampled on their own). */
function ownCpuSeconds(pid: string): number {
  return statCpuSeconds(statFields(pid), [11, 12]);
}

function residentBytes(pid: string): number {
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, 'latin1').split(' ')[1]) * PAGE_BYTES;
  } catch {
    return 0;
  }
}

/** The summed resident memory (VmRSS) of `root` and all its descendants, read from /proc now; `cpu` gets each one's own CPU seconds. */
export function processTreeRss(root = process.pid, cpu?: Map<string, number>): { bytes: number; processes: number } {
  const children = new Map<string, string[]>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const parent = parentOf(pid);
    if (parent) children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  let bytes = 0;
  let processes = 0;
  const queue = [String(root)];
  while (queue.length > 0) {
    const pid = queue.pop() as string;
    bytes += residentBytes(pid);
    processes++;
    cpu?.set(pid, ownCpuSeconds(pid));
    queue.push(...(children.get(pid) ?? []));
  }
  return { bytes, processes };
}

/**
 * Samples the process tree's resident memory every `intervalMs` until stopped and keeps the peak.
 * A process that lives less than one interval can be missed; ffmpeg renders live for seconds.
 */
export function watchProcessTreeMemory(intervalMs = 50, root = process.pid): { stop: () => { peakBytes: number; peakProcesses: number; samples: number; sampledCpuSeconds: number } } {
  // The last own CPU seconds read for each process seen in the tree: their sum counts the processes
  // that left without being waited for by the tree (Chromium's zygote children), which treeCpuSeconds
  // misses; it misses what a process used after its last sample.
  const cpu = new Map<string, number>();
  let peakBytes = 0;
  let peakProcesses = 0;
  let samples = 0;
  const sample = (): void => {
    const now = processTreeRss(root, cpu);
    samples++;
    if (now.bytes > peakBytes) peakBytes = now.bytes;
    if (now.processes > peakProcesses) peakProcesses = now.processes;
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return { peakBytes, peakProcesses, samples, sampledCpuSeconds: [...cpu.values()].reduce((a, b) => a + b, 0) };
    },
  };
}

/** CPU seconds (user + system) of this process and of the children it has waited for. */
export function treeCpuSeconds(): number {
  return statCpuSeconds(statFields('self'), [11, 12, 13, 14]);
}
