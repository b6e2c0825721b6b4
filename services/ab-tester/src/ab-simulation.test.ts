import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '@faceless/runtime';
import { DEFAULT_SCENARIO, percentile, sampleBinomial, simulateMany, simulateRows, type Scenario } from './ab-simulation.ts';

test('binomial draws have mean n·p and variance n·p·(1−p) on both paths', () => {
  for (const [n, p] of [[2000, 0.05], [100, 0.04]] as const) {
    const random = seededRandom(9);
    let sum = 0;
    let sq = 0;
    const runs = 20000;
    for (let i = 0; i < runs; i++) {
      const k = sampleBinomial(n, p, random);
      assert.ok(k >= 0 && k <= n && Number.isInteger(k));
      sum += k;
      sq += k * k;
    }
    const mean = sum / runs;
    const variance = sq / runs - mean * mean;
    assert.ok(Math.abs(mean - n * p) / (n * p) < 0.02, `n=${n}: mean ${mean}`);
    assert.ok(Math.abs(variance - n * p * (1 - p)) / (n * p * (1 - p)) < 0.05, `n=${n}: variance ${variance}`);
  }
});

test('a simulated video: daily rows on the plan, the launch, the weekdays and one 5× day', () => {
  const data = simulateRows({ ...DEFAULT_SCENARIO, lifts: [1, 1.1] }, { design: 'counterbalanced', launchPeriods: 3 }, seededRandom(3));
  assert.equal(data.rows.length, 28);
  assert.equal(data.rows.map((r) => r.variant).join('').slice(0, 11), 'AAA' + 'ABBA' + 'BAAB');
  for (const [i, r] of data.rows.entries()) {
    assert.equal(r.end.getTime() - r.start.getTime() >= 23 * 3_600_000, true);
    if (i > 0) assert.equal(r.start.getTime(), data.rows[i - 1]!.end.getTime(), 'days follow each other');
  }
  const traffic = data.dailyImpressions;
  assert.ok(traffic[0]! > 4 * traffic[20]! || traffic.slice(5).some((t) => t > 3 * traffic[0]!), 'launch at about 5× the base');
  const later = traffic.slice(5).sort((a, b) => a - b);
  assert.ok(later.at(-1)! > 3.5 * later[Math.floor(later.length / 2)]!, 'one day at 5×');
  assert.ok(later[0]! < 0.95 * later[Math.floor(later.length / 2)]!, 'weekdays vary');
  const ctr = (d: number): number => data.rows[d]!.clicks / data.rows[d]!.impressions;
  assert.ok(ctr(0) > 1.7 * DEFAULT_SCENARIO.baseCtr, `day 0 CTR ${ctr(0)}: doubled at launch`);
  assert.throws(() => simulateRows({ ...DEFAULT_SCENARIO, lifts: [1] }, { design: 'counterbalanced', launchPeriods: 0 }, seededRandom(1)), /at least 2 variants/);
});

/*
 * The figures, on videos with a launch (traffic ×5 and CTR ×2 or ×1.3 on day 0, fading),
 * weekday seasonality, one day at 5× traffic with a feed's lower CTR, and 3 % day-to-day CTR noise;
 * daily rows, the verdict evaluated after each day. 150 runs a case keep the file near 20 s on two
 * cores; bench/abtest-impressions.ts runs 400 a case with intervals (bench/RESULTS.md). The false
 * winners are judged over the three two-variant launch cases together (450 runs: a true rate of 5 %
 * would show more than 22 in half the seeds; the bench measures 2–3 %), each case also under 7.5 %;
 * the powers are asserted where the bench puts them at 94 % or more, so that a fixed seed passing
 * is not luck.
 */
const RUNS = 150;

interface Figure {
  name: string;
  scenario: Partial<Scenario>;
  /** At least this share of runs must pick the better variant, and none the worse. */
  minCorrect: number;
}

const NULLS: { name: string; scenario: Partial<Scenario> }[] = [
  { name: 'launch CTR ×1.3', scenario: { lifts: [1, 1], launchCtr: 0.3 } },
  { name: 'launch CTR ×2', scenario: { lifts: [1, 1], launchCtr: 1 } },
  { name: 'launch CTR ×2 fading over 4 days', scenario: { lifts: [1, 1], launchCtr: 1, launchCtrDays: 4 } },
];

const FIGURES: Figure[] = [
  { name: 'B +10 % at 16,000 impressions a day, within 28 days', scenario: { lifts: [1, 1.1], impressionsPerDay: 16_000 }, minCorrect: 0.9 },
  { name: 'B +20 % at 4,000 impressions a day, within 28 days', scenario: { lifts: [1, 1.2], impressionsPerDay: 4000 }, minCorrect: 0.95 },
  { name: 'C +20 % of three at 12,000 impressions a day, within 28 days', scenario: { lifts: [1, 1, 1.2], impressionsPerDay: 12_000 }, minCorrect: 0.95 },
  // three variants share the days: +10 % takes up to six weeks (28 days find it in about 78 % of runs)
  { name: 'C +10 % of three at 16,000 impressions a day, within 42 days', scenario: { lifts: [1, 1, 1.1], impressionsPerDay: 16_000, days: 42 }, minCorrect: 0.9 },
];

test('simulation: identical variants get a winner in at most 5 % of runs, whatever the launch', (t) => {
  let winners = 0;
  for (const [i, n] of NULLS.entries()) {
    const batch = simulateMany({ scenario: { ...DEFAULT_SCENARIO, ...n.scenario }, random: seededRandom(150_000 + i), runs: RUNS });
    t.diagnostic(`two variants, ${n.name}: ${batch.decided}/${RUNS} with a winner`);
    assert.ok(batch.decided <= 0.075 * RUNS, `${n.name}: ${batch.decided}/${RUNS} runs declared a winner`);
    winners += batch.decided;
  }
  assert.ok(winners <= 0.05 * RUNS * NULLS.length, `${winners}/${RUNS * NULLS.length} runs declared a winner between identical variants`);
  const three = simulateMany({ scenario: { ...DEFAULT_SCENARIO, lifts: [1, 1, 1] }, random: seededRandom(150_010), runs: RUNS });
  t.diagnostic(`three variants, launch CTR ×2: ${three.decided}/${RUNS} with a winner`);
  assert.ok(three.decided <= 0.05 * RUNS, `${three.decided}/${RUNS} runs declared a winner between three identical variants`);
});

for (const [i, f] of FIGURES.entries()) {
  test(`simulation: ${f.name}`, (t) => {
    const batch = simulateMany({ scenario: { ...DEFAULT_SCENARIO, ...f.scenario }, random: seededRandom(150_100 + i), runs: RUNS });
    t.diagnostic(`${batch.correct}/${RUNS} right, median ${percentile(batch.days, 0.5) ?? '–'} days, ${percentile(batch.impressions, 0.5) ?? '–'} impressions`);
    assert.ok(batch.correct >= f.minCorrect * RUNS, `only ${batch.correct}/${RUNS} runs picked the better variant`);
    assert.equal(batch.decided, batch.correct, 'a winner that is not the better variant');
  });
}

test('percentile is nearest-rank', () => {
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5), 5);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9), 9);
  assert.equal(percentile([], 0.5), undefined);
});
