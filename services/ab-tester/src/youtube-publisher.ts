import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, isAbsolute, join } from 'node:path';
import type { ObjectStore } from '@faceless/infra';
import { FacelessError, type Logger } from '@faceless/runtime';
import {
  ChannelStore, ChannelTokenSource, ChannelVideos, createYouTubeClient, openQuotaLedger,
  type AccessTokenSource, type QuotaLedger, type QuotaRequest, type YouTubeClient, type YouTubeConfig,
} from '@faceless/youtube';
import type { VariantPublisher } from './variant-publisher.ts';

export interface YouTubeVariantPublisherDeps {
  config: YouTubeConfig;
  /** Where relative thumbnail keys live (the service's object store; the CLI's run folder). */
  store?: Pick<ObjectStore, 'getFile' | 'localPath' | 'exists'>;
  /** For videos faceless did not upload to a YouTube channel (the local channel): record only. */
  fallback: VariantPublisher;
  log?: Logger;
  /** Test seams. */
  clientFor?: (tokens: AccessTokenSource) => YouTubeClient;
  ledger?: QuotaLedger;
  now?: () => Date;
}

/**
 * Makes a variant live on the YouTube channel the video was uploaded to: videos.update for the title,
 * thumbnails.set for the image. The quota is reserved first; when the day's quota is spent the call
 * fails with QUOTA_EXCEEDED and the rotation is retried at a later tick.
 */
export function createYouTubeVariantPublisher(deps: YouTubeVariantPublisherDeps): VariantPublisher {
  const channels = new ChannelStore(deps.config.dataDir);
  const videos = new ChannelVideos(deps.config.dataDir);
  const tokens = new Map<string, AccessTokenSource>();
  let ledger = deps.ledger;

  async function clientFor(channelName: string): Promise<YouTubeClient> {
    let source = tokens.get(channelName);
    if (!source) {
      const channel = await channels.get(channelName);
      source = new ChannelTokenSource({ channel, config: deps.config, ...(deps.log ? { warn: (m: string) => deps.log?.warn(m) } : {}) });
      tokens.set(channelName, source);
    }
    const { config } = deps;
    return deps.clientFor?.(source) ?? createYouTubeClient({ apiUrl: config.apiUrl, uploadUrl: config.uploadUrl, reportingUrl: config.reportingUrl, tokens: source });
  }

  async function reserve(ops: QuotaRequest[]): Promise<void> {
    ledger ??= openQuotaLedger(deps.config);
    const r = await ledger.reserve(ops, deps.now?.() ?? new Date());
    if (!r.ok) throw new FacelessError('QUOTA_EXCEEDED', `not enough YouTube quota left today to switch the variant (${r.reason}); it is retried after ${r.waitUntil.toISOString()}`);
  }

  return {
    async applyVariant({ videoId, variant, signal }) {
      const channel = await videos.channelOf(videoId);
      if (!channel) return deps.fallback.applyVariant({ videoId, variant, ...(signal ? { signal } : {}) });
      const youtube = await clientFor(channel);
      if (variant.title) {
        await reserve([{ op: 'videos.list', count: 1 }, { op: 'videos.update', count: 1 }]);
        await youtube.updateVideoTitle({ videoId, title: variant.title, ...(signal ? { signal } : {}) });
      }
      if (variant.thumbnailKey) {
        const key = variant.thumbnailKey;
        let file = isAbsolute(key) ? key : deps.store?.localPath?.(key);
        let scratch: string | undefined;
        if (!file) {
          if (!deps.store) throw new FacelessError('NOT_FOUND', `thumbnail "${key}" is an object key but this host has no object store to read it from`, { field: 'thumbnailKey' });
          scratch = await mkdtemp(join(tmpdir(), 'faceless-variant-'));
          file = join(scratch, `thumbnail${extname(key) || '.jpg'}`);
          await deps.store.getFile(key, file);
        }
        try {
          await reserve([{ op: 'thumbnails.set', count: 1 }]);
          await youtube.setThumbnail({ videoId, file, ...(signal ? { signal } : {}) });
        } finally {
          if (scratch) await rm(scratch, { recursive: true, force: true });
        }
      }
      deps.log?.info('variant applied on YouTube', { videoId, channel, title: variant.title, thumbnailKey: variant.thumbnailKey });
    },
  };
}
