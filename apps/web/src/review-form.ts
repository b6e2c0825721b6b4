import type { PipelineReview, PipelineReviewRequest, PipelineStatus } from '@faceless/contracts';
import { TERMINAL_STATES } from './format.ts';

/**
 * The review request's limits (packages/contracts PipelineReviewRequest, YouTube's own), checked in the page too so
 * that the message comes before the round trip. Copied, not imported: importing the contracts at run time would put
 * zod in the page's bundle; a test checks the two agree.
 */
export const REVIEW_LIMITS = { titleChars: 100, descriptionBytes: 5000, reasonChars: 500 } as const;

export interface ReviewEdits {
  title: string;
  description: string;
  thumbnail: number;
}

export type ReviewCheck =
  | { ok: true; body: PipelineReviewRequest }
  | { ok: false; field: 'title' | 'description' | 'thumbnail' | 'reason'; message: string };

const ANGLE_BRACKETS = /[<>]/;

/** The status's `review` (present only in the Review state), or undefined when the pipeline is not waiting for one. */
export function reviewOf(status: { state: string; review?: PipelineReview | undefined } | undefined): PipelineReview | undefined {
  return status?.state === 'Review' ? status.review : undefined;
}

/**
 * A pipeline started with review whose stages before the upload are all done but whose status does not say Review
 * yet. The runner saves that state just after the last stage's event, and entering Review sends no event of its
 * own (the seed's events stay as they are), so the page must ask for the status again.
 */
export function reviewComing(status: Pick<PipelineStatus, 'state' | 'request' | 'stages'>): boolean {
  if (status.request.review !== true || status.state === 'Review' || TERMINAL_STATES.includes(status.state)) return false;
  const upload = status.stages.findIndex((s) => s.stage === 'upload');
  return upload > 0 && status.stages[upload]?.status === 'pending' && status.stages.slice(0, upload).every((s) => s.status === 'completed');
}

/** The proposed titles without repeats, the chosen one first (the status lists it first, and may list it again). */
export function titleChoices(review: PipelineReview): string[] {
  return [...new Set([review.title, ...review.titles].filter((t) => t.trim() !== ''))];
}

export function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}

/**
 * An approval with only what the reviewer changed: a field left out keeps the proposal on the server. The title is
 * trimmed as the server trims it; a bad field is named with the fix instead.
 */
export function approvalOf(review: PipelineReview, edits: ReviewEdits): ReviewCheck {
  const title = edits.title.trim();
  if (!title) return { ok: false, field: 'title', message: 'The title is empty: write one or pick a proposed title.' };
  if (title.length > REVIEW_LIMITS.titleChars) {
    return { ok: false, field: 'title', message: `The title has ${title.length} characters; YouTube allows ${REVIEW_LIMITS.titleChars}: shorten it.` };
  }
  if (ANGLE_BRACKETS.test(title)) return { ok: false, field: 'title', message: 'The title contains < or >, which YouTube refuses: remove them.' };
  const bytes = utf8Bytes(edits.description);
  if (bytes > REVIEW_LIMITS.descriptionBytes) {
    return { ok: false, field: 'description', message: `The description is ${bytes} bytes; YouTube allows ${REVIEW_LIMITS.descriptionBytes}: shorten it.` };
  }
  if (ANGLE_BRACKETS.test(edits.description)) {
    return { ok: false, field: 'description', message: 'The description contains < or >, which YouTube refuses: remove them.' };
  }
  if (!Number.isInteger(edits.thumbnail) || edits.thumbnail < 0 || edits.thumbnail >= review.thumbnails) {
    return { ok: false, field: 'thumbnail', message: `Pick one of the ${review.thumbnails} thumbnails.` };
  }
  return {
    ok: true,
    body: {
      decision: 'approve',
      ...(title !== review.title ? { title } : {}),
      ...(edits.description !== review.description ? { description: edits.description } : {}),
      ...(edits.thumbnail !== review.thumbnail ? { thumbnail: edits.thumbnail } : {}),
    },
  };
}

/** A rejection, with its reason when one was written. */
export function rejectionOf(reason: string): ReviewCheck {
  const text = reason.trim();
  if (text.length > REVIEW_LIMITS.reasonChars) {
    return { ok: false, field: 'reason', message: `The reason has ${text.length} characters; at most ${REVIEW_LIMITS.reasonChars}: shorten it.` };
  }
  return { ok: true, body: { decision: 'reject', ...(text ? { reason: text } : {}) } };
}
