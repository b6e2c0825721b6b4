/**
 * The model behind the A/B verdict: each variant's effect relative to the periods it was shown in.
 *
 * For every period p (a row of metrics: one variant live over one rotation period),
 *
 *   y_p = s_t(p) + c_slot(p) + β_variant(p) + ε_p,        ε_p ~ N(0, v_p + τ²)
 *
 * - y_p is the log of the period's rate (clicks per impression, or watch seconds per impression) and
 *   v_p its sampling variance (1/clicks − 1/impressions for a binomial CTR, delta method);
 * - s is the video's baseline at the period's time: a second-order random walk over time (a discrete
 *   smoothing spline, sd σ_s per period²), which follows the launch decay and the slow ageing of a
 *   video but cannot follow a variant's period-to-period zigzag;
 * - c is the effect of the period's place in the calendar (the weekday for daily periods);
 * - β are the variant effects, β_0 = 0: β_i − β_j is the log of i's rate relative to j's;
 * - τ is the day-to-day noise beyond sampling (feeds, spikes, whatever else a day brings). It caps
 *   the weight of a day with huge traffic, so one 5× day cannot carry the verdict.
 *
 * With Gaussian priors the posterior is exact for given (τ, σ_s); both are unknown and are integrated
 * over a small grid, weighted by prior × marginal likelihood. The posterior of β is thus a mixture of
 * Gaussians, sampled by `sampleEffects`.
 */
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { sampleNormal } from './pooled-posterior.ts';

export interface ModelPeriod {
  /** Index of the variant live over the period (0 is the reference). */
  variant: number;
  /** When, in periods since the first (midpoint to midpoint; 23 h and 25 h days give fractions). */
  time: number;
  /** Place in the calendar cycle, 0 … slotCount − 1. */
  slot: number;
  /** Log rate of the period. */
  y: number;
  /** Its sampling variance. */
  variance: number;
}

export interface ModelOptions {
  variantCount: number;
  slotCount: number;
  /** σ_s grid: sd of the baseline's second difference per period². */
  trendSds?: readonly number[];
  /** τ grid: sd of the extra period-to-period noise on the log scale. */
  noiseSds?: readonly number[];
}

export interface EffectComponent {
  weight: number;
  /** Posterior mean of β_1 … β_{K−1}. */
  mean: number[];
  /** Lower Cholesky factor of their posterior covariance. */
  chol: number[][];
  trendSd: number;
  noiseSd: number;
}

export interface EffectPosterior {
  variantCount: number;
  components: EffectComponent[];
}

// A 0.5 %/period² bend is a slow ageing curve; 3 % follows what is left of a launch decay after the
// launch days. A finer grid moved the simulated figures by less than their noise and cost its size in time.
export const TREND_SDS = [0.005, 0.03] as const;
// From none to 25 % day-to-day noise; the prior (half-Cauchy, scale 5 %) favours a few percent.
export const NOISE_SDS = [0, 0.015, 0.03, 0.05, 0.08, 0.13, 0.25] as const;
const NOISE_PRIOR_SCALE = 0.05;
/** Prior sd of a variant effect (log scale): ±100 % lifts are within one sd, so the data decide. */
const EFFECT_PRIOR_SD = 1;
/** Prior sd of a calendar slot effect: weekdays move CTR by a few percent; ±10 % is within one sd. */
const SLOT_PRIOR_SD = 0.1;
/** The baseline's level and slope are left free in practice (sd 100 on the centred log scale). */
const LEVEL_PRECISION = 1e-4;
/** Robustly standardised residual beyond which a period counts as an outlier. */
const OUTLIER_Z = 3;

interface Fit {
  logWeight: number;
  /** Posterior mean of every parameter. */
  all: number[];
  mean: number[];
  chol: CholeskyDecomposition;
  trendSd: number;
  noiseSd: number;
}

function halfCauchyWeights(grid: readonly number[], scale: number): number[] {
  // density at each point times the width it stands for
  return grid.map((x, i) => {
    const lo = i === 0 ? x : (x + grid[i - 1]!) / 2;
    const hi = i === grid.length - 1 ? x + (x - grid[i - 1]!) / 2 : (x + grid[i + 1]!) / 2;
    return (hi - lo) / (1 + (x / scale) ** 2);
  });
}

function logDetOf(chol: CholeskyDecomposition, size: number): number {
  const l = chol.lowerTriangularMatrix;
  let sum = 0;
  for (let i = 0; i < size; i++) sum += Math.log(l.get(i, i));
  return 2 * sum;
}

/**
 * The posterior of the variant effects. Needs at least one period of every variant; the baseline and
 * calendar terms take what the design leaves them.
 */
export function fitPeriodModel(periods: readonly ModelPeriod[], options: ModelOptions): EffectPosterior {
  const { variantCount: k, slotCount } = options;
  const trendSds = options.trendSds ?? TREND_SDS;
  const noiseSds = options.noiseSds ?? NOISE_SDS;
  const times = [...new Set(periods.map((p) => p.time))].sort((a, b) => a - b);
  const timeIndex = new Map(times.map((t, i) => [t, i]));
  const nT = times.length;
  const slotBase = nT;
  const effectBase = nT + slotCount - 1;
  const d = effectBase + k - 1;

  // centre y so the free level starts near 0
  let wSum = 0;
  let ySum = 0;
  for (const p of periods) {
    wSum += 1 / p.variance;
    ySum += p.y / p.variance;
  }
  const centre = ySum / wSum;

  const columns = periods.map((p) => {
    const cols = [timeIndex.get(p.time)!];
    if (p.slot > 0) cols.push(slotBase + p.slot - 1);
    if (p.variant > 0) cols.push(effectBase + p.variant - 1);
    return cols;
  });

  // second divided differences of the baseline, each with variance σ_s² · (h1 + h2) / 2
  const bends: { idx: number[]; coef: number[]; scale: number }[] = [];
  for (let j = 0; j + 2 < nT; j++) {
    const h1 = times[j + 1]! - times[j]!;
    const h2 = times[j + 2]! - times[j + 1]!;
    bends.push({ idx: [j, j + 1, j + 2], coef: [1 / h1, -(1 / h1 + 1 / h2), 1 / h2], scale: (h1 + h2) / 2 });
  }

  function priorPrecision(trendSd: number): Matrix {
    const q = Matrix.zeros(d, d);
    for (let j = 0; j < nT; j++) q.set(j, j, LEVEL_PRECISION);
    for (const b of bends) {
      const w = 1 / (trendSd * trendSd * b.scale);
      for (let a = 0; a < 3; a++) {
        for (let c = 0; c < 3; c++) {
          const ia = b.idx[a]!;
          const ic = b.idx[c]!;
          q.set(ia, ic, q.get(ia, ic) + w * b.coef[a]! * b.coef[c]!);
        }
      }
    }
    for (let i = slotBase; i < effectBase; i++) q.set(i, i, 1 / SLOT_PRIOR_SD ** 2);
    for (let i = effectBase; i < d; i++) q.set(i, i, 1 / EFFECT_PRIOR_SD ** 2);
    return q;
  }

  const noisePrior = halfCauchyWeights(noiseSds, NOISE_PRIOR_SCALE);
  const priors = trendSds.map((trendSd) => {
    const q = priorPrecision(trendSd);
    return { trendSd, q, logDetQ: logDetOf(new CholeskyDecomposition(q), d) };
  });
  const unit = Matrix.zeros(d, k - 1);
  for (let i = 0; i < k - 1; i++) unit.set(effectBase + i, i, 1);

  /** One fit per grid point; `extra` is added variance per period (the outliers' latent scale). */
  const gridFit = (extra: Float64Array): Fit[] => {
    const fits: Fit[] = [];
    for (const { trendSd, q, logDetQ } of priors) {
      noiseSds.forEach((noiseSd, g) => {
        const p = q.clone();
        const b = Matrix.zeros(d, 1);
        let logDetD = 0;
        let yDy = 0;
        periods.forEach((period, i) => {
          const variance = period.variance + noiseSd * noiseSd + extra[i]!;
          const w = 1 / variance;
          const y = period.y - centre;
          logDetD += Math.log(variance);
          yDy += y * y * w;
          const cols = columns[i]!;
          for (const r of cols) {
            b.set(r, 0, b.get(r, 0) + w * y);
            for (const c of cols) p.set(r, c, p.get(r, c) + w);
          }
        });
        const chol = new CholeskyDecomposition(p);
        if (!chol.isPositiveDefinite()) return;
        const m = chol.solve(b);
        let mb = 0;
        for (let i = 0; i < d; i++) mb += m.get(i, 0) * b.get(i, 0);
        const logMarginal = -0.5 * (logDetD + logDetOf(chol, d) - logDetQ + yDy - mb);
        fits.push({
          logWeight: logMarginal + Math.log(noisePrior[g]! || Number.MIN_VALUE),
          all: m.getColumn(0),
          mean: Array.from({ length: k - 1 }, (_, i) => m.get(effectBase + i, 0)),
          chol, trendSd, noiseSd,
        });
      });
    }
    return fits;
  };

  // A day unlike the others (a feed's audience on a 5× day) would otherwise widen τ for every day,
  // and with its weight pull its variant. As a heavy-tailed noise would, such a day gets the extra
  // variance that leaves it a 3-sd residual, and the grid is fitted again (up to three times: the first
  // pass sees a τ the outlier itself inflated). Residuals are scaled by their median absolute size, so
  // the outlier cannot hide in the spread it caused.
  const extra = new Float64Array(periods.length);
  let fits = gridFit(extra);
  for (let pass = 0; pass < 3; pass++) {
    const best = fits.reduce((a, f) => (f.logWeight > a.logWeight ? f : a));
    const residuals = periods.map((period, i) => period.y - centre - columns[i]!.reduce((sum, c) => sum + best.all[c]!, 0));
    const totals = periods.map((period, i) => period.variance + best.noiseSd ** 2 + extra[i]!);
    const z = residuals.map((r, i) => Math.abs(r) / Math.sqrt(totals[i]!));
    const sorted = [...z].sort((x, y) => x - y);
    const scale = Math.max(0.5, 1.4826 * sorted[Math.floor((sorted.length - 1) / 2)]!);
    let flagged = 0;
    z.forEach((zi, i) => {
      if (zi / scale > OUTLIER_Z) {
        extra[i] = Math.max(extra[i]!, residuals[i]! ** 2 / OUTLIER_Z ** 2 - periods[i]!.variance - best.noiseSd ** 2);
        flagged++;
      }
    });
    if (flagged === 0) break;
    fits = gridFit(extra);
  }

  const top = Math.max(...fits.map((f) => f.logWeight));
  const raw = fits.map((f) => Math.exp(f.logWeight - top));
  const total = raw.reduce((a, b) => a + b, 0);
  const components = fits
    .map((f, i) => ({ f, weight: raw[i]! / total }))
    .filter((c) => c.weight > 1e-6)
    .map(({ f, weight }) => {
      // the effects' block of the posterior covariance, only for the grid points that carry weight
      const solved = f.chol.solve(unit);
      const cov = Matrix.zeros(k - 1, k - 1);
      for (let r = 0; r < k - 1; r++) for (let c = 0; c < k - 1; c++) cov.set(r, c, solved.get(effectBase + r, c));
      const symmetric = cov.add(cov.transpose()).mul(0.5);
      return {
        weight, mean: f.mean, trendSd: f.trendSd, noiseSd: f.noiseSd,
        chol: new CholeskyDecomposition(symmetric).lowerTriangularMatrix.to2DArray(),
      };
    });
  const kept = components.reduce((a, c) => a + c.weight, 0);
  for (const c of components) c.weight /= kept;
  return { variantCount: k, components };
}

/**
 * `draws` joint draws of (β_0 = 0, β_1, …, β_{K−1}) from the mixture, as rows of a flat array
 * (draw-major). Components are picked by stratified counts, so the mixture weights are met exactly.
 */
export function sampleEffects(posterior: EffectPosterior, draws: number, random: () => number): Float64Array {
  const k = posterior.variantCount;
  const out = new Float64Array(draws * k);
  const z = new Float64Array(k - 1);
  let row = 0;
  let carried = 0;
  for (const c of posterior.components) {
    carried += c.weight * draws;
    const until = Math.min(draws, Math.round(carried));
    for (; row < until; row++) {
      for (let i = 0; i < k - 1; i++) z[i] = sampleNormal(random);
      for (let i = 0; i < k - 1; i++) {
        let x = c.mean[i]!;
        const l = c.chol[i]!;
        for (let j = 0; j <= i; j++) x += l[j]! * z[j]!;
        out[row * k + i + 1] = x;
      }
    }
  }
  return out;
}
