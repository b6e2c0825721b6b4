import { useEffect, useState } from 'preact/hooks';
import { api, type PipelineList } from '../api-client.ts';
import { STATE_FILTERS, formatTime, matchesFilter, type StateFilter } from '../format.ts';
import { STAGE_ORDER } from '../stage-labels.ts';

const PAGE = 20;
const REFRESH_MS = 4000;

/** Every pipeline, newest first, with its state; filters by state and topic; refreshes while shown. */
export function PipelinesPage() {
  const [offset, setOffset] = useState(0);
  const [list, setList] = useState<PipelineList>();
  const [error, setError] = useState<string>();
  const [filter, setFilter] = useState<StateFilter>('all');
  const [search, setSearch] = useState('');

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async (): Promise<void> => {
      try {
        setList(await api.listPipelines({ limit: PAGE, offset }, controller.signal));
        setError(undefined);
      } catch (err) {
        if (!controller.signal.aborted) setError((err as Error).message);
      }
      if (!controller.signal.aborted) timer = setTimeout(() => void load(), REFRESH_MS);
    };
    void load();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [offset]);

  const needle = search.trim().toLowerCase();
  const shown = (list?.pipelines ?? []).filter((p) => matchesFilter(p.state, filter) && (!needle || p.topic.toLowerCase().includes(needle)));

  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>Pipelines</h1>
      <div class="filters" role="search">
        <div class="field">
          <label for="filter-state">State</label>
          <select id="filter-state" value={filter} onChange={(e) => setFilter(e.currentTarget.value as StateFilter)}>
            {Object.entries(STATE_FILTERS).map(([value, name]) => <option key={value} value={value}>{name}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="filter-topic">Topic contains</label>
          <input id="filter-topic" type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        </div>
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      {!list && !error && <p>Loading…</p>}
      {list && (
        <table class="pipelines">
          <caption class="visually-hidden">Pipelines, newest first</caption>
          <thead>
            <tr><th scope="col">Topic</th><th scope="col">State</th><th scope="col">Stages done</th><th scope="col">Started</th><th scope="col">Updated</th></tr>
          </thead>
          <tbody>
            {shown.map((p) => (
              <tr key={p.pipelineId} data-pipeline-id={p.pipelineId}>
                <td><a href={`/pipelines/${encodeURIComponent(p.pipelineId)}`}>{p.topic}</a></td>
                <td><span class={`state state-${p.state.toLowerCase()}`}>{p.state}</span>{p.error ? <span class="error-inline"> {p.error.message}</span> : null}</td>
                <td>{p.completedStages} / {STAGE_ORDER.length}</td>
                <td>{formatTime(p.createdAt)}</td>
                <td>{formatTime(p.updatedAt)}</td>
              </tr>
            ))}
            {shown.length === 0 && <tr><td colSpan={5}>{list.pipelines.length === 0 ? 'No pipelines yet: make a video first.' : 'No pipeline on this page matches the filters.'}</td></tr>}
          </tbody>
        </table>
      )}
      <nav class="pager" aria-label="Pages of pipelines">
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>Newer</button>
        <button type="button" disabled={(list?.pipelines.length ?? 0) < PAGE} onClick={() => setOffset(offset + PAGE)}>Older</button>
      </nav>
    </section>
  );
}
