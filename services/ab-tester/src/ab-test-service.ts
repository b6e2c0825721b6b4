/**
 * Running experiments after they are created: starting one by hand, rotating the live variant,
 * importing metrics, deciding and stopping. The HTTP routes and the CLI are thin hosts around it.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AbTestCreateInput } from '@faceless/contracts';
import type { Database } from '@faceless/infra';
import { FacelessError, parseInput, type Logger } from '@faceless/runtime';
import { asciiPosteriorChart, posteriorSummary, type VariantCounts } from './pooled-posterior.ts';
import {
  createExperimentRepo, type ExperimentDetail, type ExperimentPolicy, type ExperimentStatus, type ExperimentSummary, type Variant,
} from './experiment-repo.ts';
import {
  attributePeriod, csvFormat, MetricRowsInput, normalizeRow, parseCsv, parseMetricsCsv, parseReachReport, type MetricRow,
} from './metric-import.ts';
import { decidePeriods, type PeriodRow, type TimeDecisionPolicy, type Verdict } from './period-decision.ts';
import { periodAt, plannedPosition, variantPositionForPeriod, type RotationPlan } from './rotation-plan.ts';
import { toInt, toIso } from './row-values.ts';
import { checkVariants, databaseError, ensureMigrated } from './stage.ts';
import type { PublishedVariant, VariantPublisher } from './variant-publisher.ts';

/** POST /abtest and `faceless abtest create`: the pipeline's input, with the pipeline optional and the stopping rule. */
export const AbTestStartInput = AbTestCreateInput.extend({
  pipelineId: z.string().min(1).max(100).optional(),
  threshold: z.number().gt(0.5).max(1).optional(),
  /** A share of the metric, 0.005 = 0.5 %. */
  maxExpectedLoss: z.number().min(0).max(1).optional(),
  minImpressionsPerVariant: z.number().int().min(0).optional(),
  minPeriodsPerVariant: z.number().int().min(0).optional(),
});
export type AbTestStartInput = z.input<typeof AbTestStartInput>;

export const AbTestStopInput = z.strictObject({ winner: z.string().min(1).optional() });

export interface AbTestServiceDeps {
  /** Opened by the host; migrated here once. */
  database(): Promise<Database>;
  publisher: VariantPublisher;
  /** Whether a variant's thumbnail exists, checked before anything is sent to YouTube. */
  thumbnailExists?: (key: string) => Promise<boolean>;
  now?: () => Date;
  log?: Logger;
  /** Monte Carlo draws per decision and chart (default 4000). */
  draws?: number;
}

export interface VariantReport {
  id: string;
  label: string;
  title: string | null;
  thumbnailKey: string | null;
  periods: number;
  impressions: number;
  clicks: number;
  /** clicks / impressions; null without impressions. */
  ctr: number | null;
  views: number;
  /** Weighted by views over the periods that have it. */
  avgViewDurationSec: number | null;
  posterior: { alpha: number; beta: number; mean: number; lower: number; upper: number };
  probabilityBest: number;
  expectedLoss: number;
  live: boolean;
}

export interface DecisionRecord {
  id: string;
  winnerVariantId: string | null;
  winner: string | null;
  probabilityBest: number | null;
  expectedLoss: number | null;
  reason: string;
  decidedAt: string;
}

export interface ExperimentReport {
  experiment: ExperimentDetail;
  live: string | null;
  variants: VariantReport[];
  /** The verdict on the data so far (decidePeriods). */
  evaluation: Verdict;
  /** The planned order of the first periods, e.g. AAABBAABBA…: the launch, then counterbalanced blocks. */
  plan: string[];
  decision: DecisionRecord | null;
  /** For a running experiment: when the current rotation period ends and which variant is planned next. */
  nextRotation: { at: string; variant: string } | null;
  chart: string;
}

export interface ImportResult {
  testId: string;
  imported: number;
  /** Of `imported`, rows that replaced the same variant's same period. */
  replaced: number;
  rows: { where: string; variant: string; periodStart: string; periodEnd: string; impressions: number; clicks: number }[];
  skipped: { where: string; periodStart: string; periodEnd: string; reason: string }[];
  /** What the input was: JSON rows, our CSV, or a channel_reach_basic_a1 report (with its row counts). */
  source: 'rows' | 'csv' | 'reach-report';
  reachReport?: { matched: number; otherVideos: number };
}

export interface EvaluateResult {
  testId: string;
  status: ExperimentStatus;
  evaluation: Verdict;
  /** Set when this call ended the experiment. */
  decision: DecisionRecord | null;
}

export interface RotationOutcome {
  testId: string;
  action: 'kept' | 'rotated' | 'failed';
  live: string;
  /** The variant that should be live and could not be applied. */
  planned?: string;
  error?: { code: string; message: string };
}

type Row = Record<string, unknown>;

const SUMS_SQL = `
SELECT v.id,
  count(m.id)::int AS periods,
  coalesce(sum(m.impressions), 0)::bigint AS impressions,
  coalesce(sum(m.clicks), 0)::bigint AS clicks,
  coalesce(sum(m.views), 0)::bigint AS views,
  (sum(m.avg_view_duration_sec * m.views) FILTER (WHERE m.avg_view_duration_sec IS NOT NULL))::double precision AS weighted_duration,
  (sum(m.views) FILTER (WHERE m.avg_view_duration_sec IS NOT NULL))::bigint AS timed_views
FROM variants v LEFT JOIN metric_periods m ON m.variant_id = v.id
WHERE v.experiment_id = $1 GROUP BY v.id`;

const PERIODS_SQL = `
SELECT v.label, m.period_start, m.period_end, m.impressions, m.clicks, m.avg_view_duration_sec
FROM metric_periods m JOIN variants v ON v.id = m.variant_id
WHERE v.experiment_id = $1 ORDER BY m.period_start, v.position`;

// One statement: the experiment ends, its open rotation closes and the decision is recorded together,
// and only if it was still running (a concurrent stop makes this insert nothing).
const END_SQL = `
WITH ended AS (
  UPDATE experiments SET status = $2, updated_at = $3::timestamptz, ended_at = $3::timestamptz
  WHERE id = $1 AND status = 'running' RETURNING id
), closed AS (
  UPDATE rotations SET ended_at = GREATEST(started_at, $3::timestamptz)
  WHERE experiment_id IN (SELECT id FROM ended) AND ended_at IS NULL RETURNING id
)
INSERT INTO decisions (id, experiment_id, winner_variant_id, probability_best, expected_loss, reason, decided_at)
SELECT $4, id, $5, $6, $7, $8, $3::timestamptz FROM ended RETURNING id`;

// Close the open rotation and open the next in one statement; a second tick finds it closed and inserts nothing.
const ROTATE_SQL = `
WITH closed AS (
  UPDATE rotations r SET ended_at = GREATEST(r.started_at, $3::timestamptz)
  WHERE r.id = $2 AND r.ended_at IS NULL
    AND EXISTS (SELECT 1 FROM experiments e WHERE e.id = r.experiment_id AND e.status = 'running')
  RETURNING r.experiment_id
)
INSERT INTO rotations (id, experiment_id, variant_id, started_at)
SELECT $1, experiment_id, $4, $3::timestamptz FROM closed RETURNING id`;

const OPEN_FIRST_SQL = `
INSERT INTO rotations (id, experiment_id, variant_id, started_at)
SELECT $1, e.id, $3, $4::timestamptz FROM experiments e
WHERE e.id = $2 AND e.status = 'running' AND NOT EXISTS (SELECT 1 FROM rotations r WHERE r.experiment_id = e.id AND r.ended_at IS NULL)
RETURNING id`;

const UPSERT_METRICS_SQL = `
INSERT INTO metric_periods (id, variant_id, period_start, period_end, impressions, clicks, views, avg_view_duration_sec, recorded_at)
SELECT m.id, m.variant_id, m.period_start, m.period_end, m.impressions, m.clicks, m.views, m.avg_view_duration_sec, $2::timestamptz
FROM jsonb_to_recordset($1::text::jsonb) AS m(id text, variant_id text, period_start timestamptz, period_end timestamptz,
  impressions bigint, clicks bigint, views bigint, avg_view_duration_sec double precision)
ON CONFLICT (variant_id, period_start, period_end) DO UPDATE SET
  impressions = EXCLUDED.impressions, clicks = EXCLUDED.clicks, views = EXCLUDED.views,
  avg_view_duration_sec = EXCLUDED.avg_view_duration_sec, recorded_at = EXCLUDED.recorded_at`;

function publishedOf(v: Variant): PublishedVariant {
  return { ...(v.title ? { title: v.title } : {}), ...(v.thumbnailKey ? { thumbnailKey: v.thumbnailKey } : {}) };
}

function errorSummary(err: unknown): { code: string; message: string } {
  if (err instanceof FacelessError) return { code: err.code, message: err.message };
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

export function createAbTestService(deps: AbTestServiceDeps) {
  const now = deps.now ?? (() => new Date());
  const draws = deps.draws ?? 4000;

  async function db(): Promise<Database> {
    const d = await deps.database();
    try {
      await ensureMigrated(d);
    } catch (err) {
      throw databaseError(err, 'could not apply the A/B tester migrations');
    }
    return d;
  }

  async function sql<R extends Row>(text: string, params: unknown[], what: string): Promise<R[]> {
    const d = await db();
    try {
      return (await d.query<R>(text, params)).rows;
    } catch (err) {
      throw databaseError(err, what);
    }
  }

  async function load(idOrPrefix: string): Promise<ExperimentDetail> {
    const repo = createExperimentRepo(await db());
    const id = await repo.resolveId(idOrPrefix).catch((err: unknown) => { throw databaseError(err, 'could not read experiments'); });
    const exp = id ? await repo.get(id) : undefined;
    if (!exp) throw new FacelessError('NOT_FOUND', `no experiment ${idOrPrefix}: list them with GET /abtest or "faceless abtest list"`, { field: 'id' });
    return exp;
  }

  async function counts(exp: ExperimentDetail) {
    const rows = await sql(SUMS_SQL, [exp.id], 'could not sum the metrics');
    const byId = new Map(rows.map((r) => [String(r.id), r]));
    return exp.variants.map((v) => {
      const r = byId.get(v.id);
      const timedViews = r?.timed_views == null ? 0 : toInt(r.timed_views);
      return {
        variant: v,
        periods: r ? toInt(r.periods) : 0,
        impressions: r ? toInt(r.impressions) : 0,
        clicks: r ? toInt(r.clicks) : 0,
        views: r ? toInt(r.views) : 0,
        avgViewDurationSec: timedViews > 0 ? Number(r!.weighted_duration) / timedViews : null,
      };
    });
  }

  const asCounts = (sums: { variant: Variant; impressions: number; clicks: number }[]): VariantCounts[] =>
    sums.map((s) => ({ id: s.variant.label, impressions: s.impressions, clicks: s.clicks }));

  async function periodRows(exp: ExperimentDetail): Promise<PeriodRow[]> {
    const rows = await sql(PERIODS_SQL, [exp.id], 'could not read the metrics');
    return rows.map((r) => ({
      variant: String(r.label), start: new Date(toIso(r.period_start)), end: new Date(toIso(r.period_end)),
      impressions: toInt(r.impressions), clicks: toInt(r.clicks),
      avgViewDurationSec: r.avg_view_duration_sec == null ? null : Number(r.avg_view_duration_sec),
    }));
  }

  /**
   * The same verdict as `faceless abtest decide` on the stored rows, the launch counted from the
   * start of the period the experiment began in, as the rotation plan counts it.
   */
  async function decideFor(exp: ExperimentDetail): Promise<Verdict> {
    const startedAt = periodAt(new Date(exp.createdAt), exp.rotationHours).start;
    return decidePeriods(
      { variants: exp.variants.map((v) => v.label), rows: await periodRows(exp), startedAt },
      policyOf(exp.policy),
    );
  }

  function policyOf(p: ExperimentPolicy): Partial<TimeDecisionPolicy> {
    return { ...p, draws };
  }

  async function latestDecision(exp: ExperimentDetail): Promise<DecisionRecord | null> {
    const rows = await sql('SELECT * FROM decisions WHERE experiment_id = $1 ORDER BY decided_at DESC, id DESC LIMIT 1', [exp.id], 'could not read the decision');
    const r = rows[0];
    if (!r) return null;
    const winnerId = r.winner_variant_id == null ? null : String(r.winner_variant_id);
    return {
      id: String(r.id),
      winnerVariantId: winnerId,
      winner: exp.variants.find((v) => v.id === winnerId)?.label ?? null,
      probabilityBest: r.probability_best == null ? null : Number(r.probability_best),
      expectedLoss: r.expected_loss == null ? null : Number(r.expected_loss),
      reason: String(r.reason),
      decidedAt: toIso(r.decided_at),
    };
  }

  async function publish(exp: ExperimentDetail, v: Variant, signal?: AbortSignal): Promise<void> {
    await deps.publisher.applyVariant({ videoId: exp.videoId, ...(exp.channel ? { channel: exp.channel } : {}), variant: publishedOf(v), ...(signal ? { signal } : {}) });
    deps.log?.info('variant applied', { testId: exp.id, variant: v.label, videoId: exp.videoId });
  }

  async function end(exp: ExperimentDetail, e: { status: 'decided' | 'stopped'; winner: Variant | null; probabilityBest: number | null; expectedLoss: number | null; reason: string }): Promise<DecisionRecord> {
    const at = now();
    const id = randomUUID();
    const rows = await sql(END_SQL, [exp.id, e.status, at.toISOString(), id, e.winner?.id ?? null, e.probabilityBest, e.expectedLoss, e.reason], `could not record the decision for experiment ${exp.id}`);
    if (rows.length === 0) throw new FacelessError('CONFLICT', `experiment ${exp.id} ended while this request ran: GET it to see how`, { field: 'id' });
    return {
      id, winnerVariantId: e.winner?.id ?? null, winner: e.winner?.label ?? null, probabilityBest: e.probabilityBest,
      expectedLoss: e.expectedLoss, reason: e.reason, decidedAt: at.toISOString(),
    };
  }

  function mustBeRunning(exp: ExperimentDetail, action: string): void {
    if (exp.status !== 'running') {
      throw new FacelessError('CONFLICT', `experiment ${exp.id} is ${exp.status} already (ended ${exp.endedAt ?? '?'}), so there is nothing to ${action}: GET it to see the decision`, { field: 'id' });
    }
  }

  async function rotate(exp: ExperimentDetail, signal?: AbortSignal): Promise<RotationOutcome> {
    const open = exp.rotations.find((r) => r.endedAt === null);
    const liveLabel = (id: string | undefined): string => exp.variants.find((v) => v.id === id)?.label ?? '(none)';
    const at = now();
    const plan = plannedPosition({ startedAt: new Date(exp.createdAt), now: at, rotationHours: exp.rotationHours, variantCount: exp.variants.length, plan: rotationPlanOf(exp) });
    const target = exp.variants[plan.position]!;
    if (open && (open.variantId === target.id || Date.parse(open.startedAt) >= plan.period.start.getTime())) {
      return { testId: exp.id, action: 'kept', live: liveLabel(open.variantId) };
    }
    try {
      await publish(exp, target, signal);
    } catch (err) {
      deps.log?.warn('could not apply the next variant: the current one stays live, the next tick retries', { testId: exp.id, variant: target.label, error: errorSummary(err) });
      return { testId: exp.id, action: 'failed', live: liveLabel(open?.variantId), planned: target.label, error: errorSummary(err) };
    }
    const rows = open
      ? await sql(ROTATE_SQL, [randomUUID(), open.id, at.toISOString(), target.id], `could not record the rotation of experiment ${exp.id}`)
      : await sql(OPEN_FIRST_SQL, [randomUUID(), exp.id, target.id, at.toISOString()], `could not record the rotation of experiment ${exp.id}`);
    if (rows.length === 0) {
      const fresh = await createExperimentRepo(await db()).get(exp.id);
      return { testId: exp.id, action: 'kept', live: liveLabel(fresh?.rotations.find((r) => r.endedAt === null)?.variantId) };
    }
    deps.log?.info('rotated', { testId: exp.id, from: liveLabel(open?.variantId), to: target.label });
    return { testId: exp.id, action: 'rotated', live: target.label };
  }

  async function storeRows(exp: ExperimentDetail, rows: MetricRow[], source: ImportResult['source']): Promise<ImportResult> {
    const labelOf = (id: string): string => exp.variants.find((v) => v.id === id)?.label ?? id;
    const result: ImportResult = { testId: exp.id, imported: 0, replaced: 0, rows: [], skipped: [], source };
    const accepted: (MetricRow & { variantId: string })[] = [];
    for (const row of rows) {
      let variantId: string;
      if (row.variant !== undefined) {
        const v = exp.variants.find((x) => x.label === row.variant || x.id === row.variant);
        if (!v) {
          throw new FacelessError('INVALID_INPUT', `${row.where}: no variant "${row.variant}" in experiment ${exp.id}; its variants are ${exp.variants.map((x) => x.label).join(', ')}`, { field: 'variant' });
        }
        variantId = v.id;
      } else {
        const a = attributePeriod(row, exp.rotations, labelOf);
        if ('reason' in a) {
          result.skipped.push({ where: row.where, periodStart: row.start.toISOString(), periodEnd: row.end.toISOString(), reason: a.reason });
          continue;
        }
        variantId = a.variantId;
      }
      const clash = accepted.find((o) => o.start < row.end && row.start < o.end);
      if (clash) throw new FacelessError('INVALID_INPUT', `${row.where} overlaps ${clash.where} (${clash.start.toISOString()} to ${clash.end.toISOString()}): each period may appear once`, { field: 'period' });
      accepted.push({ ...row, variantId });
    }
    const existing = await sql(
      `SELECT m.variant_id, m.period_start, m.period_end FROM metric_periods m JOIN variants v ON v.id = m.variant_id WHERE v.experiment_id = $1`,
      [exp.id], 'could not read the stored metrics',
    );
    const stored = existing.map((r) => ({ variantId: String(r.variant_id), start: Date.parse(toIso(r.period_start)), end: Date.parse(toIso(r.period_end)) }));
    const toStore = accepted.filter((row) => {
      const s = row.start.getTime();
      const e = row.end.getTime();
      const same = stored.find((o) => o.variantId === row.variantId && o.start === s && o.end === e);
      if (same) {
        result.replaced++;
        return true;
      }
      const overlap = stored.find((o) => o.start < e && s < o.end);
      if (overlap) {
        result.skipped.push({
          where: row.where, periodStart: row.start.toISOString(), periodEnd: row.end.toISOString(),
          reason: `overlaps ${labelOf(overlap.variantId)}'s period ${new Date(overlap.start).toISOString()} to ${new Date(overlap.end).toISOString()} already stored: counting both would count impressions twice (re-import with the same boundaries to replace it)`,
        });
        return false;
      }
      return true;
    });
    if (toStore.length > 0) {
      const payload = toStore.map((r) => ({
        id: randomUUID(), variant_id: r.variantId, period_start: r.start.toISOString(), period_end: r.end.toISOString(),
        impressions: r.impressions, clicks: r.clicks, views: r.views ?? 0, avg_view_duration_sec: r.avgViewDurationSec,
      }));
      await sql(UPSERT_METRICS_SQL, [JSON.stringify(payload), now().toISOString()], `could not store the metrics of experiment ${exp.id}`);
    }
    result.imported = toStore.length;
    result.rows = toStore.map((r) => ({
      where: r.where, variant: labelOf(r.variantId), periodStart: r.start.toISOString(), periodEnd: r.end.toISOString(), impressions: r.impressions, clicks: r.clicks,
    }));
    deps.log?.info('metrics imported', { testId: exp.id, source, imported: result.imported, replaced: result.replaced, skipped: result.skipped.length });
    return result;
  }

  async function show(idOrPrefix: string): Promise<ExperimentReport> {
    const exp = await load(idOrPrefix);
    const sums = await counts(exp);
    const c = asCounts(sums);
    const evaluation = await decideFor(exp);
    const open = exp.rotations.find((r) => r.endedAt === null);
    let nextRotation: ExperimentReport['nextRotation'] = null;
    if (exp.status === 'running') {
      const period = periodAt(now(), exp.rotationHours);
      const plan = plannedPosition({ startedAt: new Date(exp.createdAt), now: period.end, rotationHours: exp.rotationHours, variantCount: exp.variants.length, plan: rotationPlanOf(exp) });
      nextRotation = { at: period.end.toISOString(), variant: exp.variants[plan.position]!.label };
    }
    return {
      experiment: exp,
      live: exp.variants.find((v) => v.id === open?.variantId)?.label ?? null,
      variants: sums.map((s) => {
        const p = posteriorSummary({ id: s.variant.label, impressions: s.impressions, clicks: s.clicks }, { draws });
        return {
          id: s.variant.id, label: s.variant.label, title: s.variant.title, thumbnailKey: s.variant.thumbnailKey,
          periods: s.periods, impressions: s.impressions, clicks: s.clicks, ctr: s.impressions > 0 ? s.clicks / s.impressions : null,
          views: s.views, avgViewDurationSec: s.avgViewDurationSec,
          posterior: { alpha: p.alpha, beta: p.beta, mean: p.mean, lower: p.lower, upper: p.upper },
          probabilityBest: evaluation.probabilityBest[s.variant.label] ?? 0,
          expectedLoss: evaluation.expectedLoss[s.variant.label] ?? 0,
          live: s.variant.id === open?.variantId,
        };
      }),
      evaluation,
      decision: await latestDecision(exp),
      nextRotation,
      chart: asciiPosteriorChart(c, 50, { draws }),
      plan: plannedOrder(exp.variants.map((v) => v.label), exp.rotationHours, Math.max(28, 2 * exp.variants.length * 4), rotationPlanOf(exp)),
    };
  }

  return {
    /** Checks everything, applies the first variant, then stores the experiment; one variant is refused before YouTube is called. */
    async start(raw: unknown, options: { signal?: AbortSignal } = {}): Promise<{ report: ExperimentReport; created: boolean }> {
      const input = parseInput(AbTestStartInput, raw, 'experiment');
      checkVariants(input);
      const repo = createExperimentRepo(await db());
      if (input.pipelineId) {
        const existing = await repo.listByPipeline(input.pipelineId).catch((err: unknown) => { throw databaseError(err, 'could not read experiments'); });
        if (existing[0]) return { report: await show(existing[0].id), created: false };
      }
      if (deps.thumbnailExists) {
        for (const [i, v] of input.variants.entries()) {
          if (v.thumbnailPath && !(await deps.thumbnailExists(v.thumbnailPath))) {
            throw new FacelessError('NOT_FOUND', `variant "${v.label}" names thumbnail "${v.thumbnailPath}", which does not exist: make the thumbnail first or fix the path`, { field: `variants.${i}.thumbnailPath` });
          }
        }
      }
      const first = input.variants[0]!;
      await deps.publisher.applyVariant({
        videoId: input.videoId,
        variant: { ...(first.title ? { title: first.title } : {}), ...(first.thumbnailPath ? { thumbnailKey: first.thumbnailPath } : {}) },
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const { experiment, created } = await repo.create({
        pipelineId: input.pipelineId ?? `manual-${randomUUID()}`,
        videoId: input.videoId,
        rotationHours: input.rotationHours,
        variants: input.variants.map((v) => ({ label: v.label, thumbnailKey: v.thumbnailPath, title: v.title })),
        policy: {
          ...(input.threshold !== undefined ? { threshold: input.threshold } : {}),
          ...(input.maxExpectedLoss !== undefined ? { maxExpectedLoss: input.maxExpectedLoss } : {}),
          ...(input.minImpressionsPerVariant !== undefined ? { minImpressionsPerVariant: input.minImpressionsPerVariant } : {}),
          ...(input.minPeriodsPerVariant !== undefined ? { minPeriodsPerVariant: input.minPeriodsPerVariant } : {}),
          ...(input.metric !== undefined ? { metric: input.metric } : {}),
          ...(input.launchDays !== undefined ? { launchDays: input.launchDays } : {}),
        },
        now: now(),
      }).catch((err: unknown) => { throw databaseError(err, 'could not create the experiment'); });
      deps.log?.info('experiment created', { testId: experiment.id, videoId: experiment.videoId, live: first.label });
      return { report: await show(experiment.id), created };
    },

    async list(filter: { status?: ExperimentStatus } = {}): Promise<ExperimentSummary[]> {
      const repo = createExperimentRepo(await db());
      return repo.list(filter).catch((err: unknown) => { throw databaseError(err, 'could not list experiments'); });
    },

    show,

    /** JSON rows ({ rows: [...] }, see MetricRowInput). */
    async importRows(idOrPrefix: string, body: unknown): Promise<ImportResult> {
      const input = parseInput(MetricRowsInput, body, 'metrics');
      const exp = await load(idOrPrefix);
      return storeRows(exp, input.rows.map((r, i) => normalizeRow(r, `rows.${i}`)), 'rows');
    },

    /** Our metrics CSV or a channel_reach_basic_a1 report, told apart by the header. */
    async importCsv(idOrPrefix: string, text: string): Promise<ImportResult> {
      if (typeof text !== 'string' || text.trim() === '') throw new FacelessError('INVALID_INPUT', 'the CSV is empty: send the header line and one line per period', { field: 'csv' });
      const exp = await load(idOrPrefix);
      const [header] = parseCsv(text.slice(0, text.search(/\r?\n|$/)));
      if (csvFormat(header ?? []) === 'reach-report') {
        const report = parseReachReport(text, exp.videoId);
        const result = await storeRows(exp, report.rows, 'reach-report');
        return { ...result, reachReport: { matched: report.matched, otherVideos: report.otherVideos } };
      }
      return storeRows(exp, parseMetricsCsv(text), 'csv');
    },

    /** Runs the verdict on the stored periods, and on a winner applies it for good and records why. */
    async evaluate(idOrPrefix: string, options: { signal?: AbortSignal } = {}): Promise<EvaluateResult> {
      const exp = await load(idOrPrefix);
      mustBeRunning(exp, 'evaluate');
      const evaluation = await decideFor(exp);
      if (evaluation.status === 'continue') return { testId: exp.id, status: 'running', evaluation, decision: null };
      const winner = exp.variants.find((v) => v.label === evaluation.winner)!;
      await publish(exp, winner, options.signal);
      const decision = await end(exp, {
        status: 'decided', winner, probabilityBest: evaluation.probabilityBest[winner.label] ?? null,
        expectedLoss: evaluation.expectedLoss[winner.label] ?? null, reason: evaluation.reason,
      });
      deps.log?.info('experiment decided', { testId: exp.id, winner: winner.label, reason: evaluation.reason });
      return { testId: exp.id, status: 'decided', evaluation, decision };
    },

    /** Ends a running experiment by hand; with a winner, that variant is applied for good first. */
    async stop(idOrPrefix: string, body: unknown = {}, options: { signal?: AbortSignal } = {}): Promise<EvaluateResult> {
      const input = parseInput(AbTestStopInput, body ?? {}, 'stop request');
      const exp = await load(idOrPrefix);
      mustBeRunning(exp, 'stop');
      let winner: Variant | null = null;
      if (input.winner !== undefined) {
        winner = exp.variants.find((v) => v.label === input.winner || v.id === input.winner) ?? null;
        if (!winner) throw new FacelessError('INVALID_INPUT', `no variant "${input.winner}" in experiment ${exp.id}; its variants are ${exp.variants.map((v) => v.label).join(', ')}`, { field: 'winner' });
      }
      const evaluation = await decideFor(exp);
      if (winner) await publish(exp, winner, options.signal);
      const decision = await end(exp, {
        status: 'stopped', winner,
        probabilityBest: winner ? evaluation.probabilityBest[winner.label] ?? null : null,
        expectedLoss: winner ? evaluation.expectedLoss[winner.label] ?? null : null,
        reason: 'stopped by hand',
      });
      deps.log?.info('experiment stopped by hand', { testId: exp.id, winner: winner?.label });
      return { testId: exp.id, status: 'stopped', evaluation, decision };
    },

    /** Rotates one experiment if its period is over (POST /abtest/:id/rotate). */
    async rotate(idOrPrefix: string, options: { signal?: AbortSignal } = {}): Promise<RotationOutcome> {
      const exp = await load(idOrPrefix);
      mustBeRunning(exp, 'rotate');
      return rotate(exp, options.signal);
    },

    /**
     * Every running experiment whose period is over gets its next variant: applied first, recorded
     * after, so a failed apply changes nothing and the next tick retries. Safe to call twice.
     */
    async tick(options: { signal?: AbortSignal } = {}): Promise<RotationOutcome[]> {
      const repo = createExperimentRepo(await db());
      const running = await repo.list({ status: 'running' }).catch((err: unknown) => { throw databaseError(err, 'could not list experiments'); });
      const outcomes: RotationOutcome[] = [];
      for (const summary of running) {
        options.signal?.throwIfAborted();
        const exp = await repo.get(summary.id);
        if (exp?.status === 'running') outcomes.push(await rotate(exp, options.signal));
      }
      return outcomes;
    },
  };
}

export type AbTestService = ReturnType<typeof createAbTestService>;

/** The rotation plan of a stored experiment: the launch (in periods) only for the counterbalanced design. */
export function rotationPlanOf(exp: { design: RotationPlan['design']; rotationHours: number; policy: { launchDays: number } }): RotationPlan {
  return {
    design: exp.design,
    launchPeriods: exp.design === 'round-robin' ? 0 : Math.ceil((exp.policy.launchDays * 24) / exp.rotationHours - 1e-9),
  };
}

/** The planned order of variant labels for the first `periods` periods (for docs and `show`). */
export function plannedOrder(labels: readonly string[], rotationHours: number, periods: number, plan: Partial<RotationPlan> = {}): string[] {
  return Array.from({ length: periods }, (_, n) => labels[variantPositionForPeriod(n, labels.length, rotationHours, plan)]!);
}
