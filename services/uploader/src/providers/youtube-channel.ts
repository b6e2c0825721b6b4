import { extname, join } from 'node:path';
import { z } from 'zod';
import { PrivacyStatus, type UploadOutput } from '@faceless/contracts';
import { FacelessError, isFacelessError, parseJsonOrUndefined, type StageContext } from '@faceless/runtime';
import {
  ChannelTokenSource, createYouTubeClient, quotaProjectKey, type AccessTokenSource, type ChannelRecord, type QuotaLedger, type QuotaRequest,
  type UploadSession, type UploadSessionStore, type YouTubeClient, type YouTubeConfig, type YouTubeState,
} from '@faceless/youtube';
import type { ChannelSettings, PublicationKey, PublishRequest, PublishTarget, SlotReserver } from '../publish-target.ts';
import type { UploadRecorder } from '../upload-metrics.ts';

export const YOUTUBE_TARGET = 'youtube';

/**
 * What the uploader knows about one pipeline's YouTube publication, kept in the database (youtube_publications,
 * by channel and pipeline; a copy goes beside the run's artifacts when it is done). `videoId` is written the
 * moment YouTube answers the last chunk, so that no later crash or rerun can upload a second video for the
 * same pipeline. Runs of earlier versions kept it only in the object store: it is read from there once.
 */
export const YouTubePublication = z.object({
  pipelineId: z.string(),
  channel: z.string(),
  videoId: z.string().optional(),
  thumbnailSet: z.boolean().default(false),
  /**
   * The caption track: `captionsStartedAt` is written before captions.insert and `captionTrackId` after it,
   * so that a rerun after a crash in between lists the video's tracks instead of inserting a second one.
   */
  captionsStartedAt: z.string().optional(),
  captionTrackId: z.string().optional(),
  done: z.boolean().default(false),
  publishAt: z.string(),
  privacyStatus: PrivacyStatus,
  updatedAt: z.string(),
});
export type YouTubePublication = z.infer<typeof YouTubePublication>;

const UploadSessionDoc = z.object({ uri: z.string(), totalBytes: z.number(), sha256: z.string(), createdAt: z.string() });

/** The parts of the publishing state the target uses. */
export type PublishingState = Pick<YouTubeState, 'channels' | 'videos' | 'slots' | 'publications' | 'sessions' | 'ledger'>;

export interface YouTubeChannelDeps {
  config: YouTubeConfig;
  /** The publishing state in the database, opened (and migrated) on first use. */
  state: () => Promise<PublishingState>;
  /** Test seam: the quota ledger; defaults to the database's, for the project of GOOGLE_CLIENT_ID. */
  ledger?: QuotaLedger;
  /** Test seam: the client for a channel's tokens; defaults to the real one on the configured URLs. */
  clientFor?: (tokens: AccessTokenSource) => YouTubeClient;
  /** Test seam: the tokens of a channel; defaults to refreshing its stored refresh token. */
  tokensFor?: (channel: ChannelRecord, warn: (message: string) => void) => AccessTokenSource;
  chunkBytes?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => Date;
  /** Where uploads, acknowledged bytes, retries and granted quota are counted (the service's /metrics). */
  metrics?: UploadRecorder;
}

export function youtubeWatchUrl(videoId: string): string {
  return `https://www.youtube.com/watch?v=${videoId}`;
}

/** Publishes to a YouTube channel authorized with `faceless channels add`: resumable upload, thumbnail, schedule, exactly once. */
export class YouTubeChannelTarget implements PublishTarget {
  readonly name = YOUTUBE_TARGET;
  private readonly tokenSources = new Map<string, AccessTokenSource>();
  private ledgerOnce: QuotaLedger | undefined;
  readonly slotBook: SlotReserver;

  constructor(private readonly deps: YouTubeChannelDeps) {
    this.slotBook = { reserve: async (o) => (await deps.state()).slots.reserve({ target: YOUTUBE_TARGET, ...o }) };
  }

  private async ledger(): Promise<QuotaLedger> {
    this.ledgerOnce ??= this.deps.ledger ?? (await this.deps.state()).ledger(this.deps.config);
    return this.ledgerOnce;
  }

  /**
   * Today's spend of the project's quota, for the metrics: undefined until the ledger is open (the
   * database opens on the first YouTube upload, not on a scrape).
   */
  async quotaUsage(): Promise<{ project: string; used: number; limit: number } | undefined> {
    if (!this.ledgerOnce) return undefined;
    const usage = await this.ledgerOnce.usage(this.deps.now?.() ?? new Date());
    return { project: quotaProjectKey(this.deps.config.clientId ?? ''), used: usage.unitsUsed, limit: usage.dailyQuota };
  }

  private recordKey(key: PublicationKey): string {
    return `${key.outputPrefix}youtube-${key.channel}.json`;
  }

  private sessionKey(key: PublicationKey): string {
    return `${key.outputPrefix}youtube-${key.channel}.upload-session.json`;
  }

  private tokens(channel: ChannelRecord, ctx: StageContext): AccessTokenSource {
    let source = this.tokenSources.get(channel.name);
    if (!source) {
      const warn = (message: string): void => ctx.log.warn(message, { channel: channel.name });
      source = this.deps.tokensFor?.(channel, warn)
        ?? new ChannelTokenSource({ channel, config: this.deps.config, warn, ...(this.deps.now ? { now: this.deps.now } : {}) });
      this.tokenSources.set(channel.name, source);
    }
    return source;
  }

  private client(tokens: AccessTokenSource): YouTubeClient {
    const { config } = this.deps;
    return this.deps.clientFor?.(tokens)
      ?? createYouTubeClient({ apiUrl: config.apiUrl, uploadUrl: config.uploadUrl, reportingUrl: config.reportingUrl, tokens });
  }

  async settings(channel: string): Promise<ChannelSettings> {
    try {
      return { ...(await (await this.deps.state()).channels.get(channel)).defaults };
    } catch (err) {
      if (isFacelessError(err) && err.code === 'NOT_FOUND') {
        throw new FacelessError('NOT_FOUND', `${err.message}; or, to publish into a local folder instead, add it to LOCAL_CHANNELS`, { field: 'channel', cause: err });
      }
      throw err;
    }
  }

  async findExisting(key: PublicationKey, ctx: StageContext): Promise<UploadOutput | undefined> {
    const record = await this.readRecord(key, ctx);
    if (!record?.done || !record.videoId) return undefined;
    return outputOf(record, this.recordKey(key));
  }

  async plannedTimes(channel: string): Promise<Date[]> {
    return (await (await this.deps.state()).videos.list(channel)).map((e) => new Date(e.publishAt));
  }

  async publish(request: PublishRequest, ctx: StageContext): Promise<UploadOutput> {
    const state = await this.deps.state();
    const channel = await state.channels.get(request.channel);
    const tokens = this.tokens(channel, ctx);
    // A revoked or expired authorization fails here, before a byte goes to YouTube.
    await tokens.token(ctx.signal);
    const youtube = this.client(tokens);
    const key: PublicationKey = request;
    let record = await this.readRecord(key, ctx);
    if (record && record.pipelineId !== request.pipelineId) {
      throw new FacelessError('CONFLICT', `${ctx.store.describe(this.recordKey(key))} belongs to pipeline ${record.pipelineId}, not ${request.pipelineId}: use another output folder`);
    }
    record ??= {
      pipelineId: request.pipelineId, channel: request.channel, thumbnailSet: false, done: false,
      publishAt: request.publishAt, privacyStatus: request.privacyStatus, updatedAt: new Date().toISOString(),
    };

    let captionsReserved = false;
    if (!record.videoId) {
      const sessions = this.sessionStore(key, ctx);
      if (!(await sessions.load())) {
        // A new upload reserves its whole cost first, so that it waits for the quota reset instead of failing halfway.
        const ops: QuotaRequest[] = [{ op: 'videos.insert', count: 1 }, { op: 'thumbnails.set', count: 1 }];
        if (request.captions) ops.push({ op: 'captions.insert', count: 1 });
        await this.waitForQuota(ops, request.channel, ctx);
        captionsReserved = request.captions !== undefined;
      }
      await this.writeRecord(key, record);
      const file = await this.localFile(request.video.key, 'video', ctx);
      const { metrics } = this.deps;
      const video = await this.quotaAware(() => youtube.uploadVideo({
        file,
        sessions,
        resource: {
          snippet: {
            title: request.metadata.title,
            description: request.metadata.description,
            tags: request.metadata.tags,
            categoryId: request.metadata.categoryId,
            ...(channel.defaults.language ? { defaultLanguage: channel.defaults.language } : {}),
          },
          status: {
            privacyStatus: request.privacyStatus,
            ...(request.privacyStatus === 'private' ? { publishAt: request.publishAt } : {}),
            selfDeclaredMadeForKids: request.madeForKids,
            containsSyntheticMedia: request.containsSyntheticMedia,
          },
        },
        ...(this.deps.chunkBytes ? { chunkBytes: this.deps.chunkBytes } : {}),
        ...(this.deps.sleep ? { sleep: this.deps.sleep } : {}),
        signal: ctx.signal,
        onProgress: (sent, total) => ctx.progress(0.12 + 0.78 * (sent / Math.max(1, total)), `uploading to YouTube: ${(sent / 1048576).toFixed(1)} of ${(total / 1048576).toFixed(1)} MB`),
        ...(metrics ? {
          onAcknowledged: (bytes: number) => metrics.acknowledged(request.channel, bytes),
          onRetry: (reason: string) => metrics.retried(request.channel, reason),
        } : {}),
      })).catch((err: unknown) => {
        if (!(isFacelessError(err) && err.code === 'CANCELLED')) metrics?.uploadEnded(request.channel, 'failed');
        throw err;
      });
      metrics?.uploadEnded(request.channel, 'ok');
      record = { ...record, videoId: video.id, updatedAt: new Date().toISOString() };
      await this.writeRecord(key, record);
      await state.sessions.delete(key.channel, key.pipelineId);
      await ctx.store.delete(this.sessionKey(key)).catch(() => {});
      await state.videos.add(request.channel, { pipelineId: request.pipelineId, videoId: video.id, publishAt: record.publishAt });
      ctx.log.info('uploaded to YouTube', { channel: request.channel, videoId: video.id });
    }

    const videoId = record.videoId as string;
    if (!record.thumbnailSet) {
      ctx.progress(0.92, 'setting the thumbnail');
      const file = await this.localFile(request.thumbnail.key, 'thumbnail', ctx);
      try {
        await this.quotaAware(() => youtube.setThumbnail({ videoId, file, contentType: request.thumbnail.contentType, signal: ctx.signal }));
        record = { ...record, thumbnailSet: true };
      } catch (err) {
        // A channel that may not set custom thumbnails (403) keeps YouTube's frame; the video is published all the same.
        if (!(isFacelessError(err) && err.code === 'PROVIDER_AUTH')) throw err;
        ctx.log.warn(`YouTube refused the custom thumbnail (${err.message}); the video keeps an automatic one. Verify the channel (phone verification) to allow custom thumbnails.`, { videoId });
      }
    }
    if (request.captions && !record.captionTrackId) {
      ctx.progress(0.95, 'adding the caption track');
      // A start recorded without a track id: an earlier run may have inserted it before it stopped.
      const listFirst = record.captionsStartedAt !== undefined;
      const ops: QuotaRequest[] = [];
      if (!captionsReserved) ops.push({ op: 'captions.insert', count: 1 });
      if (listFirst) ops.push({ op: 'captions.list', count: 1 });
      if (ops.length > 0) await this.waitForQuota(ops, request.channel, ctx);
      const file = await this.localFile(request.captions.key, 'captions', ctx);
      record = { ...record, captionsStartedAt: new Date().toISOString() };
      await this.writeRecord(key, record);
      const { language } = request.captions;
      const { track, inserted } = await this.quotaAware(() => youtube.ensureCaptionTrack({ videoId, language, file, listFirst, signal: ctx.signal }));
      record = { ...record, captionTrackId: track.id };
      await this.writeRecord(key, record);
      ctx.log.info(inserted ? 'caption track added on YouTube' : 'caption track found on YouTube from an earlier run', { videoId, trackId: track.id, language });
    }
    record = { ...record, done: true, updatedAt: new Date().toISOString() };
    await this.writeRecord(key, record);
    // A copy beside the run's artifacts, for people and tools reading the run's folder.
    await ctx.store.putBytes(this.recordKey(key), `${JSON.stringify(record, null, 2)}\n`, 'application/json');
    ctx.progress(1, `published on YouTube: ${youtubeWatchUrl(videoId)}`);
    return outputOf(record, this.recordKey(key));
  }

  private async waitForQuota(ops: readonly QuotaRequest[], channel: string, ctx: StageContext): Promise<void> {
    const ledger = await this.ledger();
    await ledger.waitForQuota(ops, {
      signal: ctx.signal,
      ...(this.deps.sleep ? { sleep: this.deps.sleep } : {}),
      ...(this.deps.now ? { now: this.deps.now } : {}),
      onWait: ({ waitUntil, reason }) => {
        ctx.log.warn(`YouTube quota: ${reason}; waiting until ${waitUntil.toISOString()}`, { channel });
        ctx.progress(0.1, `waiting for YouTube's quota reset at ${waitUntil.toISOString()}`);
      },
    });
    for (const op of ops) this.deps.metrics?.quotaGranted(channel, op.op, ledger.cost([op]).units);
  }

  /** Google's quotaExceeded also marks the day as spent in the ledger, so the next upload waits instead of failing. */
  private async quotaAware<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (isFacelessError(err) && err.code === 'QUOTA_EXCEEDED') await (await this.ledger()).markExhausted(this.deps.now?.() ?? new Date()).catch(() => {});
      throw err;
    }
  }

  private sessionStore(key: PublicationKey, ctx: StageContext): UploadSessionStore {
    const storeKey = this.sessionKey(key);
    const { state } = this.deps;
    return {
      async load() {
        const { sessions } = await state();
        const saved = UploadSessionDoc.safeParse(await sessions.get(key.channel, key.pipelineId));
        if (saved.success) return saved.data;
        // A run of an earlier version kept its session beside the artifacts.
        if (!(await ctx.store.exists(storeKey))) return undefined;
        // A session file that cannot be read starts a new session: no video came of it yet (else the record would exist).
        const legacy = UploadSessionDoc.safeParse(parseJsonOrUndefined(await ctx.store.getBytes(storeKey)));
        return legacy.success ? legacy.data : undefined;
      },
      async save(session: UploadSession) {
        await (await state()).sessions.put(key.channel, key.pipelineId, session);
      },
      // Kept until the video id is recorded (publish() deletes it then): a crash in between must still find the session.
      async clear() {},
    };
  }

  private async readRecord(key: PublicationKey, ctx: StageContext): Promise<YouTubePublication | undefined> {
    const { publications } = await this.deps.state();
    const saved = await publications.get(key.channel, key.pipelineId);
    if (saved !== undefined) {
      const parsed = YouTubePublication.safeParse(saved);
      if (!parsed.success) {
        throw new FacelessError('CONFLICT', `the publication of pipeline ${key.pipelineId} on channel ${key.channel} in the database is damaged (${parsed.error.issues[0]?.message ?? 'bad shape'}): delete its row in youtube_publications only if no video was uploaded for it`);
      }
      return parsed.data;
    }
    // A run of an earlier version kept its record only beside the artifacts: read it once and keep it in the database.
    const recordKey = this.recordKey(key);
    if (!(await ctx.store.exists(recordKey))) return undefined;
    const json = parseJsonOrUndefined(await ctx.store.getBytes(recordKey));
    const parsed = YouTubePublication.safeParse(json);
    if (!parsed.success) {
      const why = json === undefined ? 'not JSON' : parsed.error.issues[0]?.message ?? 'bad shape';
      throw new FacelessError('CONFLICT', `${ctx.store.describe(recordKey)} is not a YouTube publication record (${why}): move it away, or put back the record of the video it names`);
    }
    if (parsed.data.pipelineId === key.pipelineId) await publications.put(key.channel, key.pipelineId, parsed.data);
    return parsed.data;
  }

  private async writeRecord(key: PublicationKey, record: YouTubePublication): Promise<void> {
    await (await this.deps.state()).publications.put(key.channel, key.pipelineId, record);
  }

  private async localFile(key: string, what: string, ctx: StageContext): Promise<string> {
    const local = ctx.store.localPath?.(key);
    if (local) return local;
    const path = join(ctx.workDir, `youtube-${what}${extname(key)}`);
    await ctx.store.getFile(key, path);
    return path;
  }
}

function outputOf(record: YouTubePublication, recordPath: string): UploadOutput {
  const videoId = record.videoId as string;
  return { target: YOUTUBE_TARGET, channel: record.channel, videoId, url: youtubeWatchUrl(videoId), recordPath, publishAt: record.publishAt, privacyStatus: record.privacyStatus };
}
