import { SEED_CATALOG, catalogStage } from './stage-catalog.ts';
import type { RunnerHooks } from './pipeline-runner.ts';
import { createOperatorMetrics, toFacelessError, type MetricsRegistry } from '@faceless/runtime';
import type { StageKey } from '@faceless/contracts';

/**
 * The pipeline runner's operator metrics on an orchestrator registry (the one its /metrics serves),
 * recorded through the runner's hooks: the runner itself knows no prom-client. Hand the result to
 * the queue (PipelineQueue or InProcessPipelineQueue) as `hooks`. The stage label is the stage's
 * service name, as in stage_duration_seconds.
 */
export function pipelineMetricsHooks(registry: MetricsRegistry): RunnerHooks {
  const m = createOperatorMetrics(registry, ['pipelinesStarted', 'pipelinesCompleted', 'pipelinesFailed', 'stageRetries', 'pipelineDuration']);
  const service = (key: StageKey): string => catalogStage(SEED_CATALOG, key).service;
  return {
    onPipelineStarted: () => m.pipelinesStarted.inc(),
    onRetry: (stage, { error }) => m.stageRetries.inc({ stage: service(stage), code: toFacelessError(error).code }),
    onPipelineEnded: (outcome, { seconds, stage, code }) => {
      m.pipelineDuration.observe({ outcome }, seconds);
      if (outcome === 'completed') m.pipelinesCompleted.inc();
      else m.pipelinesFailed.inc({ stage: stage ? service(stage) : 'unknown', code: code ?? 'INTERNAL' });
    },
  };
}
