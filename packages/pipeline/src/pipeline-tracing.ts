import { inSpan } from '@faceless/runtime';
import type { StageKey } from '@faceless/contracts';
import type { StageClient } from './stage-client.ts';

/**
 * The stage client with each call in a span `stage <key>` (one per attempt), a child of the
 * pipeline's: the stage service's own spans hang under it, and a failed call marks it with its
 * error code. With tracing off the calls go straight through.
 */
export function tracedStageClient<K extends string = StageKey>(client: StageClient<K>): StageClient<K> {
  return {
    call: (stage, input, options) => inSpan(`stage ${stage}`, {
      kind: 'client',
      attributes: { 'faceless.stage': stage, 'faceless.pipeline.id': options.pipelineId },
    }, () => client.call(stage, input, options)),
  };
}
