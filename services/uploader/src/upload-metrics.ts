import { createOperatorMetrics, type MetricsRegistry, type OperatorMetrics } from '@faceless/runtime';

/** What the YouTube target reports, for the uploader's /metrics. */
export interface UploadRecorder {
  uploadEnded(channel: string, outcome: 'ok' | 'failed'): void;
  acknowledged(channel: string, bytes: number): void;
  retried(channel: string, reason: string): void;
  quotaGranted(channel: string, operation: string, units: number): void;
}

/** A project's quota today, read at each scrape; undefined while the ledger is not open. */
export type QuotaSource = () => Promise<{ project: string; used: number; limit: number } | undefined>;

type Keys = 'youtubeUploads' | 'youtubeUploadBytes' | 'youtubeUploadRetries' | 'youtubeQuotaUnits' | 'youtubeQuotaUsed' | 'youtubeQuotaLimit';

/**
 * The uploader's operator metrics. The stage is made before the app's registry exists, so the
 * recorder is handed to it first and attached to the registry once the app is built; what happens
 * before (nothing: uploads run on requests) would be dropped. The quota gauges read `quotaFrom`'s
 * source at each scrape; while it has nothing (or fails) they have no series.
 */
export class UploadMetrics implements UploadRecorder {
  private m: OperatorMetrics<Keys> | undefined;
  private quota: QuotaSource = () => Promise.resolve(undefined);

  attach(registry: MetricsRegistry): void {
    const read = (): ReturnType<QuotaSource> => this.quota().catch(() => undefined);
    this.m = createOperatorMetrics(registry, ['youtubeUploads', 'youtubeUploadBytes', 'youtubeUploadRetries', 'youtubeQuotaUnits', 'youtubeQuotaUsed', 'youtubeQuotaLimit'], {
      collect: {
        youtubeQuotaUsed: async (gauge) => {
          gauge.reset();
          const q = await read();
          if (q) gauge.set({ project: q.project }, q.used);
        },
        youtubeQuotaLimit: async (gauge) => {
          gauge.reset();
          const q = await read();
          if (q) gauge.set({ project: q.project }, q.limit);
        },
      },
    });
  }

  quotaFrom(source: QuotaSource): void {
    this.quota = source;
  }

  uploadEnded(channel: string, outcome: 'ok' | 'failed'): void {
    this.m?.youtubeUploads.inc({ channel, outcome });
  }

  acknowledged(channel: string, bytes: number): void {
    this.m?.youtubeUploadBytes.inc({ channel }, bytes);
  }

  retried(channel: string, reason: string): void {
    this.m?.youtubeUploadRetries.inc({ channel, reason });
  }

  quotaGranted(channel: string, operation: string, units: number): void {
    this.m?.youtubeQuotaUnits.inc({ channel, operation }, units);
  }
}
