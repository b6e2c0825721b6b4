import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { PrivacyStatus, type UploadOutput } from '@faceless/contracts';
import type { ObjectStore } from '@faceless/infra';
import { FacelessError, type StageContext } from '@faceless/runtime';
import type { PublicationKey, PublishRequest, PublishTarget } from '../publish-target.ts';
import { SlotBook } from '../slot-book.ts';

/** What a local channel keeps per video: references to the object store, never the bytes. */
export const PublishRecord = z.object({
  videoId: z.string(),
  pipelineId: z.string(),
  channel: z.string(),
  title: z.string(),
  description: z.string(),
  tags: z.array(z.string()),
  categoryId: z.string(),
  privacyStatus: PrivacyStatus,
  publishAt: z.string(),
  madeForKids: z.boolean(),
  containsSyntheticMedia: z.boolean(),
  video: z.object({ key: z.string(), bytes: z.number(), sha256: z.string() }),
  thumbnail: z.object({ key: z.string(), bytes: z.number() }),
  videoLocation: z.string(),
  createdAt: z.string(),
});
export type PublishRecord = z.infer<typeof PublishRecord>;

export const LOCAL_TARGET = 'local';
const RECORD_NAME = 'publish-record.json';

/** Deterministic per pipeline, shaped like a YouTube id (11 base64url characters), so a rerun finds its record. */
export function localVideoId(pipelineId: string): string {
  return `local-${createHash('sha256').update(pipelineId).digest('base64url').slice(0, 11)}`;
}

/** Publishes into a folder per channel: `<root>/<channel>/<videoId>.json`, for a person (or a later job) to pick up. */
export class LocalChannelTarget implements PublishTarget {
  readonly name = LOCAL_TARGET;

  /** Beside the channel folders (a dot folder, so that no channel can be named like it), on the same volume as the records. */
  readonly slotBook: SlotBook;

  constructor(private readonly root: string) {
    this.slotBook = new SlotBook(join(root, '.slots'));
  }

  channelDir(channel: string): string {
    return join(this.root, channel);
  }

  recordFile(channel: string, videoId: string): string {
    return join(this.channelDir(channel), `${videoId}.json`);
  }

  async findExisting(key: PublicationKey, ctx: StageContext): Promise<UploadOutput | undefined> {
    const file = this.recordFile(key.channel, localVideoId(key.pipelineId));
    const record = await readRecord(file);
    if (!record) return undefined;
    if (record.pipelineId !== key.pipelineId) {
      throw new FacelessError('CONFLICT', `${file} belongs to pipeline ${record.pipelineId}, not ${key.pipelineId}: move that file away`);
    }
    const recordPath = `${key.outputPrefix}${RECORD_NAME}`;
    // The channel record is written first; a run that stopped before the store copy gets it now.
    if (!(await ctx.store.exists(recordPath))) await ctx.store.putBytes(recordPath, toJson(record), 'application/json');
    return outputOf(record, recordPath);
  }

  async plannedTimes(channel: string, ctx: Pick<StageContext, 'log'>): Promise<Date[]> {
    const dir = this.channelDir(channel);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw storageError(`could not list the channel folder ${dir}`, err);
    }
    const times: Date[] = [];
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      const record = await readRecord(join(dir, name)).catch((err: unknown) => {
        ctx.log.warn('skipping an unreadable publish record', { file: join(dir, name), error: (err as Error).message });
        return undefined;
      });
      if (record) times.push(new Date(record.publishAt));
    }
    return times;
  }

  async publish(request: PublishRequest, ctx: StageContext): Promise<UploadOutput> {
    const videoId = localVideoId(request.pipelineId);
    const sha256 = await hashObject(ctx.store, request.video.key, request.video.bytes, ctx);
    const record: PublishRecord = {
      videoId,
      pipelineId: request.pipelineId,
      channel: request.channel,
      title: request.metadata.title,
      description: request.metadata.description,
      tags: request.metadata.tags,
      categoryId: request.metadata.categoryId,
      privacyStatus: request.privacyStatus,
      publishAt: request.publishAt,
      madeForKids: request.madeForKids,
      containsSyntheticMedia: request.containsSyntheticMedia,
      video: { key: request.video.key, bytes: request.video.bytes, sha256 },
      thumbnail: { key: request.thumbnail.key, bytes: request.thumbnail.bytes },
      videoLocation: ctx.store.describe(request.video.key),
      createdAt: new Date().toISOString(),
    };
    const file = this.recordFile(request.channel, videoId);
    const created = await createExclusive(file, toJson(record));
    if (!created) {
      // Another run of the same pipeline got there first: its record is the publication.
      const existing = await this.findExisting(request, ctx);
      if (existing) return existing;
    }
    const recordPath = `${request.outputPrefix}${RECORD_NAME}`;
    await ctx.store.putBytes(recordPath, toJson(record), 'application/json');
    ctx.log.info('published to the local channel', { channel: request.channel, videoId, file, publishAt: record.publishAt });
    return outputOf(record, recordPath);
  }
}

function outputOf(record: PublishRecord, recordPath: string): UploadOutput {
  return { target: LOCAL_TARGET, channel: record.channel, videoId: record.videoId, recordPath, publishAt: record.publishAt, privacyStatus: record.privacyStatus };
}

function toJson(record: PublishRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

async function readRecord(file: string): Promise<PublishRecord | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw storageError(`could not read the publish record ${file}`, err);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new FacelessError('CONFLICT', `${file} is not valid JSON (${(err as Error).message}): move it out of the channel folder`, { cause: err });
  }
  const parsed = PublishRecord.safeParse(json);
  if (!parsed.success) {
    throw new FacelessError('CONFLICT', `${file} is not a publish record (${parsed.error.issues[0]?.message ?? 'bad shape'}): move it out of the channel folder`);
  }
  return parsed.data;
}

/** Writes the whole file under a temporary name, then links it into place: false when the file already exists. */
async function createExclusive(file: string, text: string): Promise<boolean> {
  const tmp = `${file}.${randomUUID()}.part`;
  try {
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(tmp, text);
    await link(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw storageError(`could not write the publish record ${file}`, err);
  } finally {
    await rm(tmp, { force: true });
  }
}

async function hashObject(store: ObjectStore, key: string, total: number, ctx: StageContext): Promise<string> {
  let stream = store.readStream?.(key);
  if (!stream) {
    const copy = join(ctx.workDir, 'video-to-hash');
    await store.getFile(key, copy);
    stream = createReadStream(copy);
  }
  const hash = createHash('sha256');
  let done = 0;
  let reported = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (ctx.signal.aborted) throw new FacelessError('CANCELLED', `checksumming ${key} was cancelled`);
    hash.update(chunk);
    done += chunk.length;
    const fraction = done / Math.max(1, total);
    if (fraction - reported >= 0.05) {
      reported = fraction;
      ctx.progress(0.1 + 0.8 * fraction, 'checksumming the video');
    }
  }
  return hash.digest('hex');
}

function storageError(message: string, cause: unknown): FacelessError {
  return new FacelessError('STORAGE_FAILED', `${message}: ${(cause as Error).message}; check LOCAL_CHANNEL_DIR points to a folder you can write to`, { cause, retryable: false });
}
