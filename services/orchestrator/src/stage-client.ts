import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StageKey } from '@faceless/contracts';
import type { ObjectStore } from '@faceless/infra';
import type { Logger, Stage } from '@faceless/runtime';

export interface StageCallOptions {
  pipelineId: string;
  signal: AbortSignal;
  onProgress?: (fraction: number, note?: string) => void;
}

/** How the orchestrator reaches a stage: in this process, or over HTTP on the stage's seed route. */
export interface StageClient {
  call(stage: StageKey, input: unknown, options: StageCallOptions): Promise<unknown>;
}

/** Runs the stages' code directly, for the CLI and the all-in-one server. */
export class InProcessStageClient implements StageClient {
  constructor(
    private readonly deps: {
      stages: (key: StageKey) => Promise<Stage>;
      store: ObjectStore;
      log: Logger;
      /** Parent folder of each call's scratch folder. */
      workRoot?: string;
    },
  ) {}

  async call(key: StageKey, input: unknown, options: StageCallOptions): Promise<unknown> {
    const stage = await this.deps.stages(key);
    const workDir = await mkdtemp(join(this.deps.workRoot ?? tmpdir(), `faceless-${key}-`));
    try {
      return await stage.execute(input, {
        store: this.deps.store,
        log: this.deps.log.child({ stage: key, pipelineId: options.pipelineId }),
        signal: options.signal,
        progress: (fraction, note) => options.onProgress?.(fraction, note),
        workDir,
      });
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }
}
