import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FacelessError, writeFileAtomic } from '@faceless/runtime';
import type { ListableCheckpointStore } from './orchestrator-app.ts';

const ID = /^[\w.-]{1,128}$/;
const SUFFIX = '.json';

function validId(pipelineId: string): boolean {
  return ID.test(pipelineId) && pipelineId !== '.' && pipelineId !== '..';
}

/**
 * One JSON file per pipeline in a folder, replaced atomically so a kill mid-write leaves the
 * previous checkpoint; lists newest first by updatedAt. The checkpoint store of `faceless serve`.
 */
export class FolderCheckpointStore<T extends { updatedAt: string }> implements ListableCheckpointStore<T> {
  constructor(readonly folder: string) {}

  /** The file of a pipeline, or undefined for an id that cannot be a file name. */
  pathFor(pipelineId: string): string | undefined {
    return validId(pipelineId) ? join(this.folder, `${pipelineId}${SUFFIX}`) : undefined;
  }

  async load(pipelineId: string): Promise<T | undefined> {
    const path = this.pathFor(pipelineId);
    if (!path) return undefined;
    try {
      return JSON.parse(await readFile(path, 'utf8')) as T;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async save(pipelineId: string, state: T): Promise<void> {
    const path = this.pathFor(pipelineId);
    if (!path) {
      throw new FacelessError('INVALID_INPUT', `pipeline id "${pipelineId.slice(0, 140)}" cannot name a checkpoint file: use letters, digits, ".", "_" and "-" (1–128)`, { field: 'pipelineId' });
    }
    await mkdir(this.folder, { recursive: true });
    await writeFileAtomic(path, `${JSON.stringify(state, null, 2)}\n`);
  }

  /** Every pipeline id, newest first by updatedAt (ties: id). */
  async ids(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.folder);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const ids = names.filter((n) => n.endsWith(SUFFIX)).map((n) => n.slice(0, -SUFFIX.length)).filter(validId);
    const stamped = await Promise.all(ids.map(async (id) => {
      try {
        return { id, at: (await this.load(id))?.updatedAt ?? '' };
      } catch {
        // A file that is not JSON (edited by hand) sorts last rather than breaking the list.
        return { id, at: '' };
      }
    }));
    stamped.sort((a, b) => (a.at === b.at ? a.id.localeCompare(b.id) : a.at < b.at ? 1 : -1));
    return stamped.map((s) => s.id);
  }

  async list(options: { limit: number; offset: number }): Promise<string[]> {
    return (await this.ids()).slice(options.offset, options.offset + options.limit);
  }
}
