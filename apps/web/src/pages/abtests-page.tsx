import { useEffect, useState } from 'preact/hooks';
import { abtestApi, type AbTestSummary } from '../api-client.ts';
import { formatTime } from '../format.ts';

/** Every A/B test, newest first. */
export function AbTestsPage() {
  const [experiments, setExperiments] = useState<AbTestSummary[]>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    const controller = new AbortController();
    abtestApi.list(controller.signal).then(
      (list) => setExperiments(list.experiments),
      (err: unknown) => { if (!controller.signal.aborted) setError((err as Error).message); },
    );
    return () => controller.abort();
  }, []);

  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>A/B tests</h1>
      {error && <p class="error" role="alert">{error}</p>}
      {!experiments && !error && <p>Loading…</p>}
      {experiments?.length === 0 && <p>No A/B test yet: a pipeline with two or more thumbnails or titles starts one when it publishes.</p>}
      {experiments && experiments.length > 0 && (
        <table class="pipelines abtests">
          <caption class="visually-hidden">A/B tests, newest first</caption>
          <thead>
            <tr><th scope="col">Experiment</th><th scope="col">Status</th><th scope="col">Variants</th><th scope="col">Pipeline</th><th scope="col">Started</th></tr>
          </thead>
          <tbody>
            {experiments.map((e) => (
              <tr key={e.id}>
                <td><a href={`/abtests/${encodeURIComponent(e.id)}`}>{e.id.slice(0, 8)}</a> <small>video {e.videoId}</small></td>
                <td class={`state state-${e.status}`}>{e.status}</td>
                <td>{e.variantCount}</td>
                <td><a href={`/pipelines/${encodeURIComponent(e.pipelineId)}`}>{e.pipelineId.slice(0, 8)}</a></td>
                <td>{formatTime(e.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
