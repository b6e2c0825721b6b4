import type { PipelineReviewRequest, PipelineState } from '@faceless/contracts';
import { FacelessError } from '@faceless/runtime';
import { checkpointOutputs, failQueuedPipeline, type FailQueuedDeps, type PipelineCheckpoint } from './pipeline-runner.ts';

export interface DecideReviewDeps extends FailQueuedDeps {
  /** Queues the approved pipeline again; its run resumes at the stage that waited. */
  enqueue(pipelineId: string): Promise<void>;
}

/**
 * Applies a review decision to a pipeline waiting in Review: approved, it keeps the decision (its
 * edits) and is queued again; rejected, it ends Failed (REVIEW_REJECTED, at the stage that waited)
 * with its pipeline.failed. The caller holds the queue's lock on the pipeline, so a decision is
 * taken once; a second one meets NOT_IN_REVIEW.
 */
export async function decideReview(cp: PipelineCheckpoint, decision: PipelineReviewRequest, deps: DecideReviewDeps): Promise<PipelineState> {
  if (cp.state !== 'Review') {
    const why = !cp.request.review ? 'it was started without "review": true'
      : cp.review ? `it was ${cp.review.decision === 'approve' ? 'approved' : 'rejected'} already`
        : cp.state === 'Failed' || cp.state === 'Completed' ? 'it ended before its review'
          : 'its stages before the upload are still running: decide once its state is Review';
    throw new FacelessError('NOT_IN_REVIEW', `pipeline ${cp.pipelineId} is ${cp.state}, not waiting for review: ${why}`, { field: 'id' });
  }
  const at = (deps.now ?? (() => new Date()))().toISOString();
  if (decision.decision === 'reject') {
    const message = `rejected at review${decision.reason ? `: ${decision.reason}` : ''}`;
    const failed = await failQueuedPipeline({ ...cp, review: { ...decision, at } }, deps, { code: 'REVIEW_REJECTED', message });
    return failed.state;
  }
  const made = checkpointOutputs(cp).thumbnail?.variants.length ?? 0;
  if (decision.thumbnail !== undefined && decision.thumbnail >= made) {
    throw new FacelessError('INVALID_INPUT', `thumbnail ${decision.thumbnail} is out of range: the pipeline made ${made} thumbnail${made === 1 ? '' : 's'}, numbered from 0`, { field: 'thumbnail' });
  }
  await deps.checkpoints.save(cp.pipelineId, { ...cp, state: 'Queued', review: { ...decision, at }, updatedAt: at });
  await deps.enqueue(cp.pipelineId);
  return 'Queued';
}
