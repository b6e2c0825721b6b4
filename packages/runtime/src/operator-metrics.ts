import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * The metrics an operator watches beside the per-request ones of metrics.ts: one entry per metric,
 * its name, type, labels and which service exports it. The Grafana dashboards and alert rules in
 * deploy/observability/ query these names (a test checks it), and docs/observability.md explains
 * each one. `recordedBy` says where the value is recorded; an entry whose `wired` is false is
 * defined but not recorded yet, so its panels stay empty until that code lands.
 *
 * Labels stay low-cardinality: stage and service names, error codes, states, channel ids (a user
 * has a few channels) — never a pipeline id, a video id or a URL.
 */
export const OPERATOR_METRICS = {
  pipelinesStarted: {
    name: 'faceless_pipelines_started_total', type: 'counter', labelNames: [],
    help: 'Pipelines started (pipeline.started published, once per pipeline).',
    service: 'orchestrator', wired: true, recordedBy: 'packages/pipeline/src/pipeline-metrics.ts',
  },
  pipelinesCompleted: {
    name: 'faceless_pipelines_completed_total', type: 'counter', labelNames: [],
    help: 'Pipelines that reached Completed.',
    service: 'orchestrator', wired: true, recordedBy: 'packages/pipeline/src/pipeline-metrics.ts',
  },
  pipelinesFailed: {
    name: 'faceless_pipelines_failed_total', type: 'counter', labelNames: ['stage', 'code'],
    help: 'Pipelines failed for good, by the stage that failed (its service name) and the error code.',
    service: 'orchestrator', wired: true, recordedBy: 'packages/pipeline/src/pipeline-metrics.ts',
  },
  stageRetries: {
    name: 'faceless_pipeline_stage_retries_total', type: 'counter', labelNames: ['stage', 'code'],
    help: 'Stage attempts that failed with a retryable error and were tried again, by stage and error code.',
    service: 'orchestrator', wired: true, recordedBy: 'packages/pipeline/src/pipeline-metrics.ts',
  },
  pipelinesByState: {
    name: 'faceless_pipelines', type: 'gauge', labelNames: ['state'],
    help: 'Pipelines not yet finished, by state (Queued, Running, Keywords … ABTest, Retry).',
    service: 'orchestrator', wired: true, recordedBy: 'services/orchestrator/src/pipeline-queue.ts',
  },
  pipelineDuration: {
    name: 'faceless_pipeline_duration_seconds', type: 'histogram', labelNames: ['outcome'],
    help: 'Wall time from queued (a retry: from its start) to Completed or Failed, by outcome (completed, failed).',
    buckets: [30, 60, 120, 300, 600, 900, 1800, 3600, 7200],
    service: 'orchestrator', wired: true, recordedBy: 'packages/pipeline/src/pipeline-metrics.ts',
  },
  queueJobs: {
    name: 'faceless_queue_jobs', type: 'gauge', labelNames: ['queue', 'state'],
    help: 'Jobs in a queue by state (waiting (prioritized included), active, delayed, failed).',
    service: 'orchestrator', wired: true, recordedBy: 'services/orchestrator/src/pipeline-queue.ts',
  },
  queueOldestWaiting: {
    name: 'faceless_queue_oldest_waiting_seconds', type: 'gauge', labelNames: ['queue'],
    help: 'Age of the oldest job still waiting in a queue (0 when none waits).',
    service: 'orchestrator', wired: true, recordedBy: 'services/orchestrator/src/pipeline-queue.ts',
  },
  outboxPending: {
    name: 'faceless_event_outbox_pending', type: 'gauge', labelNames: [],
    help: 'Events kept in the outbox because RabbitMQ has not confirmed them yet.',
    service: 'orchestrator', wired: true, recordedBy: 'services/orchestrator/src/outbox-metrics.ts',
  },
  outboxOldest: {
    name: 'faceless_event_outbox_oldest_seconds', type: 'gauge', labelNames: [],
    help: 'Age of the oldest unconfirmed event in the outbox (0 when it is empty).',
    service: 'orchestrator', wired: true, recordedBy: 'services/orchestrator/src/outbox-metrics.ts',
  },
  renderSpeed: {
    name: 'faceless_video_render_speed_ratio', type: 'histogram', labelNames: ['resolution'],
    help: 'Seconds of video rendered per second of wall time, one observation per video, by output size.',
    buckets: [0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10],
    service: 'video-assembler', wired: true, recordedBy: 'services/video-assembler/src/render-metrics.ts',
  },
  renderedVideo: {
    name: 'faceless_video_rendered_seconds_total', type: 'counter', labelNames: ['resolution'],
    help: 'Seconds of finished video rendered.',
    service: 'video-assembler', wired: true, recordedBy: 'services/video-assembler/src/render-metrics.ts',
  },
  renderWall: {
    name: 'faceless_video_render_wall_seconds_total', type: 'counter', labelNames: ['resolution'],
    help: 'Wall time spent rendering (picture, mux and poster frame), in seconds.',
    service: 'video-assembler', wired: true, recordedBy: 'services/video-assembler/src/render-metrics.ts',
  },
  youtubeUploads: {
    name: 'faceless_youtube_uploads_total', type: 'counter', labelNames: ['channel', 'outcome'],
    help: 'Video uploads to YouTube by channel and outcome (ok, failed).',
    service: 'uploader', wired: true, recordedBy: 'services/uploader/src/upload-metrics.ts',
  },
  youtubeUploadBytes: {
    name: 'faceless_youtube_upload_bytes_total', type: 'counter', labelNames: ['channel'],
    help: 'Bytes YouTube acknowledged receiving, by channel.',
    service: 'uploader', wired: true, recordedBy: 'services/uploader/src/upload-metrics.ts',
  },
  youtubeUploadRetries: {
    name: 'faceless_youtube_upload_retries_total', type: 'counter', labelNames: ['channel', 'reason'],
    help: 'Upload requests tried again, by channel and reason (the HTTP status, or "network").',
    service: 'uploader', wired: true, recordedBy: 'services/uploader/src/upload-metrics.ts',
  },
  youtubeQuotaUnits: {
    name: 'faceless_youtube_quota_units_total', type: 'counter', labelNames: ['channel', 'operation'],
    help: 'YouTube Data API quota units spent, by channel and operation (videos.insert, thumbnails.set …).',
    service: 'uploader', wired: true, recordedBy: 'services/uploader/src/upload-metrics.ts',
  },
  youtubeQuotaUsed: {
    name: 'faceless_youtube_quota_units_used', type: 'gauge', labelNames: ['project'],
    help: 'Quota units spent today (Pacific day) by a Cloud project, shared by its channels.',
    service: 'uploader', wired: true, recordedBy: 'services/uploader/src/upload-metrics.ts',
  },
  youtubeQuotaLimit: {
    name: 'faceless_youtube_quota_units_limit', type: 'gauge', labelNames: ['project'],
    help: 'A Cloud project\'s daily quota (YOUTUBE_DAILY_QUOTA).',
    service: 'uploader', wired: true, recordedBy: 'services/uploader/src/upload-metrics.ts',
  },
  abtestExperiments: {
    name: 'faceless_abtest_experiments', type: 'gauge', labelNames: ['status'],
    help: 'A/B experiments by status (running, decided, stopped), counted in the database at scrape time.',
    service: 'ab-tester', wired: true, recordedBy: 'services/ab-tester/src/experiment-metrics.ts',
  },
} as const satisfies Record<string, OperatorMetricSpec>;

export interface OperatorMetricSpec {
  name: string;
  type: 'counter' | 'gauge' | 'histogram';
  labelNames: readonly string[];
  help: string;
  buckets?: readonly number[];
  /** The service whose /metrics exports it. */
  service: string;
  /** false: defined here, not recorded by any code yet. */
  wired: boolean;
  recordedBy: string;
}

export type OperatorMetricKey = keyof typeof OPERATOR_METRICS;

type Spec<K extends OperatorMetricKey> = (typeof OPERATOR_METRICS)[K];
type LabelOf<K extends OperatorMetricKey> = Spec<K>['labelNames'][number];
type MetricOf<K extends OperatorMetricKey> =
  Spec<K>['type'] extends 'counter' ? Counter<LabelOf<K>>
    : Spec<K>['type'] extends 'gauge' ? Gauge<LabelOf<K>>
      : Histogram<LabelOf<K>>;

/** The prom-client objects of some catalog entries, by key. */
export type OperatorMetrics<K extends OperatorMetricKey> = { [P in K]: MetricOf<P> };

export interface CreateOperatorMetricsOptions<K extends OperatorMetricKey> {
  /**
   * Scrape-time refreshers for gauges read from elsewhere (a database, a queue): called on each
   * /metrics request with the gauge to set.
   */
  collect?: { [P in K]?: Spec<P>['type'] extends 'gauge' ? (gauge: Gauge<LabelOf<P>>) => void | Promise<void> : never };
}

/** Creates the catalog entries `keys` on `registry` (whose default labels, e.g. service, apply to them). */
export function createOperatorMetrics<K extends OperatorMetricKey>(
  registry: Registry,
  keys: readonly K[],
  options: CreateOperatorMetricsOptions<K> = {},
): OperatorMetrics<K> {
  const out: Partial<Record<K, Counter | Gauge | Histogram>> = {};
  for (const key of keys) {
    const spec: OperatorMetricSpec = OPERATOR_METRICS[key];
    const base = { name: spec.name, help: spec.help, labelNames: [...spec.labelNames], registers: [registry] };
    switch (spec.type) {
      case 'counter':
        out[key] = new Counter(base);
        break;
      case 'gauge': {
        const refresh = options.collect?.[key] as ((gauge: Gauge) => void | Promise<void>) | undefined;
        out[key] = new Gauge({ ...base, ...(refresh ? { async collect(this: Gauge) { await refresh(this); } } : {}) });
        break;
      }
      case 'histogram':
        out[key] = new Histogram({ ...base, ...(spec.buckets ? { buckets: [...spec.buckets] } : {}) });
        break;
    }
  }
  return out as OperatorMetrics<K>;
}

/** Every catalog entry on one registry: for tests and docs that need all the names. */
export function createAllOperatorMetrics(registry: Registry): OperatorMetrics<OperatorMetricKey> {
  return createOperatorMetrics(registry, Object.keys(OPERATOR_METRICS) as OperatorMetricKey[]);
}
