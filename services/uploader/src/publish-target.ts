import type { UploadOutput } from '@faceless/contracts';
import type { StageContext } from '@faceless/runtime';
import type { ImageType } from './youtube-limits.ts';

/** A video the stage has checked against YouTube's limits and is ready to hand to a target. */
export interface PublishRequest {
  pipelineId: string;
  channel: string;
  outputPrefix: string;
  video: { key: string; bytes: number };
  thumbnail: { key: string; bytes: number; contentType: ImageType };
  /** A SubRip file to publish as the video's caption track, in `language` (the metadata's). */
  captions?: { key: string; language: string };
  metadata: { title: string; description: string; tags: string[]; categoryId: string };
  privacyStatus: UploadOutput['privacyStatus'];
  /** ISO 8601 in UTC: the planned publish time, always set (the stage picks a slot when the input has none). */
  publishAt: string;
  madeForKids: boolean;
  containsSyntheticMedia: boolean;
}

/** Which pipeline's publication to look up, and where the run keeps its artifacts. */
export interface PublicationKey {
  pipelineId: string;
  channel: string;
  outputPrefix: string;
}

/** Reserves a publish slot for a pipeline on a channel, once: a rerun gets the slot it reserved before. */
export interface SlotReserver {
  reserve(o: { channel: string; pipelineId: string; now: Date; planned: () => Promise<Date[]>; choose: (taken: Date[]) => Date }): Promise<Date>;
}

/** A channel's own publishing defaults (YouTube channels keep them in their channel record). */
export interface ChannelSettings {
  privacyStatus?: UploadOutput['privacyStatus'];
  madeForKids?: boolean;
  categoryId?: string;
  /** Daily publishing slots, "HH:MM" in UTC. */
  slots?: readonly string[];
}

/**
 * Where a video gets published: a local channel folder now, YouTube later. The stage owns the
 * checks and the choice of publish time; a target owns exactly-once publishing on its channel.
 */
export interface PublishTarget {
  readonly name: string;
  /** The publication already made for this pipeline, so that a rerun returns it instead of publishing twice. */
  findExisting(key: PublicationKey, ctx: StageContext): Promise<UploadOutput | undefined>;
  /** Publish times already planned on the channel, from which the next free slot is chosen. */
  plannedTimes(channel: string, ctx: StageContext): Promise<Date[]>;
  /**
   * The channel's slot reservations, shared by every process publishing to the channel (the database's
   * publish_slots for YouTube, a SlotBook folder for local channels); without one, slots are only kept
   * apart within this process.
   */
  readonly slotBook?: SlotReserver;
  publish(request: PublishRequest, ctx: StageContext): Promise<UploadOutput>;
  /** The channel's defaults, where the target keeps any; fails for a channel the target does not know. */
  settings?(channel: string): Promise<ChannelSettings>;
}
