import { useState } from 'preact/hooks';
import { api } from '../api-client.ts';
import { parseTopicCsv, parseTopicList, type BatchOptions, type BatchParse } from '../batch-rows.ts';
import { DEFAULT_OPTIONS, OptionsFields } from '../request-options.tsx';

interface Queued {
  line: number;
  topic: string;
  pipelineId?: string;
  error?: string;
}

/** Many videos at once: a pasted list (one topic per line) or a CSV with per-row options. */
export function BatchPage() {
  const [list, setList] = useState('');
  const [csv, setCsv] = useState<{ name: string; text: string }>();
  const [options, setOptions] = useState<BatchOptions>({ ...DEFAULT_OPTIONS });
  const [queued, setQueued] = useState<Queued[]>([]);
  const [busy, setBusy] = useState(false);

  const parsed: BatchParse | undefined = csv
    ? parseTopicCsv(csv.text, options)
    : list.trim() ? parseTopicList(list, options) : undefined;

  const readCsv = async (input: HTMLInputElement): Promise<void> => {
    const file = input.files?.[0];
    setCsv(file ? { name: file.name, text: await file.text() } : undefined);
  };

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (!parsed || parsed.errors.length > 0 || parsed.rows.length === 0) return;
    setBusy(true);
    const results: Queued[] = [];
    // One after the other: the order of the list is the order of the queue.
    for (const row of parsed.rows) {
      try {
        const started = await api.startPipeline(row.request);
        results.push({ line: row.line, topic: row.request.topic, pipelineId: started.pipelineId });
      } catch (err) {
        results.push({ line: row.line, topic: row.request.topic, error: (err as Error).message });
      }
      setQueued([...results]);
    }
    setBusy(false);
  };

  const count = parsed?.rows.length ?? 0;
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>Batch</h1>
      <form class="stack" onSubmit={(e) => void submit(e)}>
        <div class="field">
          <label for="batch-list">Topics, one per line</label>
          <textarea
            id="batch-list" rows={8} value={list} disabled={Boolean(csv)} aria-describedby="batch-list-hint"
            onInput={(e) => setList(e.currentTarget.value)}
          />
          <small id="batch-list-hint">Blank lines and lines starting with # are skipped.</small>
        </div>
        <div class="field">
          <label for="batch-csv">Or a CSV file</label>
          <input id="batch-csv" type="file" accept=".csv,text/csv" aria-describedby="batch-csv-hint" onChange={(e) => void readCsv(e.currentTarget)} />
          <small id="batch-csv-hint">
            A header row with a <code>topic</code> column; optional columns <code>lang</code>, <code>duration</code>, <code>aspect</code>,{' '}
            <code>voice</code>, <code>captions</code>, <code>mood</code>, <code>music</code>, <code>channel</code> override the defaults below per row.
          </small>
          {csv && <button type="button" onClick={() => setCsv(undefined)}>Use the list instead of {csv.name}</button>}
        </div>
        <fieldset>
          <legend>Defaults for every video</legend>
          <OptionsFields idPrefix="batch" value={options} onChange={setOptions} />
        </fieldset>
        {parsed && parsed.errors.length > 0 && (
          <div class="error" role="alert">
            <p>Fix these before queuing:</p>
            <ul>{parsed.errors.map((e) => <li key={e}>{e}</li>)}</ul>
          </div>
        )}
        <div>
          <button type="submit" class="primary" disabled={busy || count === 0 || (parsed?.errors.length ?? 0) > 0}>
            {busy ? 'Queuing…' : `Queue ${count} video${count === 1 ? '' : 's'}`}
          </button>
        </div>
      </form>
      {queued.length > 0 && (
        <section aria-labelledby="queued-title">
          <h2 id="queued-title">Queued</h2>
          <ul class="queued" aria-live="polite">
            {queued.map((q) => (
              <li key={q.line}>
                {q.pipelineId
                  ? <a href={`/pipelines/${encodeURIComponent(q.pipelineId)}`}>{q.topic}</a>
                  : <span class="error">{q.topic}: {q.error}</span>}
              </li>
            ))}
          </ul>
        </section>
      )}
    </section>
  );
}
