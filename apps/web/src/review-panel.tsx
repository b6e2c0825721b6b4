import type { PipelineReview } from '@faceless/contracts';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api, type Artifact } from './api-client.ts';
import { REVIEW_LIMITS, approvalOf, rejectionOf, titleChoices, utf8Bytes, type ReviewCheck } from './review-form.ts';
import './review.css';

export interface ReviewPanelProps {
  pipelineId: string;
  review: PipelineReview;
  /** The thumbnail artifacts in the order they were made: the review's thumbnail index points into it. */
  thumbnails: readonly Artifact[];
  channel: string;
  /** After the server took the decision (or said there is none to take): what to tell the reader. */
  onDecided: (notice: string) => void;
}

type Field = Extract<ReviewCheck, { ok: false }>['field'];

/**
 * A pipeline waiting in Review: the title (typed, or one of the proposals), the description and the thumbnail the
 * upload will use, then approve (publish) or reject, with an optional reason.
 */
export function ReviewPanel({ pipelineId, review, thumbnails, channel, onDecided }: ReviewPanelProps) {
  const [title, setTitle] = useState(review.title);
  const [description, setDescription] = useState(review.description);
  const [thumbnail, setThumbnail] = useState(review.thumbnail);
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ field?: string; message: string }>();
  const reasonRef = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    if (rejecting) reasonRef.current?.focus();
  }, [rejecting]);

  const send = async (check: ReviewCheck): Promise<void> => {
    if (!check.ok) {
      setError({ field: check.field, message: check.message });
      document.getElementById(`review-${check.field}`)?.focus();
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await api.review(pipelineId, check.body);
      onDecided(check.body.decision === 'approve'
        ? `Approved: publishing on ${channel}.`
        : 'Rejected: nothing is published.');
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && err.code === 'NOT_IN_REVIEW') {
        onDecided(`Not waiting for a review any more: ${err.message}`);
        return;
      }
      setError({ ...(err instanceof ApiError && err.field ? { field: err.field } : {}), message: (err as Error).message });
    }
  };

  const invalid = (field: Field): { 'aria-invalid'?: 'true'; 'aria-errormessage'?: string } =>
    (error?.field === field ? { 'aria-invalid': 'true', 'aria-errormessage': 'review-error' } : {});
  const choices = titleChoices(review);
  const trimmed = title.trim();
  const bytes = utf8Bytes(description);

  return (
    <section aria-labelledby="review-heading" class="review">
      <h2 id="review-heading">Review before publishing</h2>
      <p>
        Every stage before the upload is done. Check the video, choose its title, description and thumbnail, then
        approve to publish it on <strong>{channel}</strong>, or reject it.
      </p>
      <form class="stack" onSubmit={(e) => {
        e.preventDefault();
        void send(approvalOf(review, { title, description, thumbnail }));
      }}>
        <div class="field">
          <label for="review-title">Title</label>
          <input
            id="review-title" name="title" type="text" required maxLength={REVIEW_LIMITS.titleChars} autoComplete="off"
            aria-describedby="review-title-count" value={title} onInput={(e) => setTitle(e.currentTarget.value)} {...invalid('title')}
          />
          <small id="review-title-count">{trimmed.length} of {REVIEW_LIMITS.titleChars} characters</small>
        </div>
        {choices.length > 1 && (
          <fieldset>
            <legend>Proposed titles</legend>
            <ul class="review-titles">
              {choices.map((t, i) => (
                <li key={t}>
                  <input id={`review-choice-${i}`} type="radio" name="review-title-choice" checked={trimmed === t} onChange={() => setTitle(t)} />
                  <label for={`review-choice-${i}`}>{t}</label>
                </li>
              ))}
            </ul>
          </fieldset>
        )}
        <div class="field">
          <label for="review-description">Description</label>
          <textarea
            id="review-description" name="description" rows={8} aria-describedby="review-description-count"
            value={description} onInput={(e) => setDescription(e.currentTarget.value)} {...invalid('description')}
          />
          <small id="review-description-count">{bytes} of {REVIEW_LIMITS.descriptionBytes} bytes</small>
        </div>
        <fieldset id="review-thumbnail" tabIndex={-1}>
          <legend>Thumbnail</legend>
          <ul class="review-thumbs">
            {Array.from({ length: review.thumbnails }, (_, i) => {
              const artifact = thumbnails[i];
              // The artifact's id (A, B…) as in the downloads and the A/B test; the position when there is none.
              const name = artifact?.name.startsWith('thumbnail ') ? artifact.name.slice('thumbnail '.length) : String(i + 1);
              return (
                <li key={i}>
                  <label>
                    {/* Named by the text beside the radio: the picture adds nothing a screen reader could say. */}
                    {artifact?.url && <img src={artifact.url} alt="" width={240} height={135} />}
                    <span>
                      <input type="radio" name="review-thumbnail" value={i} checked={thumbnail === i} onChange={() => setThumbnail(i)} />
                      {' '}Thumbnail {name}{i === review.thumbnail ? ' (proposed)' : ''}
                    </span>
                  </label>
                </li>
              );
            })}
          </ul>
        </fieldset>
        {error && <p id="review-error" class="error" role="alert">{error.message}{error.field ? ` (field: ${error.field})` : ''}</p>}
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>Approve and publish</button>
          <button
            type="button" class="danger" disabled={busy} aria-expanded={rejecting} aria-controls="review-reject"
            onClick={() => setRejecting((r) => !r)}
          >Reject</button>
        </div>
      </form>
      {rejecting && (
        <div id="review-reject" class="review-reject" role="group" aria-labelledby="review-reject-heading">
          <p id="review-reject-heading"><strong>Reject this video?</strong> The pipeline ends as Failed and nothing is published.</p>
          <div class="field">
            <label for="review-reason">Reason (optional)</label>
            <textarea
              id="review-reason" ref={reasonRef} rows={2} maxLength={REVIEW_LIMITS.reasonChars} value={reason}
              onInput={(e) => setReason(e.currentTarget.value)} {...invalid('reason')}
            />
          </div>
          <div class="actions">
            <button type="button" class="danger" disabled={busy} onClick={() => void send(rejectionOf(reason))}>Confirm rejection</button>
            <button type="button" disabled={busy} onClick={() => setRejecting(false)}>Keep reviewing</button>
          </div>
        </div>
      )}
    </section>
  );
}
