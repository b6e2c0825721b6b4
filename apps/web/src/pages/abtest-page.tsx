import { useEffect, useState } from 'preact/hooks';
import { abtestApi, type AbTestImportResult, type AbTestReport } from '../api-client.ts';
import { formatTime } from '../format.ts';
import { PosteriorChart } from '../posterior-chart.tsx';

const percent = (x: number | null | undefined, digits = 1): string => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(digits)} %`);
const count = (n: number): string => n.toLocaleString('en');

/**
 * Where the plan's first period starts: the period boundary at or before the experiment's start, on the grid the
 * next rotation falls on (the ab-tester aligns periods to it); the start itself once the experiment has ended.
 */
export function firstPeriodStart(createdAt: string, nextRotationAt: string | undefined, periodMs: number): number {
  const created = Date.parse(createdAt);
  const next = nextRotationAt ? Date.parse(nextRotationAt) : Number.NaN;
  if (!Number.isFinite(next) || !(periodMs > 0)) return created;
  return next - Math.ceil((next - created) / periodMs) * periodMs;
}

/** One experiment: variants with their numbers, the posterior chart, the rotation schedule, import, stop. */
export function AbTestPage({ id }: { id: string }) {
  const [report, setReport] = useState<AbTestReport>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [imported, setImported] = useState<AbTestImportResult>();
  const [file, setFile] = useState<File>();
  const [winner, setWinner] = useState('');
  const [busy, setBusy] = useState(false);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    abtestApi.show(id, controller.signal).then(
      (r) => {
        setReport(r);
        setError(undefined);
      },
      (err: unknown) => { if (!controller.signal.aborted) setError((err as Error).message); },
    );
    return () => controller.abort();
  }, [id, generation]);

  const act = async (what: string, run: () => Promise<string>): Promise<void> => {
    setBusy(true);
    setNotice(undefined);
    try {
      setNotice(await run());
      setGeneration((g) => g + 1);
    } catch (err) {
      setNotice(`${what} refused: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  const importCsv = (event: Event): void => {
    event.preventDefault();
    if (!file) {
      setNotice('Choose a CSV file first.');
      return;
    }
    void act('Import', async () => {
      const result = await abtestApi.importCsv(id, await file.text());
      setImported(result);
      return `Imported ${result.imported} row${result.imported === 1 ? '' : 's'}${result.replaced ? ` (${result.replaced} replaced)` : ''}${result.skipped.length ? `, skipped ${result.skipped.length}` : ''}.`;
    });
  };

  const stop = (event: Event): void => {
    event.preventDefault();
    const chosen = winner || report?.evaluation.leader;
    void act('Stop', async () => {
      const result = await abtestApi.stop(id, chosen);
      return `Stopped: ${result.decision?.winner ?? chosen ?? 'no variant'} is applied.`;
    });
  };

  if (!report) {
    return (
      <section aria-labelledby="page-title">
        <h1 id="page-title" tabIndex={-1}>A/B test</h1>
        {error ? <p class="error" role="alert">{error}</p> : <p>Loading…</p>}
      </section>
    );
  }

  const { experiment, evaluation, decision } = report;
  const running = experiment.status === 'running';
  const labelOf = new Map(experiment.variants.map((v) => [v.id, v.label]));
  const periodMs = experiment.rotationHours * 3_600_000;
  const start = firstPeriodStart(experiment.createdAt, report.nextRotation?.at, periodMs);
  // Whole-day periods are Pacific days (YouTube Analytics' days): their dates are shown there.
  const pacificDays = experiment.rotationHours % 24 === 0;

  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>A/B test {experiment.id.slice(0, 8)}</h1>
      <p class="meta">
        Status <strong class={`state state-${experiment.status}`}>{experiment.status}</strong>
        {' · '}video <code>{experiment.videoId}</code>
        {' · '}pipeline <a href={`/pipelines/${encodeURIComponent(experiment.pipelineId)}`}>{experiment.pipelineId.slice(0, 8)}</a>
        {' · '}started {formatTime(experiment.createdAt)}
        {experiment.endedAt ? ` · ended ${formatTime(experiment.endedAt)}` : ''}
      </p>
      {error && <p class="error" role="alert">{error}</p>}

      <div class={`verdict ${decision || evaluation.status === 'winner' ? 'verdict-decided' : ''}`} role="status">
        {decision ? (
          <p><strong>Winner: {decision.winner ?? 'none'}</strong>{decision.probabilityBest !== null ? ` (P(best) ${percent(decision.probabilityBest)})` : ''}. {decision.reason}</p>
        ) : (
          <p>{evaluation.status === 'winner' ? <strong>Winner: {evaluation.winner}. </strong> : <>Leading: <strong>{evaluation.leader}</strong>. </>}{evaluation.reason}</p>
        )}
      </div>

      <h2>Variants</h2>
      <table class="pipelines variants">
        <caption class="visually-hidden">Each variant's thumbnail, title and numbers</caption>
        <thead>
          <tr>
            <th scope="col">Variant</th><th scope="col">Thumbnail</th><th scope="col">Title</th><th scope="col">Impressions</th>
            <th scope="col">Clicks</th><th scope="col">CTR</th><th scope="col">P(best)</th>
          </tr>
        </thead>
        <tbody>
          {report.variants.map((v) => (
            <tr key={v.id} class={v.live ? 'live' : ''}>
              <th scope="row">{v.label}{v.live ? <span class="badge">live</span> : null}</th>
              <td>{v.thumbnailUrl ? <img src={v.thumbnailUrl} alt={`Thumbnail of variant ${v.label}`} width={160} height={90} /> : <span class="meta">{v.thumbnailKey ? 'not viewable here' : 'none'}</span>}</td>
              <td>{v.title ?? <span class="meta">the video's title</span>}</td>
              <td class="num">{count(v.impressions)}</td>
              <td class="num">{count(v.clicks)}</td>
              <td class="num">{percent(v.ctr, 2)}</td>
              <td class="num" data-label={v.label}>{percent(v.probabilityBest)}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>Posterior</h2>
      <PosteriorChart variants={report.variants.map((v) => ({ label: v.label, ...v.posterior, probabilityBest: v.probabilityBest }))} />

      <h2>Rotation schedule</h2>
      <p>
        Each period lasts {experiment.rotationHours} h{pacificDays ? ', from midnight Pacific time' : ''}.
        {report.nextRotation && running ? <> Next rotation {formatTime(report.nextRotation.at)}: variant <strong>{report.nextRotation.variant}</strong>.</> : null}
      </p>
      <ol class="plan" aria-label="Planned order of the periods">
        {report.plan.map((label, i) => {
          const at = start + i * periodMs;
          const now = Date.now();
          const current = running && now >= at && now < at + periodMs;
          return (
            <li key={i} class={current ? 'current' : ''} {...(current ? { 'aria-current': 'step' } : {})}>
              <span class="plan-label">{label}</span>{' '}
              <small>{Number.isFinite(at) ? new Date(at).toLocaleString(undefined, pacificDays ? { timeZone: 'America/Los_Angeles', month: 'numeric', day: 'numeric' } : { month: 'numeric', day: 'numeric', hour: 'numeric' }) : ''}</small>
            </li>
          );
        })}
      </ol>
      {experiment.rotations.length > 0 && (
        <details>
          <summary>Rotations so far ({experiment.rotations.length})</summary>
          <ul>
            {experiment.rotations.map((r) => (
              <li key={r.id}>{labelOf.get(r.variantId) ?? r.variantId}: {formatTime(r.startedAt)} to {r.endedAt ? formatTime(r.endedAt) : 'now'}</li>
            ))}
          </ul>
        </details>
      )}

      <h2>Metrics</h2>
      <form class="stack import" onSubmit={importCsv}>
        <div class="field">
          <label for="metrics-csv">Metrics CSV</label>
          <input id="metrics-csv" type="file" accept=".csv,text/csv" aria-describedby="metrics-csv-help"
            onChange={(e) => setFile(e.currentTarget.files?.[0])} />
          <small id="metrics-csv-help">Columns variant,period_start,period_end,impressions,clicks[,views,avg_view_duration_sec] (or date instead of the period), or YouTube's channel_reach_basic_a1 report.</small>
        </div>
        <div class="actions">
          <button type="submit" disabled={busy}>Import CSV</button>
        </div>
      </form>
      {imported && imported.skipped.length > 0 && (
        <ul class="warning">{imported.skipped.slice(0, 10).map((s) => <li key={s.where}>{s.where}: {s.reason}</li>)}</ul>
      )}

      <h2>Decide</h2>
      {running ? (
        <form class="actions" onSubmit={stop}>
          <div class="field">
            <label for="winner">Winner to apply</label>
            <select id="winner" value={winner || evaluation.leader} onChange={(e) => setWinner(e.currentTarget.value)}>
              {report.variants.map((v) => <option key={v.id} value={v.label}>{v.label}{v.label === evaluation.leader ? ' (leading)' : ''}</option>)}
            </select>
          </div>
          <button type="submit" class="primary" disabled={busy}>Stop and apply the winner</button>
          <button type="button" disabled={busy} onClick={() => void act('Evaluate', async () => {
            const r = await abtestApi.evaluate(id);
            return r.decision ? `Decided: ${r.decision.winner ?? 'no variant'} is applied.` : `Not decided yet: ${r.evaluation.reason}`;
          })}>Evaluate now</button>
        </form>
      ) : (
        <p>The experiment has ended{decision?.winner ? `; variant ${decision.winner} stays live` : ''}.</p>
      )}
      <p aria-live="polite" class="notice">{notice}</p>
    </section>
  );
}
