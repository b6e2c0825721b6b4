import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '@faceless/runtime';

/** Where a pipeline's progress survives a crash, so a rerun resumes at the first unfinished stage. */
export interface CheckpointStore<T> {
  load(pipelineId: string): Promise<T | undefined>;
  save(pipelineId: string, state: T): Promise<void>;
}

/** One JSON file per pipeline, replaced atomically so a kill mid-write leaves the previous checkpoint. */
export class JsonFileCheckpointStore<T> implements CheckpointStore<T> {
  constructor(private readonly pathFor: (pipelineId: string) => string) {}

  async load(pipelineId: string): Promise<T | undefined> {
    try {
      return JSON.parse(await readFile(this.pathFor(pipelineId), 'utf8')) as T;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async save(pipelineId: string, state: T): Promise<void> {
    const path = this.pathFor(pipelineId);
    await mkdir(dirname(path), { recursive: true });
    await writeFileAtomic(path, `${JSON.stringify(state, null, 2)}\n`);
  }
}

export class MemoryCheckpointStore<T> implements CheckpointStore<T> {
  private readonly states = new Map<string, string>();
  load(pipelineId: string): Promise<T | undefined> {
    const s = this.states.get(pipelineId);
    return Promise.resolve(s === undefined ? undefined : (JSON.parse(s) as T));
  }
  save(pipelineId: string, state: T): Promise<void> {
    this.states.set(pipelineId, JSON.stringify(state));
    return Promise.resolve();
  }
}
