import type { PipelineReview, PipelineReviewRequest } from '@faceless/contracts';
import type { StageOutputs } from './stage-inputs.ts';

/** A review's decision as the checkpoint keeps it: an approval's edits, or a rejection's reason. */
export type ReviewRecord = PipelineReviewRequest & { at: string };

/** What a pipeline waiting in Review shows: the metadata and thumbnail stages' choices (pure). */
export function reviewSummary(outputs: Partial<StageOutputs>): PipelineReview | undefined {
  const meta = outputs.metadata?.metadata;
  if (!meta) return undefined;
  const variants = outputs.thumbnail?.variants ?? [];
  const chosen = variants.findIndex((v) => v.path === outputs.thumbnail?.thumbnailPath);
  return {
    title: meta.title,
    titles: [meta.title, ...meta.titleAlternatives],
    description: meta.description,
    thumbnails: variants.length,
    thumbnail: Math.max(0, chosen),
  };
}

/**
 * The outputs the stages after an approved review read (pure): the title and description edited,
 * the thumbnail chosen as the one uploaded and first among the A/B variants (the A/B test starts
 * with its first variant live, so the video keeps what the reviewer chose). An edited title leads
 * the titles; the others proposed stay as alternatives. Anything else is passed through.
 */
export function reviewedOutputs(outputs: Partial<StageOutputs>, review: ReviewRecord | undefined): Partial<StageOutputs> {
  if (review?.decision !== 'approve') return outputs;
  const edited = { ...outputs };
  const meta = outputs.metadata;
  if (meta && (review.title !== undefined || review.description !== undefined)) {
    const title = review.title ?? meta.metadata.title;
    const titleAlternatives = [...new Set([meta.metadata.title, ...meta.metadata.titleAlternatives])].filter((t) => t !== title);
    edited.metadata = {
      ...meta,
      metadata: { ...meta.metadata, title, titleAlternatives, ...(review.description !== undefined ? { description: review.description } : {}) },
    };
  }
  const thumbs = outputs.thumbnail;
  const chosen = review.thumbnail !== undefined ? thumbs?.variants[review.thumbnail] : undefined;
  if (thumbs && chosen) {
    edited.thumbnail = { ...thumbs, thumbnailPath: chosen.path, variants: [chosen, ...thumbs.variants.filter((v) => v !== chosen)] };
  }
  return edited;
}
