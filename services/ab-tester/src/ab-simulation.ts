/**
 * Simulated rotation tests on the videos people publish: a launch that lifts impressions and CTR and
 * fades, weekday seasonality, a day at 5× traffic when a feed picks the video up, day-to-day noise.
 * The variants rotate by the project's own plan (variantPositionForPeriod), the data arrives as one
 * row per day as the Reporting API gives it, and the project's own decision (decideSequentially)
 * runs after each day. Every random number comes from the injected `random`.
 */
import { FacelessError } from '@faceless/runtime';
import { sampleNormal } from './pooled-posterior.ts';
import { decideSequentially, timePolicyFor, type PeriodRow, type SequentialVerdict, type TimeDecisionPolicy } from './period-decision.ts';
import { pacificDayPeriod, variantPositionForPeriod, type RotationDesign } from './rotation-plan.ts';

/** Binomial(n, p): a rounded normal approximation when n·p and n·(1−p) are both ≥ 30, else n Bernoulli trials. */
export function sampleBinomial(n: number, p: number, random: () => number): number {
  if (n * p >= 30 && n * (1 - p) >= 30) {
    const x = Math.round(n * p + Math.sqrt(n * p * (1 - p)) * sampleNormal(random));
    return Math.min(n, Math.max(0, x));
  }
  let k = 0;
  for (let i = 0; i < n; i++) if (random() < p) k++;
  return k;
}

export interface Scenario {
  /** True CTR of each variant relative to the first: [1, 1.1] is B +10 %. */
  lifts: readonly number[];
  /** CTR of the first variant once the launch has faded, on an average weekday. */
  baseCtr: number;
  /** Impressions a day once the launch has faded, on an average weekday. */
  impressionsPerDay: number;
  /** Extra impressions at launch as a multiple of the base, fading as e^(−day/4): 4 gives 5× on day 0. */
  launchTraffic: number;
  /** Extra CTR at launch, fading as e^(−day/launchCtrDays): 1 doubles it on day 0, 0.3 is +30 %. */
  launchCtr: number;
  launchCtrDays: number;
  /** Weekend up, midweek down: impressions ±10–20 %, CTR ±5 %. */
  weekdays: boolean;
  /** One day (after the launch phase) at 5× impressions with the CTR of a feed audience (× 0.8). */
  spike: boolean;
  /** sd of each day's CTR noise on the log scale. */
  dailyNoise: number;
  days: number;
}

export const DEFAULT_SCENARIO = {
  lifts: [1, 1],
  baseCtr: 0.05,
  impressionsPerDay: 8000,
  launchTraffic: 4,
  launchCtr: 1,
  launchCtrDays: 2,
  weekdays: true,
  spike: true,
  dailyNoise: 0.03,
  days: 28,
} as const satisfies Scenario;

// Monday first
const WEEKDAY_TRAFFIC = [1.0, 0.92, 0.9, 0.95, 1.05, 1.2, 1.15];
const WEEKDAY_CTR = [1.0, 0.97, 0.96, 0.98, 1.02, 1.05, 1.04];
const SPIKE_TRAFFIC = 5;
const SPIKE_CTR = 0.8;
/** 2026-01-05, a Monday, as a Pacific day number. */
const FIRST_MONDAY = 20458;

export const variantLabel = (i: number): string => String.fromCharCode(65 + i);

export interface SimulatedData {
  rows: PeriodRow[];
  startedAt: Date;
  /** Impressions of all variants on each day. */
  dailyImpressions: number[];
}

/** One video's daily rows under a rotation plan. */
export function simulateRows(scenario: Scenario, plan: { design: RotationDesign; launchPeriods: number }, random: () => number): SimulatedData {
  const s = scenario;
  if (s.lifts.length < 2) throw new FacelessError('INVALID_INPUT', `lifts needs at least 2 variants, got ${s.lifts.length}`, { field: 'lifts' });
  if (!(s.baseCtr > 0 && s.baseCtr * Math.max(...s.lifts) * (1 + s.launchCtr) < 1)) {
    throw new FacelessError('INVALID_INPUT', `baseCtr ${s.baseCtr} with these lifts and launch gives a CTR outside (0, 1)`, { field: 'baseCtr' });
  }
  const firstDay = FIRST_MONDAY + Math.floor(random() * 7);
  const spikeDay = s.spike ? 5 + Math.floor(random() * (s.days - 5)) : -1;
  const rows: PeriodRow[] = [];
  const dailyImpressions: number[] = [];
  for (let d = 0; d < s.days; d++) {
    const weekday = (firstDay + d + 3) % 7; // day 0 of 1970 was a Thursday
    const spike = d === spikeDay;
    const traffic = s.impressionsPerDay * (1 + s.launchTraffic * Math.exp(-d / 4)) * (s.weekdays ? WEEKDAY_TRAFFIC[weekday]! : 1) * (spike ? SPIKE_TRAFFIC : 1);
    const impressions = Math.max(0, Math.round(traffic * Math.exp(0.05 * sampleNormal(random))));
    const v = variantPositionForPeriod(d, s.lifts.length, 24, plan);
    const ctr = Math.min(1, s.baseCtr * s.lifts[v]! * (1 + s.launchCtr * Math.exp(-d / s.launchCtrDays)) * (s.weekdays ? WEEKDAY_CTR[weekday]! : 1)
      * (spike ? SPIKE_CTR : 1) * Math.exp(s.dailyNoise * sampleNormal(random)));
    const { start, end } = pacificDayPeriod(firstDay + d);
    rows.push({ variant: variantLabel(v), start, end, impressions, clicks: sampleBinomial(impressions, ctr, random), avgViewDurationSec: null });
    dailyImpressions.push(impressions);
  }
  return { rows, startedAt: pacificDayPeriod(firstDay).start, dailyImpressions };
}

export interface SimulationResult {
  /** Index of the declared winner; undefined when the days ran out without one. */
  winner: number | undefined;
  /** Days from the start until the verdict (or the scenario's days). */
  days: number;
  /** Impressions of all variants until the verdict, launch included. */
  impressions: number;
  verdict: SequentialVerdict;
}

export function simulateTest(options: { scenario: Scenario; policy?: Partial<TimeDecisionPolicy>; design?: RotationDesign; random: () => number }): SimulationResult {
  const policy = timePolicyFor(options.scenario.lifts.length, options.policy);
  const launchPeriods = Math.ceil(policy.launchDays);
  const design = options.design ?? 'counterbalanced';
  const data = simulateRows(options.scenario, { design, launchPeriods }, options.random);
  const labels = options.scenario.lifts.map((_, i) => variantLabel(i));
  const verdict = decideSequentially({ variants: labels, rows: data.rows, startedAt: data.startedAt }, policy, { random: options.random });
  const stopped = verdict.stoppedAt ? data.rows.findIndex((r) => r.end.toISOString() === verdict.stoppedAt) + 1 : data.rows.length;
  return {
    winner: verdict.winner === null ? undefined : labels.indexOf(verdict.winner),
    days: stopped,
    impressions: data.dailyImpressions.slice(0, stopped).reduce((a, b) => a + b, 0),
    verdict,
  };
}

export interface SimulationBatch {
  runs: number;
  /** Runs with a winner. */
  decided: number;
  /** Runs whose winner has the highest true CTR (0 when all are equal: any winner is wrong). */
  correct: number;
  /** Days and impressions to the verdict over decided runs, ascending. */
  days: number[];
  impressions: number[];
}

/** `runs` tests in a row from one random stream. */
export function simulateMany(options: { scenario: Scenario; policy?: Partial<TimeDecisionPolicy>; design?: RotationDesign; random: () => number; runs: number }): SimulationBatch {
  const lifts = options.scenario.lifts;
  const top = Math.max(...lifts);
  const best = lifts.filter((l) => l === top).length === 1 ? lifts.indexOf(top) : -1;
  const batch: SimulationBatch = { runs: options.runs, decided: 0, correct: 0, days: [], impressions: [] };
  for (let r = 0; r < options.runs; r++) {
    const result = simulateTest(options);
    if (result.winner === undefined) continue;
    batch.decided++;
    if (result.winner === best) batch.correct++;
    batch.days.push(result.days);
    batch.impressions.push(result.impressions);
  }
  batch.days.sort((a, b) => a - b);
  batch.impressions.sort((a, b) => a - b);
  return batch;
}

/** Nearest-rank percentile of an ascending list; undefined when empty. */
export function percentile(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
