import { useState } from 'preact/hooks';
import { ApiError, api } from '../api-client.ts';
import type { BatchOptions } from '../batch-rows.ts';
import { DEFAULT_OPTIONS, OptionsFields } from '../request-options.tsx';
import { navigate } from '../router.ts';
import '../review.css';

/** One video: a topic (and optionally the user's own script) plus the options. */
export function MakePage() {
  const [topic, setTopic] = useState('');
  const [script, setScript] = useState('');
  const [options, setOptions] = useState<BatchOptions>({ ...DEFAULT_OPTIONS });
  const [review, setReview] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | Error>();

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const started = await api.startPipeline({ ...options, topic, review, ...(script.trim() ? { scriptText: script } : {}) });
      navigate(`/pipelines/${encodeURIComponent(started.pipelineId)}`);
    } catch (err) {
      setError(err as Error);
      setBusy(false);
    }
  };
  const field = error instanceof ApiError ? error.field : undefined;

  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>Make a video</h1>
      <form class="stack" onSubmit={(e) => void submit(e)} noValidate={false}>
        <div class="field">
          <label for="make-topic">Topic</label>
          <input
            id="make-topic" name="topic" type="text" required maxLength={200} autoComplete="off"
            placeholder="How octopuses think" value={topic} onInput={(e) => setTopic(e.currentTarget.value)}
            {...(field === 'topic' ? { 'aria-invalid': 'true', 'aria-describedby': 'make-error' } : {})}
          />
        </div>
        <div class="field">
          <label for="make-script">Your own script (optional)</label>
          <textarea
            id="make-script" name="scriptText" rows={6} maxLength={60_000} aria-describedby="make-script-hint"
            value={script} onInput={(e) => setScript(e.currentTarget.value)}
            {...(field === 'scriptText' ? { 'aria-invalid': 'true' } : {})}
          />
          <small id="make-script-hint">Narrated as written instead of a generated script. Text before the first heading is the hook; each <code>#</code> heading starts a section.</small>
        </div>
        <OptionsFields idPrefix="make" value={options} onChange={setOptions} invalidField={field} />
        <div class="check">
          <input
            id="make-review" name="review" type="checkbox" checked={review} aria-describedby="make-review-hint"
            onChange={(e) => setReview(e.currentTarget.checked)} {...(field === 'review' ? { 'aria-invalid': 'true' } : {})}
          />
          <label for="make-review">Review before publishing</label>
          <small id="make-review-hint">The video waits on its page before the upload until you approve it, with the title, description and thumbnail you choose, or reject it.</small>
        </div>
        {error && (
          <p id="make-error" class="error" role="alert">
            {error.message}{field ? ` (field: ${field})` : ''}
          </p>
        )}
        <div>
          <button type="submit" class="primary" disabled={busy}>{busy ? 'Starting…' : 'Make video'}</button>
        </div>
      </form>
    </section>
  );
}
