/** Lanczos approximation of ln Γ(x) for x > 0 (g = 7, n = 9): enough for a chart's curves. */
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0] as number;
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] as number) / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** The Beta(α, β) density at p (0 outside (0, 1)), computed in logs so that large counts do not overflow. */
export function betaDensity(p: number, alpha: number, beta: number): number {
  if (p <= 0 || p >= 1) return 0;
  const logB = logGamma(alpha) + logGamma(beta) - logGamma(alpha + beta);
  return Math.exp((alpha - 1) * Math.log(p) + (beta - 1) * Math.log(1 - p) - logB);
}

export interface Curve {
  label: string;
  /** [x, density] pairs over the shared range. */
  points: [number, number][];
}

/**
 * The range of CTR worth drawing for these posteriors (a little past the outer credible bounds) and each
 * posterior's density over it, `steps` + 1 points each.
 */
export function posteriorCurves(
  posteriors: { label: string; alpha: number; beta: number; lower: number; upper: number }[],
  steps = 120,
): { from: number; to: number; peak: number; curves: Curve[] } {
  const lower = Math.min(...posteriors.map((p) => p.lower));
  const upper = Math.max(...posteriors.map((p) => p.upper));
  const pad = Math.max((upper - lower) * 0.25, 0.002);
  const from = Math.max(0, lower - pad);
  const to = Math.min(1, upper + pad);
  let peak = 0;
  const curves = posteriors.map((p) => {
    const points: [number, number][] = [];
    for (let i = 0; i <= steps; i++) {
      const x = from + ((to - from) * i) / steps;
      const y = betaDensity(x, p.alpha, p.beta);
      peak = Math.max(peak, y);
      points.push([x, y]);
    }
    return { label: p.label, points };
  });
  return { from, to, peak, curves };
}
