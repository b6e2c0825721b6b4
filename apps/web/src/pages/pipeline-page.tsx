import type { PipelineStatus, StageKey, StageStatus } from '@faceless/contracts';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type Artifact, type PipelineArtifacts } from '../api-client.ts';
import { readEventStream } from '../event-stream.ts';
import { TERMINAL_STATES, formatClock, formatMs, formatTime } from '../format.ts';
import { usePublishedTitle } from '../published-title.ts';
import { reviewComing, reviewOf } from '../review-form.ts';
import { ReviewPanel } from '../review-panel.tsx';
import { STAGE_LABELS, STAGE_ORDER } from '../stage-labels.ts';

interface StageProgress {
  fraction: number;
  note?: string;
}

/** What the metadata stage writes (packages/contracts VideoMetadata), read defensively. */
interface MetadataView {
  title?: string;
  titleAlternatives?: string[];
  description?: string;
  tags?: string[];
  hashtags?: string[];
  chapters?: { start: number; title: string }[];
}

function stageOf(status: PipelineStatus | undefined, key: StageKey): StageStatus | undefined {
  return status?.stages.find((s) => s.stage === key);
}

function outputOf<T>(status: PipelineStatus | undefined, key: StageKey): T | undefined {
  const output = stageOf(status, key)?.output;
  return output && typeof output === 'object' ? (output as T) : undefined;
}

/** Warnings any stage reported in its output (`warnings: string[]`). */
function warningsOf(status: PipelineStatus | undefined): { stage: StageKey; text: string }[] {
  return (status?.stages ?? []).flatMap((s) => {
    const w = (s.output as { warnings?: unknown } | undefined)?.warnings;
    return Array.isArray(w) ? w.filter((t): t is string => typeof t === 'string').map((text) => ({ stage: s.stage as StageKey, text })) : [];
  });
}

/** The `progress` event's payload: { stage, percent (0-100) or fraction (0-1), note } at the top level or in the event's data. */
function progressOf(raw: string): { stage: string; fraction: number; note?: string } | undefined {
  try {
    const json = JSON.parse(raw) as Record<string, unknown>;
    const body = (json.data && typeof json.data === 'object' ? json.data : json) as Record<string, unknown>;
    const stage = typeof body.stage === 'string' ? body.stage : typeof json.stage === 'string' ? json.stage : undefined;
    const fraction = body.fraction !== undefined ? Number(body.fraction) : Number(body.percent) / 100;
    if (!stage || !Number.isFinite(fraction)) return undefined;
    return { stage, fraction: Math.min(1, Math.max(0, fraction)), ...(typeof body.note === 'string' ? { note: body.note } : {}) };
  } catch {
    return undefined;
  }
}

interface StageBarProps {
  stageKey: StageKey;
  stage: StageStatus | undefined;
  progress: StageProgress | undefined;
  /** The pipeline waits in Review before this stage. */
  awaitsReview: boolean;
}

function StageBar({ stageKey, stage, progress, awaitsReview }: StageBarProps) {
  const status = stage?.status ?? 'pending';
  const value = status === 'completed' ? 100 : Math.round((progress?.fraction ?? 0) * 100);
  const text = {
    completed: `done${stage?.durationMs !== undefined ? ` in ${formatMs(stage.durationMs)}` : ''}`,
    running: `${value} %${progress?.note ? `, ${progress.note}` : ''}`,
    failed: 'failed',
    pending: awaitsReview ? 'waiting for your review' : 'waiting',
  }[status];
  const labelId = `stage-${stageKey}-label`;
  return (
    <li class={`stage stage-${status}`}>
      <span id={labelId} class="stage-name">{STAGE_LABELS[stageKey]}</span>
      <div
        class="bar" role="progressbar" aria-labelledby={labelId} aria-valuemin={0} aria-valuemax={100}
        aria-valuenow={value} aria-valuetext={`${value} %, ${text}`}
      >
        <div class="fill" style={{ width: `${value}%` }} />
      </div>
      <span class="stage-text">{text}</span>
    </li>
  );
}

/** The gateway's own links answer `attachment` with `download=1`; another store's signed URL is left as it is. */
function downloadUrl(url: string): string {
  return url.startsWith('/api/') ? `${url}&download=1` : url;
}

/** A stable source: a refreshed signed URL must not reload a playing video. */
function useFirstUrl(artifact: Artifact | undefined): string | undefined {
  const first = useRef<{ key: string; url: string } | undefined>(undefined);
  if (artifact?.url && first.current?.key !== artifact.key) first.current = { key: artifact.key, url: artifact.url };
  return first.current?.url;
}

/** One pipeline: live stage-by-stage progress, its results as they appear, retry and cancel. */
export function PipelinePage({ id }: { id: string }) {
  const [status, setStatus] = useState<PipelineStatus>();
  const [artifacts, setArtifacts] = useState<PipelineArtifacts>();
  const [progress, setProgress] = useState<Partial<Record<StageKey, StageProgress>>>({});
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    let artifactTimer: ReturnType<typeof setTimeout> | undefined;
    let reviewTimer: ReturnType<typeof setTimeout> | undefined;
    let reviewDelayMs = 500;
    let awaitingReview = false;
    const pollForReview = (): void => {
      reviewTimer = setTimeout(() => void refresh(), reviewDelayMs);
      reviewDelayMs = Math.min(reviewDelayMs * 2, 8000);
    };
    const loadArtifacts = async (): Promise<void> => {
      clearTimeout(artifactTimer);
      try {
        const a = await api.artifacts(id, signal);
        setArtifacts(a);
        // Signed URLs expire: fetch fresh ones before they do.
        if (a.expiresInSec > 0) artifactTimer = setTimeout(() => void loadArtifacts(), Math.max(5, a.expiresInSec * 0.8) * 1000);
      } catch (err) {
        if (!signal.aborted) setError((err as Error).message);
      }
    };
    const refresh = async (): Promise<PipelineStatus | undefined> => {
      try {
        const s = await api.status(id, signal);
        setStatus(s);
        setError(undefined);
        clearTimeout(reviewTimer);
        awaitingReview = reviewComing(s);
        if (awaitingReview) pollForReview();
        return s;
      } catch (err) {
        if (signal.aborted) return undefined;
        setError((err as Error).message);
        // Entering Review sends no event: a failed read must not end the wait for it.
        if (awaitingReview) pollForReview();
        return undefined;
      }
    };
    // Events coalesce into one read at a time; one that arrives during a read asks for another after it, or a
    // read begun before the last event (metadata done, just before Review) would be the page's last word.
    let pending: Promise<unknown> | undefined;
    let again = false;
    const refreshAll = (): void => {
      if (pending) {
        again = true;
        return;
      }
      pending = Promise.all([refresh(), loadArtifacts()]).finally(() => {
        pending = undefined;
        if (again && !signal.aborted) {
          again = false;
          refreshAll();
        }
      });
    };

    void (async () => {
      // A busy or restarting server can fail the first read: try again (1, 2, 4, 8 s…) rather than leave the page dead.
      let first = await refresh();
      for (let waitMs = 1000; !first && !signal.aborted; waitMs = Math.min(waitMs * 2, 8000)) {
        await new Promise((resolve) => setTimeout(resolve, waitMs));
        if (!signal.aborted) first = await refresh();
      }
      void loadArtifacts();
      if (!first || TERMINAL_STATES.includes(first.state)) return;
      await readEventStream({
        url: `/api/pipelines/${encodeURIComponent(id)}/events`,
        signal,
        onMessage: (message) => {
          if (message.event === 'progress') {
            const p = progressOf(message.data);
            if (p && (STAGE_ORDER as string[]).includes(p.stage)) {
              setProgress((old) => ({ ...old, [p.stage]: { fraction: p.fraction, ...(p.note ? { note: p.note } : {}) } }));
            }
            return;
          }
          refreshAll();
        },
        shouldReconnect: async () => {
          const s = await refresh();
          void loadArtifacts();
          return Boolean(s && !TERMINAL_STATES.includes(s.state));
        },
        onError: (err) => {
          if (!signal.aborted) setError(`live updates interrupted: ${(err as Error).message}`);
        },
      });
    })();
    return () => {
      controller.abort();
      clearTimeout(artifactTimer);
      clearTimeout(reviewTimer);
    };
  }, [id, generation]);

  const act = async (action: 'retry' | 'cancel'): Promise<void> => {
    setNotice(undefined);
    try {
      await api[action](id);
      setNotice(action === 'retry' ? 'Retry queued: it resumes at the stage that failed.' : 'Cancel asked: the running stage stops.');
      setProgress({});
      setGeneration((g) => g + 1);
    } catch (err) {
      setNotice(`${action === 'retry' ? 'Retry' : 'Cancel'} refused: ${(err as Error).message}`);
    }
  };

  const list = artifacts?.artifacts ?? [];
  const find = (name: string): Artifact | undefined => list.find((a) => a.name === name);
  const videoArtifact = find('video');
  const videoUrl = useFirstUrl(videoArtifact);
  const voiceUrl = useFirstUrl(find('voice'));
  const publishedTitle = usePublishedTitle(useFirstUrl(find('publish record')));
  const poster = find('poster')?.url;
  // 'captions (WebVTT)' today; matched loosely so a renamed entry still finds the .vtt file.
  const vtt = list.find((a) => /^captions\b/i.test(a.name) && /\.vtt$/i.test(a.key))?.url;
  const thumbnails = list.filter((a) => a.name.startsWith('thumbnail '));
  const metadata = outputOf<{ metadata?: MetadataView }>(status, 'metadata')?.metadata;
  const upload = outputOf<{ target?: string; videoId?: string; url?: string; publishAt?: string; privacyStatus?: string }>(status, 'upload');
  const videoDone = stageOf(status, 'video')?.status === 'completed';
  const warnings = warningsOf(status);
  const topic = typeof status?.request.topic === 'string' ? status.request.topic : id;
  const terminal = status ? TERMINAL_STATES.includes(status.state) : true;
  const review = reviewOf(status);
  const channel = typeof status?.request.channel === 'string' ? status.request.channel : 'local';

  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>{topic}</h1>
      <p class="meta">
        {status ? <>State <strong class={`state state-${status.state.toLowerCase()}`}>{status.state}</strong> · started {formatTime(status.createdAt)} · </> : null}
        <span>id <code>{id}</code></span>
      </p>
      {error && <p class="error" role="alert">{error}</p>}
      {status?.error && (
        <div class="error" role="alert">
          {status.error.code === 'REVIEW_REJECTED' ? (
            <p><strong>Rejected in review</strong>: nothing was published ({status.error.code})</p>
          ) : (
            <p><strong>{STAGE_LABELS[status.error.stage as StageKey] ?? status.error.stage} failed</strong> after {status.error.attempts} attempt{status.error.attempts === 1 ? '' : 's'} ({status.error.code})</p>
          )}
          <p>{status.error.message}</p>
        </div>
      )}
      {warnings.length > 0 && (
        <div class="warning" role="status">
          <p>Warnings</p>
          <ul>{warnings.map((w, i) => <li key={i}>{STAGE_LABELS[w.stage]}: {w.text}</li>)}</ul>
        </div>
      )}
      <div class="actions">
        <button type="button" disabled={!status || status.state !== 'Failed'} onClick={() => void act('retry')}>Retry</button>
        <button type="button" disabled={terminal} onClick={() => void act('cancel')}>Cancel</button>
        {notice && <span role="status">{notice}</span>}
      </div>

      {review && (
        <ReviewPanel
          pipelineId={id} review={review} thumbnails={thumbnails} channel={channel}
          onDecided={(text) => {
            setNotice(text);
            setGeneration((g) => g + 1);
          }}
        />
      )}

      <h2>Progress</h2>
      <ol class="stages">
        {STAGE_ORDER.map((key) => (
          <StageBar key={key} stageKey={key} stage={stageOf(status, key)} progress={progress[key]} awaitsReview={review !== undefined && key === 'upload'} />
        ))}
      </ol>

      {(videoDone || videoArtifact) && (
        <section aria-labelledby="video-title">
          <h2 id="video-title">Video</h2>
          {videoUrl ? (
            <video class="player" controls preload="metadata" src={videoUrl} {...(poster ? { poster } : {})} aria-label={`Video: ${topic}`}>
              {vtt && <track kind="captions" src={vtt} srclang={String(status?.request.lang ?? 'en')} label="Captions (the video also has them burned in)" />}
            </video>
          ) : (
            <p>The video is made; this server offers no link to play it (artifacts without a signed URL).</p>
          )}
        </section>
      )}
      {voiceUrl && (
        <section aria-labelledby="voice-title">
          <h2 id="voice-title">Voice-over</h2>
          <audio controls preload="none" src={voiceUrl} aria-label="Voice-over" />
        </section>
      )}
      {thumbnails.length > 0 && (
        <section aria-labelledby="thumbs-title">
          <h2 id="thumbs-title">Thumbnails</h2>
          <ul class="thumbs">
            {thumbnails.map((t) => (
              <li key={t.key}>
                {t.url ? <img src={t.url} alt={`Thumbnail variant ${t.name.slice('thumbnail '.length)}`} width={320} height={180} loading="lazy" /> : <span>{t.name}</span>}
              </li>
            ))}
          </ul>
        </section>
      )}
      {metadata && (
        <section aria-labelledby="metadata-title">
          <h2 id="metadata-title">Title, description, tags</h2>
          <dl class="metadata">
            <dt>Title</dt>
            <dd class="video-title">{metadata.title}</dd>
            {(metadata.titleAlternatives?.length ?? 0) > 0 && (
              <>
                <dt>Title alternatives</dt>
                <dd><ul>{metadata.titleAlternatives?.map((t) => <li key={t}>{t}</li>)}</ul></dd>
              </>
            )}
            <dt>Description</dt>
            <dd><pre class="description">{metadata.description}</pre></dd>
            <dt>Tags</dt>
            <dd>{[...(metadata.tags ?? []), ...(metadata.hashtags ?? [])].join(', ')}</dd>
            {(metadata.chapters?.length ?? 0) > 0 && (
              <>
                <dt>Chapters</dt>
                <dd><ol class="chapters">{metadata.chapters?.map((c) => <li key={c.start}><span class="clock">{formatClock(c.start)}</span> {c.title}</li>)}</ol></dd>
              </>
            )}
          </dl>
        </section>
      )}
      {upload && (
        <section aria-labelledby="publish-title">
          <h2 id="publish-title">Published</h2>
          <p>
            {upload.target ?? 'channel'}: video <code>{upload.videoId}</code>
            {upload.privacyStatus ? `, ${upload.privacyStatus}` : ''}
            {upload.publishAt ? `, public from ${formatTime(upload.publishAt)}` : ''}
            {upload.url && /^https?:\/\//.test(upload.url) ? <> · <a href={upload.url} rel="noreferrer" target="_blank">open</a></> : null}
          </p>
          {publishedTitle && <p>Published as <strong class="published-title">{publishedTitle}</strong></p>}
        </section>
      )}
      {list.some((a) => a.url) && (
        <section aria-labelledby="downloads-title">
          <h2 id="downloads-title">Downloads</h2>
          <ul class="downloads">
            {list.filter((a) => a.url).map((a) => <li key={a.key}><a href={downloadUrl(a.url ?? '')} download>{a.name}</a> <small>{a.key.split('/').pop()}</small></li>)}
          </ul>
        </section>
      )}
    </section>
  );
}
