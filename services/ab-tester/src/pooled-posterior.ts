/**
 * Each variant's pooled click-through rate as a Beta-Binomial posterior, for display (`abtest show`'s
 * chart), and the samplers the models share. Pooled counts ignore when each impression happened, so
 * the verdict does not rest on them: it is period-decision.ts. Every random number comes from an
 * injected `random` so that the same data and seed give the same result.
 */
import { FacelessError, seededRandom } from '@faceless/runtime';

export interface VariantCounts {
  id: string;
  impressions: number;
  clicks: number;
}

export interface BetaPrior {
  alpha: number;
  beta: number;
}

export const DEFAULT_PRIOR = { alpha: 1, beta: 1 } as const satisfies BetaPrior;
const DEFAULT_DRAWS = 20000;

export interface SamplingOptions {
  draws?: number;
  /** Uniform in [0, 1); defaults to a fixed-seed generator so results are reproducible. */
  random?: () => number;
  prior?: BetaPrior;
}

const DEFAULT_SEED = 0x5eed;

// ---------- sampling ----------

/** Standard normal by Box–Muller (the cosine half). */
export function sampleNormal(random: () => number): number {
  const u1 = 1 - random(); // (0, 1]: log(0) would be -Infinity
  const u2 = random();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Gamma(shape, 1) by Marsaglia–Tsang; shape < 1 through Gamma(shape + 1) · U^(1/shape). */
export function sampleGamma(shape: number, random: () => number): number {
  if (shape < 1) {
    const u = 1 - random();
    return sampleGamma(shape + 1, random) * Math.pow(u, 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = sampleNormal(random);
    const t = 1 + c * x;
    if (t <= 0) continue;
    const v = t * t * t;
    const u = 1 - random();
    const x2 = x * x;
    if (u < 1 - 0.0331 * x2 * x2) return d * v;
    if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b). */
export function sampleBeta(a: number, b: number, random: () => number): number {
  const x = sampleGamma(a, random);
  const y = sampleGamma(b, random);
  return x / (x + y);
}

// ---------- validation ----------

function invalid(field: string, message: string): FacelessError {
  return new FacelessError('INVALID_INPUT', message, { field });
}

function checkCount(value: unknown, field: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw invalid(field, `${field} must be a whole number ≥ 0, got ${String(value)}`);
  }
}

function checkPrior(prior: BetaPrior): void {
  for (const key of ['alpha', 'beta'] as const) {
    if (!(Number.isFinite(prior[key]) && prior[key] > 0)) {
      throw invalid(`prior.${key}`, `prior.${key} must be a number > 0 (1 is the usual weak prior), got ${String(prior[key])}`);
    }
  }
}

function checkVariant(v: VariantCounts, field: string): void {
  if (typeof v.id !== 'string' || v.id === '') throw invalid(`${field}.id`, `${field}.id must be a non-empty string`);
  checkCount(v.impressions, `${field}.impressions`);
  checkCount(v.clicks, `${field}.clicks`);
  if (v.clicks > v.impressions) {
    throw invalid(`${field}.clicks`, `${field}.clicks (${v.clicks}) is more than its impressions (${v.impressions}) for variant ${v.id}: clicks count a subset of impressions`);
  }
}

/** Throws INVALID_INPUT naming the field when the variants cannot be compared. */
export function validateVariants(variants: readonly VariantCounts[]): void {
  if (!Array.isArray(variants) || variants.length < 2) {
    throw invalid('variants', `an experiment needs at least 2 variants to compare, got ${Array.isArray(variants) ? variants.length : 'none'}`);
  }
  const seen = new Set<string>();
  variants.forEach((v, i) => {
    checkVariant(v, `variants[${i}]`);
    if (seen.has(v.id)) throw invalid(`variants[${i}].id`, `variant id ${v.id} appears twice: ids must be unique`);
    seen.add(v.id);
  });
}

function checkDraws(draws: number): void {
  if (!Number.isInteger(draws) || draws < 1) throw invalid('draws', `draws must be a whole number ≥ 1, e.g. 20000; got ${draws}`);
}

// ---------- posterior comparison ----------

export function posteriorOf(v: VariantCounts, prior: BetaPrior = DEFAULT_PRIOR): BetaPrior {
  return { alpha: prior.alpha + v.clicks, beta: prior.beta + v.impressions - v.clicks };
}

const pct = (x: number, digits = 1): string => `${(x * 100).toFixed(digits)}%`;
const count = (x: number): string => x.toLocaleString('en-US');

// ---------- summaries ----------

export interface PosteriorSummary {
  id: string;
  impressions: number;
  clicks: number;
  alpha: number;
  beta: number;
  /** Exact posterior mean α / (α + β). */
  mean: number;
  /** 95% equal-tailed credible interval: the 2.5% and 97.5% quantiles of Monte Carlo draws. */
  lower: number;
  upper: number;
}

function quantile(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * Mean and 95% credible interval of one variant's CTR. The interval comes from quantiles of draws
 * (default 20000, fixed seed) rather than a normal approximation, which is poor with few clicks.
 */
export function posteriorSummary(variant: VariantCounts, options: SamplingOptions = {}): PosteriorSummary {
  checkVariant(variant, 'variant');
  const prior = options.prior ?? DEFAULT_PRIOR;
  checkPrior(prior);
  const draws = options.draws ?? DEFAULT_DRAWS;
  checkDraws(draws);
  const random = options.random ?? seededRandom(DEFAULT_SEED);
  const { alpha, beta } = posteriorOf(variant, prior);
  const samples = new Float64Array(draws);
  for (let i = 0; i < draws; i++) samples[i] = sampleBeta(alpha, beta, random);
  samples.sort();
  return {
    id: variant.id, impressions: variant.impressions, clicks: variant.clicks, alpha, beta,
    mean: alpha / (alpha + beta), lower: quantile(samples, 0.025), upper: quantile(samples, 0.975),
  };
}

/**
 * One line per variant on a shared CTR axis: `[====*====]` spans the 95% credible interval, `*`
 * marks the mean; an axis line with the range closes the chart. Plain ASCII for any terminal.
 */
export function asciiPosteriorChart(variants: readonly VariantCounts[], width = 50, options: SamplingOptions = {}): string {
  validateVariants(variants);
  if (!Number.isInteger(width) || width < 10) throw invalid('width', `width must be a whole number ≥ 10 characters, got ${width}`);
  const summaries = variants.map((v) => posteriorSummary(v, options));
  let min = Math.min(...summaries.map((s) => s.lower));
  let max = Math.max(...summaries.map((s) => s.upper));
  const pad = (max - min) * 0.05 || 0.001;
  min = Math.max(0, min - pad);
  max = Math.min(1, max + pad);
  const column = (x: number) => Math.min(width - 1, Math.max(0, Math.round(((x - min) / (max - min)) * (width - 1))));
  const labelWidth = Math.max(...variants.map((v) => v.id.length));
  const lines = summaries.map((s) => {
    const row = Array.from({ length: width }, () => ' ');
    const lo = column(s.lower);
    const hi = column(s.upper);
    for (let i = lo; i <= hi; i++) row[i] = '=';
    row[lo] = '[';
    row[hi] = ']';
    row[column(s.mean)] = '*';
    return `${s.id.padEnd(labelWidth)} |${row.join('')}| ${pct(s.mean, 2)} (${pct(s.lower, 2)}–${pct(s.upper, 2)}), ${count(s.clicks)}/${count(s.impressions)}`;
  });
  const left = pct(min, 2);
  const right = pct(max, 2);
  const axis = `${' '.repeat(labelWidth)}  ${left}${' '.repeat(Math.max(1, width - left.length - right.length))}${right}`;
  return [...lines, axis].join('\n');
}
