import type { Logger } from '@faceless/runtime';

export interface PublishedVariant {
  title?: string;
  /** Object-store key of the thumbnail (an absolute file path when the CLI created the experiment). */
  thumbnailKey?: string;
}

/**
 * Makes a variant the live one on YouTube (thumbnails.set, videos.update for the title). A port so
 * that rotation and decisions are tested without YouTube, and so the local channel can run the same
 * experiment. It throws a FacelessError on failure; the caller leaves its records unchanged and
 * retries later, so applying the same variant twice must be harmless.
 */
export interface VariantPublisher {
  /** `channel`: the YouTube channel the video was uploaded to, when known (else the publisher looks it up). */
  applyVariant(input: { videoId: string; channel?: string; variant: PublishedVariant; signal?: AbortSignal }): Promise<void>;
}

export interface RecordedApply {
  videoId: string;
  variant: PublishedVariant;
}

/** For the local channel and tests: logs each call, keeps it in `applied`, and changes nothing. */
export function createRecordingPublisher(log?: Logger): VariantPublisher & { applied: RecordedApply[] } {
  const applied: RecordedApply[] = [];
  return {
    applied,
    applyVariant({ videoId, variant, signal }) {
      signal?.throwIfAborted();
      applied.push({ videoId, variant: { ...variant } });
      log?.info('variant applied (recorded only: local channel)', { videoId, title: variant.title, thumbnailKey: variant.thumbnailKey });
      return Promise.resolve();
    },
  };
}
