import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '@faceless/runtime';
import { percentile, sampleBinomial, simulateExperiment, simulateMany } from './ab-simulation.ts';

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

test('one experiment rotates evenly and stops on a decision', () => {
  const r = simulateExperiment({ trueCtrs: [0.02, 0.1], impressionsPerDay: 1000, maxDays: 30, policy: { draws: 2000 }, random: seededRandom(1) });
  assert.equal(r.winner, 1);
  assert.equal(r.impressions, r.days * 1000);
  // 500 a day each: the 1,000-impression minimum is met on day 2, and a 5× CTR is decided right then
  assert.equal(r.days, 2);
  assert.equal(r.decision?.status, 'winner');
  const none = simulateExperiment({ trueCtrs: [0.05, 0.05], impressionsPerDay: 300, maxDays: 3, random: seededRandom(1) });
  assert.equal(none.winner, undefined);
  assert.equal(none.days, 3);
  assert.throws(() => simulateExperiment({ trueCtrs: [0.05], impressionsPerDay: 100, maxDays: 1, random: seededRandom(1) }), /at least 2/);
});

// The requirement: with known true CTRs the policy picks the true best in ≥ 95% of the
// simulated experiments that reach a decision.
for (const trueCtrs of [[0.04, 0.05], [0.05, 0.05, 0.06]]) {
  test(`simulation: picks the true best of ${trueCtrs.join(' / ')} in ≥ 95% of decided experiments`, (t) => {
    const runs = 200;
    const batch = simulateMany({ trueCtrs, impressionsPerDay: 3000, maxDays: 60, policy: { draws: 2000 }, random: seededRandom(2026), runs });
    const undecided = runs - batch.decided;
    t.diagnostic(`${batch.correct}/${batch.decided} correct, ${undecided} undecided after 60 days, median ${percentile(batch.impressions, 0.5)} impressions`);
    assert.ok(batch.decided >= runs * 0.9, `only ${batch.decided} of ${runs} decided within 60 days`);
    assert.ok(batch.correct / batch.decided >= 0.95, `${batch.correct}/${batch.decided} picked the true best`);
  });
}

test('percentile is nearest-rank', () => {
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5), 5);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9), 9);
  assert.equal(percentile([], 0.5), undefined);
});
