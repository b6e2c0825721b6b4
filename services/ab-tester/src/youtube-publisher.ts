import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, isAbsolute, join } from 'node:path';
import type { ObjectStore } from '@faceless/infra';
import { FacelessError, type Logger } from '@faceless/runtime';
import {
  ChannelTokenSource, createYouTubeClient, openYouTubeStateFromEnv,
  type AccessTokenSource, type QuotaLedger, type QuotaRequest, type YouTubeClient, type YouTubeConfig, type YouTubeState,
} from '@faceless/youtube';
import type { VariantPublisher } from './variant-publisher.ts';

/** The parts of the publishing state the A/B tester reads: channels, their videos, the quota. */
export type ChannelState = Pick<YouTubeState, 'channels' | 'videos' | 'ledger'>;

/**
 * The publishing state the host opened (the service's database), or else the config's (its DATABASE_URL, else
 * PGlite under its data folder; the same database per process), opened once on first use.
 */
export function channelStateOpener(deps: { state?: () => Promise<ChannelState>; config: YouTubeConfig }): () => Promise<ChannelState> {
  if (deps.state) return deps.state;
  const { dataDir, databaseUrl } = deps.config;
  let opened: Promise<ChannelState> | undefined;
  return () => {
    opened ??= openYouTubeStateFromEnv({ FACELESS_DATA_DIR: dataDir, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) }).catch((err: unknown) => {
      opened = undefined;
      throw err;
    });
    return opened;
  };
}

export interface YouTubeVariantPublisherDeps {
  config: YouTubeConfig;
  /** Where channels, their videos and the quota are kept (the host's database); see channelStateOpener. */
  state?: () => Promise<ChannelState>;
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
  const state = channelStateOpener(deps);
  const tokens = new Map<string, AccessTokenSource>();
  let ledger = deps.ledger;

  async function clientFor(channelName: string): Promise<YouTubeClient> {
    let source = tokens.get(channelName);
    if (!source) {
      const channel = await (await state()).channels.get(channelName);
      source = new ChannelTokenSource({ channel, config: deps.config, ...(deps.log ? { warn: (m: string) => deps.log?.warn(m) } : {}) });
      tokens.set(channelName, source);
    }
    const { config } = deps;
    return deps.clientFor?.(source) ?? createYouTubeClient({ apiUrl: config.apiUrl, uploadUrl: config.uploadUrl, reportingUrl: config.reportingUrl, tokens: source });
  }

  async function reserve(ops: QuotaRequest[]): Promise<void> {
    ledger ??= (await state()).ledger(deps.config);
    const r = await ledger.reserve(ops, deps.now?.() ?? new Date());
    if (!r.ok) throw new FacelessError('QUOTA_EXCEEDED', `not enough YouTube quota left today to switch the variant (${r.reason}); it is retried after ${r.waitUntil.toISOString()}`);
  }

  return {
    async applyVariant({ videoId, variant, signal, ...given }) {
      // The pipeline names the channel; an experiment made before it did is looked up in the channel's videos.
      const channel = given.channel ?? await (await state()).videos.channelOf(videoId);
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
