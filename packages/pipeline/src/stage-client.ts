import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StageKey } from '@faceless/contracts';
import type { ObjectStore } from '@faceless/infra';
import { FacelessError, toFacelessError, type Logger, type Stage } from '@faceless/runtime';

export interface StageCallOptions {
  pipelineId: string;
  signal: AbortSignal;
  onProgress?: (fraction: number, note?: string) => void;
}

/**
 * How a runner reaches a stage: in this process, or over HTTP on the stage's route. Both keep one
 * contract (the conformance test checks it): the output, or a FacelessError whose `retryable` is
 * the stage's own decision; progress reported through onProgress as fractions in [0, 1]; the
 * signal's abort ends the call with CANCELLED.
 */
export interface StageClient<K extends string = StageKey> {
  call(stage: K, input: unknown, options: StageCallOptions): Promise<unknown>;
}

/** Runs the stages' code directly, for the CLI and the all-in-one server. */
export class InProcessStageClient<K extends string = StageKey> implements StageClient<K> {
  constructor(
    private readonly deps: {
      stages: (key: K) => Promise<Stage>;
      store: ObjectStore;
      log: Logger;
      /** Parent folder of each call's scratch folder. */
      workRoot?: string;
    },
  ) {}

  async call(key: K, input: unknown, options: StageCallOptions): Promise<unknown> {
    const stage = await this.deps.stages(key);
    const workDir = await mkdtemp(join(this.deps.workRoot ?? tmpdir(), `faceless-${key}-`));
    // As over HTTP: fractions clamped to [0, 1] that never go back.
    let done = 0;
    try {
      return await stage.execute(input, {
        store: this.deps.store,
        log: this.deps.log.child({ stage: key, pipelineId: options.pipelineId }),
        signal: options.signal,
        progress: (fraction, note) => {
          if (!Number.isFinite(fraction)) return;
          done = Math.max(done, Math.min(1, Math.max(0, fraction)));
          options.onProgress?.(done, note);
        },
        workDir,
      });
    } catch (err) {
      if (options.signal.aborted) throw new FacelessError('CANCELLED', `the ${key} call was cancelled`, { cause: err });
      throw toFacelessError(err);
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }
}
