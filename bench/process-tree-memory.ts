import { readdirSync, readFileSync } from 'node:fs';

/** Linux page size: statm counts pages. */
const PAGE_BYTES = 4096;

function parentOf(pid: string): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name is in parentheses and may hold spaces: fields start after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
  } catch {
    return undefined;
  }
}

function residentBytes(pid: string): number {
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, 'latin1').split(' ')[1]) * PAGE_BYTES;
  } catch {
    return 0;
  }
}

/** The summed resident memory (VmRSS) of `root` and all its descendants, read from /proc now. */
export function processTreeRss(root = process.pid): { bytes: number; processes: number } {
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
    queue.push(...(children.get(pid) ?? []));
  }
  return { bytes, processes };
}

/**
 * Samples the process tree's resident memory every `intervalMs` until stopped and keeps the peak.
 * A process that lives less than one interval can be missed; ffmpeg renders live for seconds.
 */
export function watchProcessTreeMemory(intervalMs = 50, root = process.pid): { stop: () => { peakBytes: number; peakProcesses: number; samples: number } } {
  let peakBytes = 0;
  let peakProcesses = 0;
  let samples = 0;
  const sample = (): void => {
    const now = processTreeRss(root);
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
      return { peakBytes, peakProcesses, samples };
    },
  };
}

/** CPU seconds (user + system) of this process and of the children it has waited for. */
export function treeCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime, stime, cutime, cstime are fields 14–17 of proc(5); here 0-based after the name, so 11–14, in clock ticks (100 Hz).
  return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0) / 100;
}
