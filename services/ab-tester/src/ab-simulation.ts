/**
 * Simulated experiments with known true click-through rates: each day every variant gets an even
 * share of the impressions, clicks are binomial, and decide() runs on the running totals.
 */
import { FacelessError } from '@faceless/runtime';
import { decide, sampleNormal, type Decision, type DecisionPolicy, type VariantCounts } from './bayes-decision.ts';

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

export interface SimulationOptions {
  trueCtrs: readonly number[];
  impressionsPerDay: number;
  maxDays: number;
  policy?: Partial<DecisionPolicy>;
  random: () => number;
}

export interface SimulationResult {
  /** Index into trueCtrs of the declared winner; undefined when maxDays passed without one. */
  winner: number | undefined;
  days: number;
  /** Impressions over all variants until the decision (or maxDays). */
  impressions: number;
  decision: Decision | undefined;
}

export const variantLabel = (i: number): string => String.fromCharCode(65 + i);

export function simulateExperiment(options: SimulationOptions): SimulationResult {
  const { trueCtrs, impressionsPerDay, maxDays, policy = {}, random } = options;
  if (trueCtrs.length < 2) throw new FacelessError('INVALID_INPUT', `trueCtrs needs at least 2 rates, got ${trueCtrs.length}`, { field: 'trueCtrs' });
  trueCtrs.forEach((p, i) => {
    if (!(p >= 0 && p <= 1)) throw new FacelessError('INVALID_INPUT', `trueCtrs[${i}] must be in [0, 1], got ${p}`, { field: `trueCtrs[${i}]` });
  });
  const perVariant = Math.floor(impressionsPerDay / trueCtrs.length);
  if (!Number.isInteger(impressionsPerDay) || perVariant < 1) {
    throw new FacelessError('INVALID_INPUT', `impressionsPerDay must give each of the ${trueCtrs.length} variants at least 1 impression, got ${impressionsPerDay}`, { field: 'impressionsPerDay' });
  }
  const minImpressions = policy.minImpressionsPerVariant ?? 1000;
  const counts: VariantCounts[] = trueCtrs.map((_, i) => ({ id: variantLabel(i), impressions: 0, clicks: 0 }));
  let decision: Decision | undefined;
  for (let day = 1; day <= maxDays; day++) {
    counts.forEach((c, i) => {
      c.impressions += perVariant;
      c.clicks += sampleBinomial(perVariant, trueCtrs[i]!, random);
    });
    // decide() would answer `continue` anyway before the minimum; skip its sampling
    if (counts.some((c) => c.impressions < minImpressions)) continue;
    decision = decide(counts, policy, { random });
    if (decision.status === 'winner') {
      return { winner: counts.findIndex((c) => c.id === decision!.leader), days: day, impressions: day * perVariant * counts.length, decision };
    }
  }
  return { winner: undefined, days: maxDays, impressions: maxDays * perVariant * counts.length, decision };
}

export interface SimulationBatch {
  runs: number;
  decided: number;
  /** Decided runs that picked the variant with the highest true CTR. */
  correct: number;
  /** Impressions to decide, over decided runs, ascending. */
  impressions: number[];
}

/** `runs` experiments in a row from one random stream. */
export function simulateMany(options: SimulationOptions & { runs: number }): SimulationBatch {
  const best = options.trueCtrs.indexOf(Math.max(...options.trueCtrs));
  const batch: SimulationBatch = { runs: options.runs, decided: 0, correct: 0, impressions: [] };
  for (let r = 0; r < options.runs; r++) {
    const result = simulateExperiment(options);
    if (result.winner === undefined) continue;
    batch.decided++;
    if (result.winner === best) batch.correct++;
    batch.impressions.push(result.impressions);
  }
  batch.impressions.sort((a, b) => a - b);
  return batch;
}

/** Nearest-rank percentile of an ascending list; undefined when empty. */
export function percentile(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
