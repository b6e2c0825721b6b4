/**
 * How many impressions the A/B decision (ab-tester's Beta-Binomial policy, default thresholds) needs
 * for a few effect sizes, and how often it picks the variant with the truly best CTR.
 * Run: node --import tsx bench/abtest-impressions.ts [runs=500]
 */
import { seededRandom } from '@faceless/runtime';
import { percentile, simulateMany } from '../services/ab-tester/src/ab-simulation.ts';
import { DEFAULT_POLICY } from '../services/ab-tester/src/bayes-decision.ts';

const runs = Number(process.argv[2] ?? 500);
const impressionsPerDay = 3000;
const maxDays = 120;
const draws = 4000;
const CASES: number[][] = [[0.04, 0.044], [0.04, 0.05], [0.04, 0.06], [0.04, 0.045, 0.05]];

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const count = (x: number | undefined) => (x === undefined ? '–' : x.toLocaleString('en-US'));

console.log(`policy: P(best) ≥ ${DEFAULT_POLICY.threshold}, expected loss ≤ ${DEFAULT_POLICY.maxExpectedLoss}, ≥ ${DEFAULT_POLICY.minImpressionsPerVariant} impressions/variant, ${draws} draws`);
console.log(`${runs} runs per case, ${impressionsPerDay.toLocaleString('en-US')} impressions/day split evenly, at most ${maxDays} days, checked daily\n`);
console.log('| true CTRs | decided | picked true best | median impressions | p90 impressions | wall |');
console.log('|---|---|---|---|---|---|');
for (const [i, trueCtrs] of CASES.entries()) {
  const started = performance.now();
  const b = simulateMany({ trueCtrs, impressionsPerDay, maxDays, policy: { draws }, random: seededRandom(1000 + i), runs });
  const wall = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`| ${trueCtrs.map(pct).join(' vs ')} | ${b.decided}/${b.runs} | ${b.decided ? pct(b.correct / b.decided) : '–'} | ${count(percentile(b.impressions, 0.5))} | ${count(percentile(b.impressions, 0.9))} | ${wall} s |`);
}
