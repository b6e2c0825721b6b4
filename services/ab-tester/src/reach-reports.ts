import type { Logger } from '@faceless/runtime';
import { ChannelTokenSource, createYouTubeClient, type AccessTokenSource, type YouTubeClient, type YouTubeConfig } from '@faceless/youtube';
import type { AbTestService, ImportResult } from './ab-test-service.ts';
import { channelStateOpener, type ChannelState } from './youtube-publisher.ts';

export interface FetchReachReportsDeps {
  config: YouTubeConfig;
  /** Where channels and their videos are kept (the host's database); see channelStateOpener. */
  state?: () => Promise<ChannelState>;
  service: AbTestService;
  log?: Logger;
  /** Test seam: the client for a channel's tokens. */
  clientFor?: (tokens: AccessTokenSource) => YouTubeClient;
}

export interface ReachFetchOutcome {
  channel: string;
  reports: number;
  imports: ImportResult[];
  /** Experiments whose video faceless did not upload to a YouTube channel (the local channel). */
  skipped: string[];
}

const DAY_MS = 24 * 3600_000;

/**
 * Pulls the channel_reach_basic_a1 reports (thumbnail impressions and CTR, about 48 h late) of every
 * channel with a running experiment, and imports each into those experiments. Re-importing a period
 * replaces it, so fetching the same report twice never double counts; reports older than the oldest
 * experiment (less a day) are not listed.
 */
export async function fetchReachReports(deps: FetchReachReportsDeps, options: { signal?: AbortSignal } = {}): Promise<ReachFetchOutcome[]> {
  const { videos, channels } = await channelStateOpener(deps)();
  const running = await deps.service.list({ status: 'running' });
  const byChannel = new Map<string, typeof running>();
  const local: string[] = [];
  for (const exp of running) {
    const channel = exp.channel ?? await videos.channelOf(exp.videoId);
    if (!channel) {
      local.push(exp.id);
      continue;
    }
    byChannel.set(channel, [...(byChannel.get(channel) ?? []), exp]);
  }
  const outcomes: ReachFetchOutcome[] = [];
  for (const [channel, experiments] of byChannel) {
    const tokens = new ChannelTokenSource({ channel: await channels.get(channel), config: deps.config, ...(deps.log ? { warn: (m: string) => deps.log?.warn(m) } : {}) });
    const { config } = deps;
    const youtube = deps.clientFor?.(tokens) ?? createYouTubeClient({ apiUrl: config.apiUrl, uploadUrl: config.uploadUrl, reportingUrl: config.reportingUrl, tokens });
    const job = await youtube.ensureReachJob(options.signal ? { signal: options.signal } : {});
    const oldest = Math.min(...experiments.map((e) => Date.parse(e.createdAt)));
    const reports = await youtube.listReports(job.id, { createdAfter: new Date(oldest - DAY_MS).toISOString(), ...(options.signal ? { signal: options.signal } : {}) });
    const imports: ImportResult[] = [];
    for (const report of reports) {
      const csv = await youtube.downloadReport(report.downloadUrl, options.signal ? { signal: options.signal } : {});
      for (const exp of experiments) imports.push(await deps.service.importCsv(exp.id, csv));
    }
    deps.log?.info('reach reports imported', { channel, reports: reports.length, experiments: experiments.length });
    outcomes.push({ channel, reports: reports.length, imports, skipped: [] });
  }
  if (local.length > 0) outcomes.push({ channel: 'local', reports: 0, imports: [], skipped: local });
  return outcomes;
}
