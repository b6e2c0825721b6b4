/**
 * `faceless abtest …`: the A/B tester's service functions on the same database the pipeline's
 * ab-tester stage uses (PostgreSQL at DATABASE_URL, else PGlite in FACELESS_DATA_DIR/db), no HTTP.
 */
import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { FolderStore, openDatabase, type Database } from '@faceless/infra';
import {
  createAbTestService, createRecordingPublisher, createYouTubeVariantPublisher, decidePeriods, decideSequentially, describeDatabaseTarget,
  fetchReachReports, parseMetricsCsv, readDatabaseTarget, DECISION_METRICS, DEFAULT_TIME_POLICY, EXPERIMENT_STATUSES, MANY_VARIANTS_THRESHOLD,
  type AbTestService, type AbTestStartInput, type DecisionMetric, type EvaluateResult, type ExperimentReport, type ExperimentStatus,
  type ImportResult, type PeriodRow, type TimeDecisionPolicy, type VariantPublisher, type Verdict,
} from '@faceless/ab-tester';
import { createLogger, FacelessError, isFacelessError } from '@faceless/runtime';
import { readYouTubeConfig } from '@faceless/youtube';
import { cliCommand, collect, parseCli, UsageError } from './cli-parse.ts';
import { readableLogLine } from './progress-view.ts';

export const ABTEST_USAGE = `Usage: faceless abtest <command>

A/B tests of thumbnails and titles on an uploaded video, one variant live at a time: the first stays
live through the launch (${DEFAULT_TIME_POLICY.launchDays} days), then the variants rotate every day at midnight Pacific (or every N
hours) in counterbalanced blocks (ABBA, ABCCBA). Metrics come from YouTube's reach reports or a CSV;
a Bayesian model compares each variant with the periods around it and stops the test when one is
best with enough confidence.

Commands:
  list [--status running|stopped|decided]   experiments, newest first
  show <id>                                 counts, CTR, the lift with its 95% interval, the chart and the plan
  decide <metrics.csv> [--sequential] [--json]  the verdict on a CSV of period rows, no experiment needed
      --sequential         evaluate after each period in time order, as the service does; report where it stops
      --json               {status, winner, stoppedAt, lift, interval, probabilityBest, expectedLoss, reason}
      --metric ctr|watch-time, --launch-days <n> (default ${DEFAULT_TIME_POLICY.launchDays}, counted from the first row), --threshold <p>
  create --video <id> --variant <label[:title][:thumbnail.jpg]> --variant … [options]
  create --from <out-dir> [--video <id>]    the variants of a "faceless make" run (thumbnails, titles)
      --hours <n>          rotate every n hours, 1-168 (default 24: at midnight Pacific)
      --metric <m>         ctr (default) or watch-time (CTR × average view duration, as Test & Compare)
      --launch-days <n>    days the first variant stays live, left out of the verdict (default ${DEFAULT_TIME_POLICY.launchDays})
      --threshold <p>      P(best) needed to stop (default ${DEFAULT_TIME_POLICY.threshold}; ${MANY_VARIANTS_THRESHOLD} with three or more variants)
      --min-impressions <n> per variant before deciding (default 1000)
  import <id> <file.csv>                    metrics: a channel_reach_basic_a1 report, or a CSV with the
                                            header variant,period_start,period_end,impressions,clicks,views,avg_view_duration_sec
                                            (or date instead of the period; without variant, a row goes to the variant live that day)
  evaluate <id>                             decide now; a winner is applied for good
  stop <id> [--winner <label>]              end the test by hand, optionally applying a variant
  rotate                                    apply the next variant where a period is over (run it from cron)
  fetch                                     import the channels' channel_reach_basic_a1 reports (YouTube Reporting API)

<id> may be the first 8 characters of the experiment id. faceless abtest <command> --help: the options of one command.`;

/** `faceless abtest`: its commands, their arguments and options. */
export function abtestCli(): Command {
  const abtest = cliCommand('faceless abtest', 'A/B tests of thumbnails and titles');
  const id = ['[id]', 'the experiment id, or its first 8 characters (see faceless abtest list)'] as const;
  const decision = (c: Command): Command => c
    .option('--metric <m>', `what decides: ${DECISION_METRICS.join(' or ')} (CTR × average view duration, as Test & Compare); default ctr`)
    .option('--launch-days <n>', `days the first variant stays live, left out of the verdict (default ${DEFAULT_TIME_POLICY.launchDays})`)
    .option('--threshold <p>', `P(best) needed to stop (default ${DEFAULT_TIME_POLICY.threshold}; ${MANY_VARIANTS_THRESHOLD} with three or more variants)`);
  abtest.command('list').description('experiments, newest first')
    .option('--status <status>', `only those ${EXPERIMENT_STATUSES.join(', ')}`);
  abtest.command('show').description('counts, CTR, the lift with its 95% interval, the chart and the plan').argument(...id);
  decision(abtest.command('create').description('start an experiment on an uploaded video: --video with --variant twice or more, or --from a "faceless make" folder')
    .option('--video <id>', 'the YouTube id of the uploaded video (with --from: the video to test, when not the run\'s own)')
    .option('--variant <spec>', 'a variant, label[:title][:thumbnail.jpg]; repeat for each (at least two)', collect)
    .option('--from <out-dir>', 'the variants of a "faceless make" run: its thumbnails and titles')
    .option('--hours <n>', 'rotate every n hours, 1-168 (default 24: at midnight Pacific)')
    .option('--min-impressions <n>', 'per variant before deciding (default 1000)'));
  decision(abtest.command('decide').description('the verdict on a CSV of period rows, no experiment needed')
    .argument('[metrics.csv]', 'period rows: variant,period_start,period_end,impressions,clicks,views,avg_view_duration_sec')
    .option('--sequential', 'evaluate after each period in time order, as the service does; report where it stops')
    .option('--json', '{status, winner, stoppedAt, lift, interval, probabilityBest, expectedLoss, reason}'));
  abtest.command('import').description('metrics: a channel_reach_basic_a1 report or a CSV of periods (faceless abtest --help)')
    .argument(...id).argument('[file.csv]', 'the report or the CSV');
  abtest.command('evaluate').description('decide now; a winner is applied for good').argument(...id);
  abtest.command('stop').description('end the test by hand, optionally applying a variant').argument(...id)
    .option('--winner <label>', 'the variant to apply for good');
  abtest.command('rotate').description('apply the next variant where a period is over (run it from cron)');
  abtest.command('fetch').description('import the channels\' channel_reach_basic_a1 reports (YouTube Reporting API)');
  return abtest.configureHelp({ formatHelp: () => `${ABTEST_USAGE}\n` });
}

export interface AbtestIo {
  env: Record<string, string | undefined>;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  cwd?: string;
  /** How variants reach YouTube; default: logged only (the local channel). */
  publisher?: VariantPublisher;
  now?: () => Date;
  /** Monte Carlo draws per decision (default 20000). */
  draws?: number;
}

const IMAGE = /\.(jpe?g|png)$/i;

/** "label", "label:title", "label:title:thumb.jpg" or "label::thumb.jpg"; a title may hold colons. */
export function parseVariantSpec(spec: string, cwd: string): { label: string; title?: string; thumbnailPath?: string } {
  const colon = spec.indexOf(':');
  const label = (colon < 0 ? spec : spec.slice(0, colon)).trim();
  if (!label) throw new UsageError('--variant', `"${spec}" has no label: write label[:title][:thumbnail.jpg], e.g. b:"A better title":thumbs/b.jpg`);
  if (colon < 0) return { label };
  let rest = spec.slice(colon + 1);
  let thumbnailPath: string | undefined;
  const last = rest.lastIndexOf(':');
  const tail = last < 0 ? rest : rest.slice(last + 1);
  if (IMAGE.test(tail.trim())) {
    thumbnailPath = resolve(cwd, tail.trim());
    rest = last < 0 ? '' : rest.slice(0, last);
  }
  const title = rest.trim();
  return { label, ...(title ? { title } : {}), ...(thumbnailPath ? { thumbnailPath } : {}) };
}

function number(option: string, text: string | undefined, check: (n: number) => boolean, what: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !check(n)) throw new UsageError(option, `"${text}" is not ${what}`);
  return n;
}

interface PipelineRecord {
  pipelineId?: string;
  stages?: {
    thumbnail?: { output?: { variants?: { id: string; path: string }[] } };
    metadata?: { output?: { metadata?: { title?: string; titleAlternatives?: string[] } } };
    upload?: { output?: { videoId?: string; channel?: string } };
    abtest?: { output?: { testId?: string } };
  };
}

/** The run's own video and experiment, and the experiment a "faceless make" run would start: its thumbnails with its titles in turn. */
async function fromOutDir(outDir: string, videoOverride: string | undefined): Promise<{ input: AbTestStartInput; ownVideo?: string; ownExperiment?: string }> {
  const path = join(outDir, 'pipeline.json');
  let record: PipelineRecord;
  try {
    record = JSON.parse(await readFile(path, 'utf8')) as PipelineRecord;
  } catch (err) {
    throw new UsageError('--from', `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): give the --out folder of a "faceless make" run`);
  }
  const ownExperiment = record.stages?.abtest?.output?.testId;
  const ownVideo = record.stages?.upload?.output?.videoId;
  const thumbs = record.stages?.thumbnail?.output?.variants ?? [];
  const meta = record.stages?.metadata?.output?.metadata;
  const titles = meta?.title ? [meta.title, ...(meta.titleAlternatives ?? [])] : [];
  const videoId = videoOverride ?? ownVideo;
  if (!videoId) throw new UsageError('--video', `${outDir} has no uploaded video yet: finish "faceless make" or give --video <id>`);
  if (thumbs.length === 0 && titles.length === 0) throw new UsageError('--from', `${outDir} has neither thumbnails nor titles to test yet: finish "faceless make" first`);
  const count = Math.max(thumbs.length, Math.min(titles.length, 10));
  const variants = Array.from({ length: count }, (_, i) => {
    const thumb = thumbs[i];
    const title = titles.length > 0 ? titles[i % titles.length] : undefined;
    return {
      label: thumb?.id ?? String.fromCharCode(97 + i),
      ...(title ? { title } : {}),
      ...(thumb ? { thumbnailPath: join(outDir, thumb.path) } : {}),
    };
  });
  // An experiment is per video: the run's own video keeps the run's key, another video (the YouTube
  // copy "faceless publish" uploaded) gets a key of its own, so creating it twice still finds it.
  const key = record.pipelineId && videoId !== ownVideo ? `${record.pipelineId}@${videoId}` : record.pipelineId;
  // the channel the run uploaded its own video to; for another video the publisher looks it up
  const channel = videoId === ownVideo ? record.stages?.upload?.output?.channel : undefined;
  const input = { videoId, variants, ...(key && key.length <= 100 ? { pipelineId: key } : {}), ...(channel ? { channel } : {}) };
  return { input, ...(ownVideo ? { ownVideo } : {}), ...(ownExperiment ? { ownExperiment } : {}) };
}

/** One experiment rotates a video at a time: another one running on it is refused, naming it. */
async function assertVideoFree(svc: AbTestService, input: AbTestStartInput): Promise<void> {
  const other = (await svc.list({ status: 'running' })).find((e) => e.videoId === input.videoId && e.pipelineId !== input.pipelineId);
  if (!other) return;
  const origin = other.pipelineId.startsWith('manual-') ? 'created by hand' : `of run ${other.pipelineId}`;
  throw new FacelessError('CONFLICT', `video ${input.videoId} already has running experiment ${other.id} (${origin}): one experiment rotates a video at a time; `
    + `see it with "faceless abtest show ${other.id.slice(0, 8)}", or stop it first with "faceless abtest stop ${other.id.slice(0, 8)}"`, { field: 'video' });
}

const pct = (x: number | null, digits = 2): string => (x === null ? '-' : `${(x * 100).toFixed(digits)}%`);
const count = (x: number): string => x.toLocaleString('en-US');

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const last = widths.length - 1;
  // names left, numbers right; a last column of free text stays left
  const align = (cell: string, c: number): string => (c === 0 || (c === last && c > 5) ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!));
  return rows.map((r) => r.map(align).join('  ').trimEnd()).join('\n');
}

const metricName = (m: DecisionMetric): string => (m === 'ctr' ? 'CTR' : 'watch time per impression');
const signed = (x: number): string => `${x >= 0 ? '+' : '−'}${(Math.abs(x) * 100).toFixed(1)}%`;

/** "lift: b vs a +8.2% CTR (95% interval +3.1% to +13.6%), P(best) 99.6%, expected loss 0.01%" */
export function liftLine(v: Verdict): string {
  if (v.lift === null || v.interval === null) return `lift: not yet (${v.reason})`;
  return `lift: ${v.leader} vs ${v.runnerUp} ${signed(v.lift)} ${metricName(v.metric)} (95% interval ${signed(v.interval[0])} to ${signed(v.interval[1])}), `
    + `P(best) ${pct(v.probabilityBest[v.leader] ?? 0, 1)}, expected loss ${pct(v.expectedLoss[v.leader] ?? 0)}`;
}

/** The experiment for a person: the variants' numbers, the lift with its interval, the chart, where the decision stands. */
export function formatReport(r: ExperimentReport): string {
  const e = r.experiment;
  const every = e.rotationHours === 24 ? 'every day at midnight Pacific' : `every ${e.rotationHours} h`;
  const lines = [
    `experiment ${e.id}  ${e.status}`,
    `video ${e.videoId}, rotating ${every}, started ${e.createdAt}${e.endedAt ? `, ended ${e.endedAt}` : ''}`,
    `decides on ${metricName(e.policy.metric)}; launch ${e.policy.launchDays} day${e.policy.launchDays === 1 ? '' : 's'} left out; ${e.design} rotation`,
    `stops at P(best) ≥ ${pct(e.policy.threshold, 1)}, expected loss ≤ ${pct(e.policy.maxExpectedLoss)}, ${count(e.policy.minImpressionsPerVariant)} impressions and ${e.policy.minPeriodsPerVariant} periods per variant`,
    '',
    table([
      ['variant', 'live', 'days', 'impressions', 'clicks', 'CTR', 'P(best)', 'exp. loss', 'views', 'avg view', 'title / thumbnail'],
      ...r.variants.map((v) => [
        v.label, v.live ? '*' : '', String(v.periods), count(v.impressions), count(v.clicks), pct(v.ctr), pct(v.probabilityBest, 1),
        pct(v.expectedLoss), count(v.views), v.avgViewDurationSec === null ? '-' : `${v.avgViewDurationSec.toFixed(1)} s`,
        [v.title, v.thumbnailKey].filter(Boolean).join(' / '),
      ]),
    ]),
    '',
    liftLine(r.evaluation),
    '',
    'pooled CTR, all periods (95% interval [==*==], * the mean; for a look only, the verdict compares periods):',
    r.chart,
    '',
    `plan: ${r.plan.join('')}…`,
    '',
  ];
  if (r.decision) {
    lines.push(`decision ${r.decision.decidedAt}: ${r.decision.winner ? `${r.decision.winner} applied` : 'no winner applied'} (${r.decision.reason})`);
  } else {
    lines.push(`so far: ${r.evaluation.reason}`);
  }
  if (r.nextRotation) lines.push(`next rotation ${r.nextRotation.at}: ${r.nextRotation.variant}`);
  return `${lines.join('\n')}\n`;
}

function formatImport(r: ImportResult): string {
  const lines = [`imported ${r.imported} period${r.imported === 1 ? '' : 's'} (${r.replaced} replaced) from ${r.source === 'reach-report' ? 'a channel_reach_basic_a1 report' : 'the CSV'}`];
  if (r.reachReport) lines.push(`  report rows for this video: ${r.reachReport.matched}, for other videos: ${r.reachReport.otherVideos}`);
  for (const row of r.rows) lines.push(`  ${row.variant}  ${row.periodStart} → ${row.periodEnd}  ${count(row.clicks)}/${count(row.impressions)}`);
  for (const s of r.skipped) lines.push(`  skipped ${s.where} (${s.periodStart} → ${s.periodEnd}): ${s.reason}`);
  return `${lines.join('\n')}\n`;
}

function formatEnd(r: EvaluateResult): string {
  if (!r.decision) return `still running: ${r.evaluation.reason}\n`;
  return `${r.status}: ${r.decision.winner ? `${r.decision.winner} applied for good` : 'the live variant stays'} (${r.decision.reason})\n`;
}

async function readText(cwd: string, file: string, name: string): Promise<string> {
  try {
    return await readFile(resolve(cwd, file), 'utf8');
  } catch (err) {
    throw new UsageError(name, `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

function metricOption(text: string | undefined): DecisionMetric | undefined {
  if (text === undefined) return undefined;
  if (!(DECISION_METRICS as readonly string[]).includes(text)) throw new UsageError('--metric', `"${text}" is not one of ${DECISION_METRICS.join(', ')}`);
  return text as DecisionMetric;
}

function decideOptions(values: { metric?: string | undefined; 'launch-days'?: string | undefined; threshold?: string | undefined }): Partial<TimeDecisionPolicy> {
  const metric = metricOption(values.metric);
  const launchDays = number('--launch-days', values['launch-days'], (n) => n >= 0 && n <= 365, 'a number of days from 0 to 365');
  const threshold = number('--threshold', values.threshold, (n) => n > 0.5 && n <= 1, 'a probability in (0.5, 1], e.g. 0.995');
  return {
    ...(metric ? { metric } : {}), ...(launchDays !== undefined ? { launchDays } : {}), ...(threshold !== undefined ? { threshold } : {}),
  };
}

function toPeriodRows(rows: ReturnType<typeof parseMetricsCsv>): PeriodRow[] {
  return rows.map((r) => {
    if (r.variant === undefined) throw new UsageError('<metrics.csv>', `${r.where} has no variant: "decide" has no experiment to tell which variant was live, so give the variant column`);
    return { variant: r.variant, start: r.start, end: r.end, impressions: r.impressions, clicks: r.clicks, avgViewDurationSec: r.avgViewDurationSec };
  });
}

function formatVerdict(v: Verdict & { stoppedAt: string | null }, sequential: boolean): string {
  const lines = [
    v.status === 'winner'
      ? `winner: ${v.winner ?? ''}${sequential && v.stoppedAt ? `, the test would have stopped after the period ending ${v.stoppedAt}` : ''}`
      : `no winner yet${sequential ? ' at any period' : ''}`,
    liftLine(v),
    '',
    table([
      ['variant', 'periods', 'impressions', 'clicks', 'CTR', 'P(best)', 'exp. loss'],
      ...Object.entries(v.window.variants).map(([label, w]) => [
        label, String(w.periods), count(w.impressions), count(w.clicks), pct(w.impressions > 0 ? w.clicks / w.impressions : null),
        pct(v.probabilityBest[label] ?? 0, 1), pct(v.expectedLoss[label] ?? 0),
      ]),
    ]),
    '',
    v.reason,
  ];
  return `${lines.join('\n')}\n`;
}

function required(value: string | undefined, name: string, what: string): string {
  if (!value) throw new UsageError(name, `missing: ${what} (faceless abtest --help)`);
  return value;
}

async function run(argv: readonly string[], io: AbtestIo, service: () => Promise<AbTestService>): Promise<number> {
  const parsed = parseCli(abtestCli(), argv, (text) => { io.stdout.write(text); });
  if ('help' in parsed) return parsed.help;
  const command = parsed.command.name();
  const positionals = parsed.args.filter((a): a is string => typeof a === 'string');
  const values = parsed.values as {
    status?: string; video?: string; variant?: string[]; from?: string; hours?: string; 'min-impressions'?: string; winner?: string;
    metric?: string; 'launch-days'?: string; threshold?: string; sequential?: boolean; json?: boolean;
  };
  const cwd = io.cwd ?? process.cwd();
  const out = (text: string): void => { io.stdout.write(text); };
  switch (command) {
    case 'list': {
      const status = values.status;
      if (status !== undefined && !(EXPERIMENT_STATUSES as readonly string[]).includes(status)) {
        throw new UsageError('--status', `"${status}" is not one of ${EXPERIMENT_STATUSES.join(', ')}`);
      }
      const list = await (await service()).list(status ? { status: status as ExperimentStatus } : {});
      if (list.length === 0) {
        out('no experiments yet: "faceless make" creates one per video, or run "faceless abtest create"\n');
        return 0;
      }
      out(`${table([
        ['id', 'status', 'video', 'variants', 'rotation', 'started'],
        ...list.map((e) => [e.id.slice(0, 8), e.status, e.videoId, String(e.variantCount), `${e.rotationHours} h`, e.createdAt]),
      ])}\n`);
      return 0;
    }
    case 'show': {
      out(formatReport(await (await service()).show(required(positionals[0], '<id>', 'the experiment id (see faceless abtest list)'))));
      return 0;
    }
    case 'create': {
      const hours = number('--hours', values.hours, (n) => Number.isInteger(n) && n >= 1 && n <= 168, 'a whole number of hours from 1 to 168');
      const { threshold, metric, launchDays } = decideOptions(values);
      const minImpressions = number('--min-impressions', values['min-impressions'], (n) => Number.isInteger(n) && n >= 0, 'a whole number ≥ 0');
      let input: AbTestStartInput;
      if (values.from !== undefined) {
        if (values.variant) throw new UsageError('--variant', 'give either --from or --variant, not both');
        const run = await fromOutDir(resolve(cwd, values.from), values.video);
        if (run.ownExperiment) {
          // the experiment "faceless make" started is for the run's own video; --video may name another
          const own = await (await service()).show(run.ownExperiment);
          if (own.experiment.videoId === run.input.videoId) {
            out(`the run already has experiment ${own.experiment.id} for video ${own.experiment.videoId}\n\n`);
            out(formatReport(own));
            return 0;
          }
        }
        input = run.input;
      } else {
        if (!values.video) throw new UsageError('--video', 'missing: the YouTube id of the uploaded video (or --from <out-dir>)');
        const specs = values.variant ?? [];
        if (specs.length < 2) throw new UsageError('--variant', `an experiment needs at least two variants, got ${specs.length}: repeat --variant label[:title][:thumbnail.jpg]`);
        input = { videoId: values.video, variants: specs.map((s) => parseVariantSpec(s, cwd)) };
      }
      input = {
        ...input,
        ...(hours !== undefined ? { rotationHours: hours } : {}),
        ...(threshold !== undefined ? { threshold } : {}),
        ...(minImpressions !== undefined ? { minImpressionsPerVariant: minImpressions } : {}),
        ...(metric !== undefined ? { metric } : {}),
        ...(launchDays !== undefined ? { launchDays } : {}),
      };
      const svc = await service();
      await assertVideoFree(svc, input);
      const { report, created } = await svc.start(input);
      out(created
        ? `created experiment ${report.experiment.id} for video ${report.experiment.videoId}; ${report.live ?? 'the first variant'} is live\n\n`
        : `the run already has experiment ${report.experiment.id} for video ${report.experiment.videoId}\n\n`);
      out(formatReport(report));
      return 0;
    }
    case 'decide': {
      const file = required(positionals[0], '<metrics.csv>', 'a CSV of period rows with the header variant,period_start,period_end,impressions,clicks,views,avg_view_duration_sec');
      const policy = decideOptions(values);
      const rows = toPeriodRows(parseMetricsCsv(await readText(cwd, file, '<metrics.csv>')));
      const variants = [...new Set([...rows].sort((a, b) => a.start.getTime() - b.start.getTime()).map((r) => r.variant))];
      if (variants.length < 2) throw new UsageError('<metrics.csv>', `the CSV has rows for ${variants.length === 0 ? 'no variant' : `only variant ${variants[0]!}`}: a test compares at least two`);
      const input = { variants, rows };
      const verdict = values.sequential
        ? decideSequentially(input, policy)
        : (() => {
            const v = decidePeriods(input, policy);
            return { ...v, stoppedAt: v.status === 'winner' ? v.window.to : null };
          })();
      if (values.json) {
        const { status, winner, stoppedAt, lift, interval, probabilityBest, expectedLoss, reason, metric, leader, runnerUp, window } = verdict;
        out(`${JSON.stringify({ status, winner, stoppedAt, lift, interval, probabilityBest, expectedLoss, reason, metric, leader, runnerUp, window }, null, 2)}\n`);
      } else {
        out(formatVerdict(verdict, values.sequential === true));
      }
      return 0;
    }
    case 'import': {
      const id = required(positionals[0], '<id>', 'the experiment id (see faceless abtest list)');
      const file = required(positionals[1], '<file.csv>', 'the metrics CSV or the channel_reach_basic_a1 report to import');
      const text = await readText(cwd, file, '<file.csv>');
      out(formatImport(await (await service()).importCsv(id, text)));
      return 0;
    }
    case 'evaluate': {
      out(formatEnd(await (await service()).evaluate(required(positionals[0], '<id>', 'the experiment id (see faceless abtest list)'))));
      return 0;
    }
    case 'stop': {
      const id = required(positionals[0], '<id>', 'the experiment id (see faceless abtest list)');
      out(formatEnd(await (await service()).stop(id, values.winner !== undefined ? { winner: values.winner } : {})));
      return 0;
    }
    case 'fetch': {
      const outcomes = await fetchReachReports({ config: readYouTubeConfig(io.env), service: await service() });
      if (outcomes.length === 0) out('no running experiments\n');
      for (const o of outcomes) {
        if (o.skipped.length > 0) out(`${o.skipped.length} experiment(s) on the local channel: no YouTube reports (import a CSV instead)\n`);
        else out(`${o.channel}: ${o.reports} report(s), ${o.imports.reduce((n, i) => n + i.imported, 0)} period(s) imported, ${o.imports.reduce((n, i) => n + i.skipped.length, 0)} skipped\n`);
      }
      return 0;
    }
    case 'rotate': {
      const outcomes = await (await service()).tick();
      if (outcomes.length === 0) out('no running experiments\n');
      for (const o of outcomes) {
        out(`${o.testId.slice(0, 8)}  ${o.action}  live: ${o.live}${o.error ? `  (${o.planned ?? ''} not applied: ${o.error.message}; the next rotate retries)` : ''}\n`);
      }
      return outcomes.some((o) => o.action === 'failed') ? 1 : 0;
    }
    default:
      throw new UsageError(command, 'unknown abtest command; see "faceless abtest --help"');
  }
}

/** Runs `faceless abtest <argv>`; returns the exit code: 0 done, 1 failed, 2 bad usage. */
export async function runAbtestCommand(argv: readonly string[], io: AbtestIo): Promise<number> {
  let db: Database | undefined;
  try {
    const target = readDatabaseTarget(io.env);
    const log = createLogger({ level: io.env.LOG_LEVEL === 'debug' ? 'debug' : io.env.LOG_LEVEL === 'info' ? 'info' : 'warn', write: (line) => { io.stderr.write(`${readableLogLine(line)}\n`); } });
    let svc: AbTestService | undefined;
    const service = async (): Promise<AbTestService> => {
      if (svc) return svc;
      db = await openDatabase(target).catch((err: unknown) => {
        throw new Error(`could not open ${describeDatabaseTarget(target)}: ${(err as Error).message}`);
      });
      const opened = db;
      svc = createAbTestService({
        database: () => Promise.resolve(opened),
        publisher: io.publisher ?? createYouTubeVariantPublisher({
          config: readYouTubeConfig(io.env), fallback: createRecordingPublisher(log), log,
          store: new FolderStore(io.cwd ?? process.cwd()),
        }),
        thumbnailExists: async (key) => {
          if (!isAbsolute(key)) return false;
          return access(key, constants.R_OK).then(() => true, () => false);
        },
        log,
        ...(io.now ? { now: io.now } : {}),
        ...(io.draws ? { draws: io.draws } : {}),
      });
      return svc;
    };
    return await run(argv, io, service);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`faceless abtest: ${err.message}\n`);
      return 2;
    }
    if (isFacelessError(err)) {
      io.stderr.write(`faceless abtest: error [${err.code}]${err.field ? ` (${err.field})` : ''}: ${err.message}\n`);
      return 1;
    }
    io.stderr.write(`faceless abtest: error: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await db?.close().catch(() => {});
  }
}
