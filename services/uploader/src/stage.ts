import { UploadInput, UploadOutput } from '@faceless/contracts';
import { defineStage, FacelessError, type StageContext } from '@faceless/runtime';
import { checkThumbnail, checkVideo } from './publish-checks.ts';
import { nextFreeSlot } from './publish-slots.ts';
import type { PublishRequest, PublishTarget } from './publish-target.ts';
import { checkMetadataLimits } from './youtube-limits.ts';

/** Channel names become folder names (and later config keys): keep them plain. */
export const CHANNEL_NAME = /^[a-z0-9_-]{1,64}$/;

export interface UploaderDeps {
  /** The target publishing to this channel; throws INVALID_INPUT (field 'channel') for a channel nobody configured. */
  targetFor(channel: string): PublishTarget;
  /** Daily publishing slots, "HH:MM" in UTC. */
  slots: readonly string[];
  leadMinutes: number;
  now?: () => Date;
}

export function createUploaderStage(deps: UploaderDeps) {
  const now = deps.now ?? (() => new Date());
  // One publication at a time per channel in this process, so two pipelines never pick the same slot.
  const queues = new Map<string, Promise<unknown>>();
  const serialized = <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const run = (queues.get(key) ?? Promise.resolve()).then(fn, fn);
    const tail = run.catch(() => {});
    queues.set(key, tail);
    void tail.then(() => { if (queues.get(key) === tail) queues.delete(key); });
    return run;
  };

  /** The next free slot on the channel, reserved in its slot book when the target keeps one. */
  async function chooseSlot(target: PublishTarget, input: UploadInput, slots: readonly string[], ctx: StageContext): Promise<Date> {
    const at = now();
    const choose = (taken: Date[]): Date => nextFreeSlot({ now: at, slots, taken, leadMinutes: deps.leadMinutes });
    const planned = (): Promise<Date[]> => target.plannedTimes(input.channel, ctx);
    if (!target.slotBook) return choose(await planned());
    return target.slotBook.reserve({ channel: input.channel, pipelineId: input.pipelineId, now: at, planned, choose });
  }

  async function upload(input: UploadInput, ctx: StageContext): Promise<UploadOutput> {
    if (!CHANNEL_NAME.test(input.channel)) {
      throw new FacelessError('INVALID_INPUT', `channel "${input.channel}" may only use a-z, 0-9, "-" and "_" (at most 64): rename it, e.g. "${input.channel.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').slice(0, 64)}"`, { field: 'channel' });
    }
    const target = deps.targetFor(input.channel);
    return serialized(`${target.name}/${input.channel}`, async () => {
      const existing = await target.findExisting(input, ctx);
      if (existing) {
        ctx.log.info('already published: returning the existing publication', { videoId: existing.videoId, channel: input.channel });
        ctx.progress(1, 'already published');
        return existing;
      }
      const settings = (await target.settings?.(input.channel)) ?? {};
      const privacyStatus = input.privacyStatus ?? settings.privacyStatus ?? 'private';
      if (input.publishAt && privacyStatus !== 'private') {
        throw new FacelessError('INVALID_INPUT', `publishAt ${input.publishAt} needs privacyStatus "private" (YouTube publishes a scheduled video by making it public then), not "${privacyStatus}": set privacyStatus to private or drop publishAt`, { field: 'publishAt' });
      }
      checkMetadataLimits(input.metadata);
      const video = await checkVideo(ctx.store, input.videoPath);
      const thumbnail = await checkThumbnail(ctx.store, input.thumbnailPath);
      if (input.captionsPath && !(await ctx.store.exists(input.captionsPath))) {
        throw new FacelessError('NOT_FOUND', `captionsPath "${input.captionsPath}" is not in the object store: pass the captionsSrtPath the video-assembler returned, or leave captionsPath out`, { field: 'captionsPath' });
      }
      ctx.progress(0.1, 'checked against YouTube limits');
      // A private video is scheduled (YouTube makes it public at publishAt); unlisted and public ones go out now.
      const publishAt = input.publishAt
        ? new Date(input.publishAt).toISOString()
        : privacyStatus !== 'private'
          ? now().toISOString()
          : (await chooseSlot(target, input, settings.slots ?? deps.slots, ctx)).toISOString();
      const request: PublishRequest = {
        pipelineId: input.pipelineId,
        channel: input.channel,
        outputPrefix: input.outputPrefix,
        video: { key: input.videoPath, ...video },
        thumbnail: { key: input.thumbnailPath, ...thumbnail },
        ...(input.captionsPath ? { captions: { key: input.captionsPath, language: input.metadata.defaultLanguage } } : {}),
        metadata: {
          title: input.metadata.title,
          description: input.metadata.description,
          tags: input.metadata.tags,
          categoryId: settings.categoryId ?? input.metadata.categoryId,
        },
        privacyStatus,
        publishAt,
        madeForKids: input.madeForKids ?? settings.madeForKids ?? false,
        containsSyntheticMedia: input.containsSyntheticMedia,
      };
      const out = await target.publish(request, ctx);
      ctx.progress(1, `published to ${target.name} channel ${input.channel}, planned ${out.publishAt}`);
      return out;
    });
  }

  return defineStage({ name: 'uploader', input: UploadInput, output: UploadOutput, run: upload });
}
