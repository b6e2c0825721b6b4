import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FacelessError, seededRandom } from '@faceless/runtime';
import {
  asciiPosteriorChart, posteriorSummary, sampleBeta, sampleGamma, sampleNormal, validateVariants, type VariantCounts,
} from './pooled-posterior.ts';

function moments(n: number, draw: () => number): { mean: number; variance: number } {
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const x = draw();
    sum += x;
    sq += x * x;
  }
  const mean = sum / n;
  return { mean, variance: sq / n - mean * mean };
}

test('normal draws have mean 0 and variance 1', () => {
  const random = seededRandom(1);
  const m = moments(100000, () => sampleNormal(random));
  assert.ok(Math.abs(m.mean) < 0.01, `mean ${m.mean}`);
  assert.ok(Math.abs(m.variance - 1) < 0.02, `variance ${m.variance}`);
});

test('gamma draws match mean k and variance k, including shape < 1', () => {
  for (const k of [0.3, 1, 2.5, 40]) {
    const random = seededRandom(7);
    const m = moments(100000, () => sampleGamma(k, random));
    assert.ok(Math.abs(m.mean - k) / k < 0.02, `shape ${k}: mean ${m.mean}`);
    assert.ok(Math.abs(m.variance - k) / k < 0.05, `shape ${k}: variance ${m.variance}`);
  }
});

test('beta draws match the Beta mean and variance', () => {
  for (const [a, b] of [[0.5, 0.5], [2, 5], [51, 951]] as const) {
    const random = seededRandom(3);
    const m = moments(100000, () => sampleBeta(a, b, random));
    const mean = a / (a + b);
    const variance = (a * b) / ((a + b) ** 2 * (a + b + 1));
    assert.ok(Math.abs(m.mean - mean) < 0.01 * Math.max(mean, 0.1), `Beta(${a},${b}) mean ${m.mean} vs ${mean}`);
    assert.ok(Math.abs(m.variance - variance) / variance < 0.05, `Beta(${a},${b}) variance ${m.variance} vs ${variance}`);
  }
});

function assertInvalid(fn: () => unknown, field: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof FacelessError);
    assert.equal(err.code, 'INVALID_INPUT');
    assert.equal(err.field, field);
    return true;
  });
}

test('bad input is INVALID_INPUT naming the field', () => {
  const ok = { id: 'A', impressions: 100, clicks: 5 };
  assertInvalid(() => validateVariants([ok]), 'variants');
  assertInvalid(() => validateVariants([]), 'variants');
  assertInvalid(() => validateVariants([ok, { id: 'B', impressions: 10, clicks: 11 }]), 'variants[1].clicks');
  assertInvalid(() => validateVariants([ok, { id: 'B', impressions: -1, clicks: 0 }]), 'variants[1].impressions');
  assertInvalid(() => validateVariants([{ id: 'A', impressions: 10, clicks: -2 }, ok]), 'variants[0].clicks');
  assertInvalid(() => validateVariants([ok, { id: 'B', impressions: 1.5, clicks: 0 }]), 'variants[1].impressions');
  assertInvalid(() => validateVariants([ok, { ...ok }]), 'variants[1].id');
  assertInvalid(() => posteriorSummary({ id: 'A', impressions: 10, clicks: 1 }, { draws: 0 }), 'draws');
  assertInvalid(() => posteriorSummary({ id: 'A', impressions: 10, clicks: 1 }, { prior: { alpha: 0, beta: 1 } }), 'prior.alpha');
  assertInvalid(() => posteriorSummary({ id: 'A', impressions: 3, clicks: 4 }), 'variant.clicks');
  const one: VariantCounts[] = [ok];
  assert.throws(() => validateVariants(one), /at least 2 variants/);
  assert.throws(() => validateVariants([ok, { id: 'B', impressions: 10, clicks: 11 }]), /clicks \(11\) is more than its impressions \(10\)/);
});

test('posteriorSummary gives the exact mean and a 95% interval around it', () => {
  const s = posteriorSummary({ id: 'A', impressions: 10000, clicks: 500 }, { random: seededRandom(4) });
  assert.equal(s.alpha, 501);
  assert.equal(s.beta, 9501);
  assert.ok(Math.abs(s.mean - 501 / 10002) < 1e-12);
  // normal approximation for these counts: mean ± 1.96·sd
  const sd = Math.sqrt((s.alpha * s.beta) / ((s.alpha + s.beta) ** 2 * (s.alpha + s.beta + 1)));
  assert.ok(Math.abs(s.lower - (s.mean - 1.96 * sd)) < 0.0005, `lower ${s.lower}`);
  assert.ok(Math.abs(s.upper - (s.mean + 1.96 * sd)) < 0.0005, `upper ${s.upper}`);
  // with no data the uniform prior's interval is [0.025, 0.975]
  const empty = posteriorSummary({ id: 'B', impressions: 0, clicks: 0 }, { random: seededRandom(4) });
  assert.ok(Math.abs(empty.lower - 0.025) < 0.01 && Math.abs(empty.upper - 0.975) < 0.01, `${empty.lower}–${empty.upper}`);
});

test('asciiPosteriorChart draws one bar per variant on a shared axis', () => {
  const chart = asciiPosteriorChart([
    { id: 'A', impressions: 6200, clicks: 260 },
    { id: 'Bold', impressions: 6200, clicks: 316 },
  ], 40, { random: seededRandom(1) });
  const lines = chart.split('\n');
  assert.equal(lines.length, 3);
  const bars = lines.slice(0, 2).map((l) => {
    const m = /^(\S+)\s* \|(.{40})\| (\d+\.\d\d)% \((\d+\.\d\d)%–(\d+\.\d\d)%\), ([\d,]+)\/([\d,]+)$/.exec(l);
    assert.ok(m, `line does not match: ${JSON.stringify(l)}`);
    return { id: m[1], bar: m[2]!, mean: Number(m[3]), clicks: m[6] };
  });
  assert.deepEqual(bars.map((b) => b.id), ['A', 'Bold']);
  assert.equal(bars[1]!.clicks, '316');
  for (const b of bars) {
    assert.match(b.bar, /^ *\[=*\*=*\] *$/);
  }
  // same column for the same label width, and B's interval lies to the right of A's
  assert.equal(lines[0]!.indexOf('|'), lines[1]!.indexOf('|'));
  assert.ok(bars[1]!.bar.indexOf('*') > bars[0]!.bar.indexOf('*'));
  assert.ok(bars[1]!.bar.lastIndexOf(']') > bars[0]!.bar.lastIndexOf(']'));
  // the extreme interval ends sit near the axis ends (5% padding)
  assert.ok(bars[0]!.bar.indexOf('[') <= 3 && bars[1]!.bar.indexOf(']') >= 36);
  assert.match(lines[2]!, /^\s+\d+\.\d\d%\s+\d+\.\d\d%$/);
  assert.throws(() => asciiPosteriorChart([{ id: 'A', impressions: 1, clicks: 0 }]), /at least 2 variants/);
});
