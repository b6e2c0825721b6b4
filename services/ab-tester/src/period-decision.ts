/**
 * The A/B verdict from period rows (one variant live over one period each), with time in it: the
 * launch is left out, each variant is compared with the periods around it through the model of
 * period-model.ts, and a winner is declared only at a point where every variant has had as many
 * periods as the others. One code path for stored experiments, `faceless abtest decide` and the
 * simulations.
 */
import { FacelessError, seededRandom } from '@faceless/runtime';
import { fitPeriodModel, sampleEffects, type ModelPeriod } from './period-model.ts';
import { calendarCycle, pacificDayNumber, periodAt } from './rotation-plan.ts';

export const DECISION_METRICS = ['ctr', 'watch-time'] as const;
/** ctr: clicks per impression; watch-time: clicks × average view duration per impression (what Test & Compare optimises). */
export type DecisionMetric = (typeof DECISION_METRICS)[number];

export interface PeriodRow {
  variant: string;
  start: Date;
  /** Exclusive. */
  end: Date;
  impressions: number;
  clicks: number;
  avgViewDurationSec?: number | null;
}

export interface TimeDecisionPolicy {
  metric: DecisionMetric;
  /** The leader's probability of being best needed to stop. */
  threshold: number;
  /** The most of the metric (relative, 0.005 = 0.5 %) we accept to lose in expectation by picking the leader. */
  maxExpectedLoss: number;
  minImpressionsPerVariant: number;
  /** Periods of each variant in the analysed window before any verdict. */
  minPeriodsPerVariant: number;
  /** Days from the start (the video's publication, or the first row) left out as the launch. */
  launchDays: number;
  /** Monte Carlo draws from the posterior. */
  draws: number;
}

// threshold and minPeriodsPerVariant are set by simulating the daily looks (ab-simulation.test.ts,
// bench/abtest-impressions.ts): at 0.99 and 6 periods 5 % of runs with identical variants got a
// winner; at 0.995 and 4, 1–3 %, with +10 % still found in ≥ 90 % of runs at 12,000 impressions a day.
export const DEFAULT_TIME_POLICY = {
  metric: 'ctr',
  threshold: 0.995,
  maxExpectedLoss: 0.005,
  minImpressionsPerVariant: 1000,
  minPeriodsPerVariant: 4,
  launchDays: 3,
  draws: 4000,
} as const satisfies TimeDecisionPolicy;

// Three or more variants share the days, so each gets fewer periods, and the leader must beat every
// other: at 0.995 a true +10 % of one variant of three was found in under half the runs within 28 days.
// At 0.97 identical variants still get a false winner in 1–3 % of runs (none in 300 with four), as two
// do at 0.995; the same +10 % is found in 78 % of runs at 16,000 impressions a day (bench/RESULTS.md).
export const MANY_VARIANTS_THRESHOLD = 0.97;

/** The default P(best) needed to stop, calibrated by simulation for the number of variants. */
export function defaultThreshold(variantCount: number): number {
  return variantCount >= 3 ? MANY_VARIANTS_THRESHOLD : DEFAULT_TIME_POLICY.threshold;
}

/** The full policy for a test of `variantCount` variants: the defaults (threshold by variant count) under what is given. */
export function timePolicyFor(variantCount: number, policy: Partial<TimeDecisionPolicy> = {}): TimeDecisionPolicy {
  const given = Object.fromEntries(Object.entries(policy).filter(([, v]) => v !== undefined)) as Partial<TimeDecisionPolicy>;
  return { ...DEFAULT_TIME_POLICY, threshold: defaultThreshold(variantCount), ...given };
}

export interface VariantWindow {
  periods: number;
  impressions: number;
  clicks: number;
}

export interface Verdict {
  status: 'continue' | 'winner';
  metric: DecisionMetric;
  /** Set when status is winner. */
  winner: string | null;
  /** The variant most likely best so far. */
  leader: string;
  /** The other variant with the highest estimated effect: the lift compares the leader with it. */
  runnerUp: string;
  /** Relative lift of the leader over the runner-up (posterior median, 0.08 = +8 %); null before both have data. */
  lift: number | null;
  /** 95 % credible interval of that lift. */
  interval: [number, number] | null;
  probabilityBest: Record<string, number>;
  /** Expected relative loss of picking each variant: E[max_j rate_j / rate_i − 1]. */
  expectedLoss: Record<string, number>;
  reason: string;
  window: {
    /** Start of the first and end of the last analysed period; null when none is left. */
    from: string | null;
    to: string | null;
    variants: Record<string, VariantWindow>;
    /** Rows left out as the launch (launchDays). */
    launchRows: number;
    /** Rows left out for other reasons: no impressions, or no average view duration for watch-time. */
    unusableRows: number;
    /** Rows left out as traffic bursts (more than BURST_RATIO × the median impressions). */
    burstRows: number;
  };
}

function invalid(field: string, message: string): FacelessError {
  return new FacelessError('INVALID_INPUT', message, { field });
}

export function checkTimePolicy(p: TimeDecisionPolicy): void {
  if (!(DECISION_METRICS as readonly string[]).includes(p.metric)) throw invalid('metric', `metric must be one of ${DECISION_METRICS.join(', ')}, got ${String(p.metric)}`);
  if (!(p.threshold > 0.5 && p.threshold <= 1)) throw invalid('threshold', `threshold must be in (0.5, 1], e.g. 0.99; got ${p.threshold}`);
  if (!(p.maxExpectedLoss >= 0 && p.maxExpectedLoss <= 1)) throw invalid('maxExpectedLoss', `maxExpectedLoss must be a share from 0 to 1, e.g. 0.005 for 0.5 %; got ${p.maxExpectedLoss}`);
  for (const key of ['minImpressionsPerVariant', 'minPeriodsPerVariant', 'draws'] as const) {
    if (!Number.isInteger(p[key]) || p[key] < (key === 'draws' ? 100 : 0)) throw invalid(key, `${key} must be a whole number ≥ ${key === 'draws' ? 100 : 0}, got ${p[key]}`);
  }
  if (!(p.launchDays >= 0 && p.launchDays <= 365)) throw invalid('launchDays', `launchDays must be a number of days from 0 to 365, got ${p.launchDays}`);
}

const HOUR_MS = 3_600_000;

/** The rotation length the rows were cut in: whole days when they are about a day or more (DST days have 23 or 25 h). */
export function rowRotationHours(rows: readonly PeriodRow[]): number {
  const lengths = rows.map((r) => (r.end.getTime() - r.start.getTime()) / HOUR_MS).sort((a, b) => a - b);
  const median = lengths[Math.floor(lengths.length / 2)] ?? 24;
  const hours = median >= 22 ? 24 * Math.max(1, Math.round(median / 24)) : Math.max(1, Math.round(median));
  return Math.min(168, hours);
}

interface Observation {
  row: PeriodRow;
  variant: number;
  y: number;
  variance: number;
}

function observe(row: PeriodRow, variant: number, metric: DecisionMetric): Observation | undefined {
  if (row.impressions <= 0) return undefined;
  const c = row.clicks + 0.5;
  const n = row.impressions + 0.5;
  if (metric === 'ctr') return { row, variant, y: Math.log(c / n), variance: Math.max(1 / c - 1 / n, 1e-6) };
  if (row.avgViewDurationSec == null || !(row.avgViewDurationSec > 0)) return undefined;
  // watch seconds = clicks × mean duration; the spread of single views' durations (unreported) is taken
  // as a coefficient of variation of 1, which doubles the Poisson variance of the click count
  return { row, variant, y: Math.log((c * row.avgViewDurationSec) / n), variance: 2 / c };
}

const pct = (x: number, digits = 1): string => `${(x * 100).toFixed(digits)}%`;
const signed = (x: number): string => `${x >= 0 ? '+' : '−'}${pct(Math.abs(x))}`;
const count = (x: number): string => x.toLocaleString('en-US');
/** The Pacific calendar date of an instant (the reports' day). */
const day = (d: Date): string => new Date(pacificDayNumber(d) * 24 * HOUR_MS).toISOString().slice(0, 10);

function quantile(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * Whether every variant's periods sit, on average, within (variants − 1) / 2 periods of the window's mean time:
 * true after whole ABBA (ABCCBA) blocks and after each AB (ABC) of a round-robin; false for BBAA, where a trend
 * would pass for a difference.
 */
function timeBalanced(rotated: readonly { variant: number; start: number }[], k: number, rotationHours: number): boolean {
  const lengthMs = rotationHours * HOUR_MS;
  const sum = new Float64Array(k);
  const n = new Float64Array(k);
  let all = 0;
  for (const r of rotated) {
    const t = r.start / lengthMs;
    sum[r.variant]! += t;
    n[r.variant]! += 1;
    all += t;
  }
  const mean = all / rotated.length;
  for (let i = 0; i < k; i++) if (Math.abs(sum[i]! / n[i]! - mean) > (k - 1) / 2 + 1e-6) return false;
  return true;
}

export interface DecideInput {
  /** Labels in the experiment's order; the first is the reference of the model. */
  variants: readonly string[];
  rows: readonly PeriodRow[];
  /** When the video went live (the launch counts from here); default: the first row's start. */
  startedAt?: Date;
}

// periodAt reads the Pacific calendar through Intl, slow enough to matter when a simulation
// evaluates thousands of windows; a period's slot never changes
const slots = new Map<string, number>();
function slotOf(mid: number, rotationHours: number, slotCount: number): number {
  const key = `${rotationHours}:${mid}`;
  let slot = slots.get(key);
  if (slot === undefined) {
    if (slots.size > 100_000) slots.clear();
    slot = ((periodAt(new Date(mid), rotationHours).index % slotCount) + slotCount) % slotCount;
    slots.set(key, slot);
  }
  return slot;
}

interface Prepared {
  used: Observation[];
  /** Every period after the launch, used or not: the rotation's progress. */
  rotated: { variant: number; start: number }[];
  launchRows: number;
  unusableRows: number;
  burstRows: number;
  rotationHours: number;
  /** Periods after the last point where the rotation was even, left for the next one. */
  heldBack: number;
}

/** A period with more than this times the median impressions after the launch is a burst, left out. */
export const BURST_RATIO = 3;

function prepare(input: DecideInput, policy: TimeDecisionPolicy): Prepared {
  const index = new Map(input.variants.map((v, i) => [v, i]));
  const rows = [...input.rows].sort((a, b) => a.start.getTime() - b.start.getTime());
  const rotationHours = rowRotationHours(rows);
  const origin = input.startedAt ?? rows[0]?.start;
  const launchEnd = origin ? origin.getTime() + policy.launchDays * 24 * HOUR_MS : -Infinity;
  let launchRows = 0;
  let unusableRows = 0;
  const candidates: Observation[] = [];
  const rotated: { variant: number; start: number }[] = [];
  const lastEnd = new Map<number, PeriodRow>();
  for (const row of rows) {
    const v = index.get(row.variant);
    if (v === undefined) throw invalid('variant', `no variant "${row.variant}" in this test; its variants are ${input.variants.join(', ')}`);
    const previous = lastEnd.get(v);
    if (previous && row.start < previous.end) {
      throw invalid('period', `${row.variant}'s period from ${row.start.toISOString()} overlaps its period from ${previous.start.toISOString()} to ${previous.end.toISOString()}: each period may appear once, or its impressions count twice`);
    }
    lastEnd.set(v, row);
    if (row.start.getTime() < launchEnd) {
      launchRows++;
      continue;
    }
    rotated.push({ variant: v, start: row.start.getTime() });
    const o = observe(row, v, policy.metric);
    if (o) candidates.push(o);
    else unusableRows++;
  }
  // a burst of traffic brings another audience (a feed, a share): its CTR says little about the usual one
  const traffic = candidates.map((o) => o.row.impressions).sort((a, b) => a - b);
  const median = traffic[Math.floor((traffic.length - 1) / 2)] ?? 0;
  const used = candidates.filter((o) => o.row.impressions <= BURST_RATIO * median);
  return { used, rotated, launchRows, unusableRows, burstRows: candidates.length - used.length, rotationHours, heldBack: 0 };
}

/** The verdict on every row so far. */
export function decidePeriods(input: DecideInput, policy: Partial<TimeDecisionPolicy> = {}, options: { random?: () => number } = {}): Verdict {
  const full = timePolicyFor(input.variants.length, policy);
  checkTimePolicy(full);
  if (input.variants.length < 2) throw invalid('variants', `a test needs at least 2 variants to compare, got ${input.variants.length}`);
  if (new Set(input.variants).size !== input.variants.length) throw invalid('variants', `variant labels must be unique, got ${input.variants.join(', ')}`);
  return evaluate(input, prepareEven(input, full), full, options.random ?? seededRandom(0x5eed), true);
}

function isEven(prepared: Prepared, k: number): boolean {
  const counts = new Array<number>(k).fill(0);
  for (const r of prepared.rotated) counts[r.variant]! += 1;
  return Math.min(...counts) === Math.max(...counts) && Math.min(...counts) > 0 && timeBalanced(prepared.rotated, k, prepared.rotationHours);
}

/**
 * The rows up to the last point where the rotation was even (the verdict's only looks), the later
 * ones counted as held back; all rows when it never was.
 */
function prepareEven(input: DecideInput, policy: TimeDecisionPolicy): Prepared {
  const all = prepare(input, policy);
  if (isEven(all, input.variants.length)) return all;
  const startedAt = input.startedAt ?? (input.rows.length > 0 ? new Date(Math.min(...input.rows.map((r) => r.start.getTime()))) : undefined);
  const ends = [...new Set(input.rows.map((r) => r.end.getTime()))].sort((a, b) => b - a);
  for (const end of ends.slice(1)) {
    const rows = input.rows.filter((r) => r.end.getTime() <= end);
    const prefix = prepare({ variants: input.variants, rows, ...(startedAt ? { startedAt } : {}) }, policy);
    if (isEven(prefix, input.variants.length)) return { ...prefix, heldBack: all.rotated.length - prefix.rotated.length };
  }
  return all;
}

function evaluate(input: DecideInput, prepared: Prepared, policy: TimeDecisionPolicy, random: () => number, fitAlways: boolean): Verdict {
  const labels = input.variants;
  const k = labels.length;
  const { used } = prepared;
  const perVariant: VariantWindow[] = labels.map(() => ({ periods: 0, impressions: 0, clicks: 0 }));
  for (const o of used) {
    const w = perVariant[o.variant]!;
    w.periods++;
    w.impressions += o.row.impressions;
    w.clicks += o.row.clicks;
  }
  const window: Verdict['window'] = {
    from: used[0] ? used[0].row.start.toISOString() : null,
    to: used.length > 0 ? new Date(Math.max(...used.map((o) => o.row.end.getTime()))).toISOString() : null,
    variants: Object.fromEntries(labels.map((l, i) => [l, perVariant[i]!])),
    launchRows: prepared.launchRows,
    unusableRows: prepared.unusableRows,
    burstRows: prepared.burstRows,
  };
  const left = [
    prepared.launchRows > 0 ? `${prepared.launchRows} launch row${prepared.launchRows === 1 ? '' : 's'} left out` : '',
    prepared.burstRows > 0 ? `${prepared.burstRows} traffic burst${prepared.burstRows === 1 ? '' : 's'} (over ${BURST_RATIO}× the median impressions) left out` : '',
    prepared.unusableRows > 0 ? `${prepared.unusableRows} row${prepared.unusableRows === 1 ? '' : 's'} without ${policy.metric === 'ctr' ? 'impressions' : 'impressions or average view duration'} left out` : '',
  ].filter(Boolean).join(', ');
  const span = window.from && window.to ? `${used.length} period${used.length === 1 ? '' : 's'} from ${day(new Date(window.from))} to ${day(new Date(Date.parse(window.to) - 1))}${left ? ` (${left})` : ''}` : `no periods after the launch${left ? ` (${left})` : ''}`;

  const missing = labels.filter((_, i) => perVariant[i]!.periods === 0);
  const equalProbability = Object.fromEntries(labels.map((l) => [l, 1 / k]));
  const zeroLoss = Object.fromEntries(labels.map((l) => [l, 0]));
  if (missing.length > 0) {
    return {
      status: 'continue', metric: policy.metric, winner: null, leader: labels[0]!, runnerUp: labels[1]!, lift: null, interval: null,
      probabilityBest: equalProbability, expectedLoss: zeroLoss, window,
      reason: `waiting for data on ${missing.join(', ')} after the launch: ${span}`,
    };
  }

  const waits: string[] = [];
  const fewPeriods = labels.filter((_, i) => perVariant[i]!.periods < policy.minPeriodsPerVariant);
  if (fewPeriods.length > 0) waits.push(`waiting for ${policy.minPeriodsPerVariant} periods per variant (${fewPeriods.map((l) => `${l} has ${perVariant[labels.indexOf(l)]!.periods}`).join(', ')})`);
  const fewImpressions = labels.filter((_, i) => perVariant[i]!.impressions < policy.minImpressionsPerVariant);
  if (fewImpressions.length > 0) waits.push(`waiting for ${count(policy.minImpressionsPerVariant)} impressions per variant (${fewImpressions.map((l) => `${l} has ${count(perVariant[labels.indexOf(l)]!.impressions)}`).join(', ')})`);
  const counts = labels.map((_, i) => prepared.rotated.filter((r) => r.variant === i).length);
  if (Math.min(...counts) !== Math.max(...counts)) waits.push(`waiting for the rotation to even out (${labels.map((l, i) => `${l} ${counts[i]}`).join(', ')} periods)`);
  else if (!timeBalanced(prepared.rotated, k, prepared.rotationHours)) waits.push('waiting for the rotation to even out in time (a variant was shown mostly earlier than another)');
  if (prepared.heldBack > 0) waits.push(`${prepared.heldBack} later period${prepared.heldBack === 1 ? '' : 's'} wait${prepared.heldBack === 1 ? 's' : ''} for the rotation to even out`);
  const blocking = waits.length - (prepared.heldBack > 0 ? 1 : 0);
  if (blocking > 0 && !fitAlways) {
    return {
      status: 'continue', metric: policy.metric, winner: null, leader: labels[0]!, runnerUp: labels[1]!, lift: null, interval: null,
      probabilityBest: equalProbability, expectedLoss: zeroLoss, window, reason: `${waits.join('; ')}: ${span}`,
    };
  }

  const rotationHours = prepared.rotationHours;
  const slotCount = calendarCycle(rotationHours);
  const lengthMs = rotationHours * HOUR_MS;
  const t0 = used[0]!.row.start.getTime();
  const periods: ModelPeriod[] = used.map((o) => {
    const mid = (o.row.start.getTime() + o.row.end.getTime()) / 2;
    return {
      variant: o.variant, y: o.y, variance: o.variance,
      time: Math.round(((mid - t0) / lengthMs) * 100) / 100,
      slot: slotOf(mid, rotationHours, slotCount),
    };
  });
  const posterior = fitPeriodModel(periods, { variantCount: k, slotCount });
  if (!fitAlways) {
    // a look that cannot stop: a tenth of the draws tells (its P(best) has a standard error under
    // 1 % near the threshold, so 2 points below it never hide a stop)
    const screen = sampleEffects(posterior, Math.ceil(policy.draws / 10), random);
    const n = screen.length / k;
    const wins = new Float64Array(k);
    for (let d = 0; d < n; d++) {
      let best = 0;
      for (let i = 1; i < k; i++) if (screen[d * k + i]! > screen[d * k + best]!) best = i;
      wins[best]! += 1;
    }
    const top = wins.indexOf(Math.max(...wins));
    if (wins[top]! / n < policy.threshold - 0.02) {
      return {
        status: 'continue', metric: policy.metric, winner: null, leader: labels[top]!, runnerUp: labels[top === 0 ? 1 : 0]!, lift: null, interval: null,
        probabilityBest: equalProbability, expectedLoss: zeroLoss, window, reason: `below the ${pct(policy.threshold)} needed to stop: ${span}`,
      };
    }
  }
  const draws = policy.draws;
  const beta = sampleEffects(posterior, draws, random);
  const wins = new Float64Array(k);
  const loss = new Float64Array(k);
  const mean = new Float64Array(k);
  for (let d = 0; d < draws; d++) {
    let best = 0;
    for (let i = 0; i < k; i++) {
      mean[i]! += beta[d * k + i]! / draws;
      if (beta[d * k + i]! > beta[d * k + best]!) best = i;
    }
    wins[best]! += 1;
    const top = beta[d * k + best]!;
    for (let i = 0; i < k; i++) loss[i]! += Math.expm1(top - beta[d * k + i]!);
  }
  const leader = wins.indexOf(Math.max(...wins));
  let runnerUp = leader === 0 ? 1 : 0;
  for (let i = 0; i < k; i++) if (i !== leader && mean[i]! > mean[runnerUp]!) runnerUp = i;
  const lifts = new Float64Array(draws);
  for (let d = 0; d < draws; d++) lifts[d] = Math.expm1(beta[d * k + leader]! - beta[d * k + runnerUp]!);
  lifts.sort();
  const probabilityBest = Object.fromEntries(labels.map((l, i) => [l, wins[i]! / draws]));
  const expectedLoss = Object.fromEntries(labels.map((l, i) => [l, loss[i]! / draws]));
  const lift = quantile(lifts, 0.5);
  const interval: [number, number] = [quantile(lifts, 0.025), quantile(lifts, 0.975)];
  const p = probabilityBest[labels[leader]!]!;
  const l = expectedLoss[labels[leader]!]!;
  const what = policy.metric === 'ctr' ? 'CTR' : 'watch time per impression';
  const facts = `${labels[leader]} vs ${labels[runnerUp]}: ${what} ${signed(lift)} (95% interval ${signed(interval[0])} to ${signed(interval[1])}), ${pct(p)} chance of being best, expected loss ${pct(l, 2)}, over ${span}`;
  const base = {
    metric: policy.metric, leader: labels[leader]!, runnerUp: labels[runnerUp]!, lift, interval, probabilityBest, expectedLoss, window,
  };
  if (blocking > 0) return { ...base, status: 'continue', winner: null, reason: `${facts}; ${waits.join('; ')}` };
  const held = prepared.heldBack > 0 ? `; ${waits.at(-1)!}` : '';
  if (p < policy.threshold) return { ...base, status: 'continue', winner: null, reason: `${facts}; below the ${pct(policy.threshold)} needed to stop${held}` };
  if (l > policy.maxExpectedLoss) return { ...base, status: 'continue', winner: null, reason: `${facts}; the loss bound is ${pct(policy.maxExpectedLoss, 2)}${held}` };
  return { ...base, status: 'winner', winner: labels[leader]!, reason: `${facts}${held}` };
}

export interface SequentialVerdict extends Verdict {
  /** End of the period after which the test would have stopped; null when it never would. */
  stoppedAt: string | null;
}

/**
 * Evaluates after each period in time order, as the service does when the metrics arrive, and stops
 * at the first winner; without one, the verdict on all rows.
 */
export function decideSequentially(input: DecideInput, policy: Partial<TimeDecisionPolicy> = {}, options: { random?: () => number } = {}): SequentialVerdict {
  const full = timePolicyFor(input.variants.length, policy);
  checkTimePolicy(full);
  if (input.variants.length < 2) throw invalid('variants', `a test needs at least 2 variants to compare, got ${input.variants.length}`);
  const random = options.random ?? seededRandom(0x5eed);
  const ends = [...new Set(input.rows.map((r) => r.end.getTime()))].sort((a, b) => a - b);
  const startedAt = input.startedAt ?? (input.rows.length > 0 ? new Date(Math.min(...input.rows.map((r) => r.start.getTime()))) : undefined);
  for (const end of ends.slice(0, -1)) {
    const sofar: DecideInput = { variants: input.variants, rows: input.rows.filter((r) => r.end.getTime() <= end), ...(startedAt ? { startedAt } : {}) };
    const v = evaluate(sofar, prepare(sofar, full), full, random, false);
    if (v.status === 'winner') return { ...v, stoppedAt: new Date(end).toISOString() };
  }
  const all: DecideInput = { ...input, ...(startedAt ? { startedAt } : {}) };
  const last = evaluate(all, prepareEven(all, full), full, random, true);
  return { ...last, stoppedAt: last.status === 'winner' ? last.window.to : null };
}
