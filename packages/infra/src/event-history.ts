import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PipelineEvent } from '@faceless/contracts';

/**
 * Every event a pipeline has published, kept so that a subscriber who connects late (or reconnects)
 * can be given what it missed. The bus only reaches those listening at the time.
 */
export interface EventHistory {
  append(event: PipelineEvent): Promise<void>;
  /** The pipeline's events with seq > after, ascending, one per seq (the last one appended wins). */
  read(pipelineId: string, after?: number): Promise<PipelineEvent[]>;
}

/**
 * Sorted by seq, one event per seq, only those after `after`. A run that crashed after appending an
 * event but before its checkpoint counted it appends that seq again on resume: the later one is the
 * one the bus carried.
 */
export function orderHistory(events: Iterable<PipelineEvent>, after = 0): PipelineEvent[] {
  const bySeq = new Map<number, PipelineEvent>();
  for (const e of events) if (e.seq > after) bySeq.set(e.seq, e);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

export class MemoryEventHistory implements EventHistory {
  private readonly events = new Map<string, PipelineEvent[]>();

  append(event: PipelineEvent): Promise<void> {
    const list = this.events.get(event.pipelineId) ?? [];
    list.push(structuredClone(event));
    this.events.set(event.pipelineId, list);
    return Promise.resolve();
  }

  read(pipelineId: string, after = 0): Promise<PipelineEvent[]> {
    return Promise.resolve(orderHistory(this.events.get(pipelineId) ?? [], after).map((e) => structuredClone(e)));
  }
}

const ID = /^[\w.-]{1,128}$/;
const SUFFIX = '.events.jsonl';

/**
 * One JSON-lines file per pipeline (`<id>.events.jsonl`), appended to, so it survives a restart.
 * The embedded store of `faceless serve`, beside its folder checkpoints (whose files end in `.json`).
 * A line cut short by a crash is skipped when read; blank lines are ignored.
 */
export class FolderEventHistory implements EventHistory {
  constructor(readonly folder: string) {}

  /** The file of a pipeline, or undefined for an id that cannot be a file name. */
  pathFor(pipelineId: string): string | undefined {
    return ID.test(pipelineId) && pipelineId !== '.' && pipelineId !== '..' ? join(this.folder, `${pipelineId}${SUFFIX}`) : undefined;
  }

  async append(event: PipelineEvent): Promise<void> {
    const path = this.pathFor(event.pipelineId);
    if (!path) throw new Error(`pipeline id "${event.pipelineId.slice(0, 140)}" cannot name an event history file: use letters, digits, ".", "_" and "-" (1–128)`);
    await mkdir(this.folder, { recursive: true });
    // One write per event (O_APPEND keeps it whole); the leading newline ends a line a crash cut short,
    // so that the cut line, not this event, is the one skipped.
    await appendFile(path, `\n${JSON.stringify(event)}\n`);
  }

  async read(pipelineId: string, after = 0): Promise<PipelineEvent[]> {
    const path = this.pathFor(pipelineId);
    if (!path) return [];
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return orderHistory(parseLines(text.split('\n')), after);
  }
}

/** Events from JSON lines, skipping blank, cut-short or foreign lines. */
export function parseLines(lines: Iterable<string>): PipelineEvent[] {
  const events: PipelineEvent[] = [];
  for (const line of lines) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as Partial<PipelineEvent> | null;
      if (e && typeof e.seq === 'number' && typeof e.name === 'string' && typeof e.pipelineId === 'string') events.push(e as PipelineEvent);
    } catch {
      // cut short by a crash mid-append
    }
  }
  return events;
}
