import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FacelessError } from '@faceless/runtime';
import { decidePeriods, decideSequentially, rowRotationHours, type PeriodRow } from './period-decision.ts';
import { pacificDayPeriod, variantPositionForPeriod, type RotationPlan } from './rotation-plan.ts';

const DAY0 = 20458; // 2026-01-05, a Monday (Pacific day number)

/** Daily rows with exactly the expected clicks (no sampling noise), so a verdict can be read off. */
function rows(options: {
  days: number; lifts: number[]; plan?: Partial<RotationPlan>; ctr?: (day: number) => number; impressions?: (day: number) => number;
  avgViewDuration?: number[];
}): PeriodRow[] {
  const labels = options.lifts.map((_, i) => String.fromCharCode(65 + i));
  return Array.from({ length: options.days }, (_, d) => {
    const v = variantPositionForPeriod(d, labels.length, 24, options.plan);
    const impressions = options.impressions?.(d) ?? 10_000;
    const ctr = (options.ctr?.(d) ?? 0.05) * options.lifts[v]!;
    return {
      variant: labels[v]!, ...pacificDayPeriod(DAY0 + d), impressions, clicks: Math.round(impressions * ctr),
      avgViewDurationSec: options.avgViewDuration?.[v] ?? null,
    };
  });
}

test('a launch that doubles the CTR and fades does not crown the variant shown first', () => {
  // the case: round-robin from the first day, identical variants, CTR ×2 at launch fading over days
  const data = rows({ days: 28, lifts: [1, 1], plan: { design: 'round-robin' }, ctr: (d) => 0.05 * (1 + Math.exp(-d / 2)) });
  const pooledA = data.filter((r) => r.variant === 'A').reduce((s, r) => s + r.clicks, 0) / data.filter((r) => r.variant === 'A').reduce((s, r) => s + r.impressions, 0);
  const pooledB = data.filter((r) => r.variant === 'B').reduce((s, r) => s + r.clicks, 0) / data.filter((r) => r.variant === 'B').reduce((s, r) => s + r.impressions, 0);
  assert.ok(pooledA / pooledB > 1.02, 'pooled counts favour A');
  for (const launchDays of [3, 0]) {
    const v = decidePeriods({ variants: ['A', 'B'], rows: data }, { launchDays });
    assert.equal(v.status, 'continue', `launchDays ${launchDays}: ${v.reason}`);
    assert.ok(Math.abs(v.lift!) < 0.01, `launchDays ${launchDays}: lift ${v.lift}`);
    assert.ok(v.interval![0] < 0 && v.interval![1] > 0);
    assert.equal(v.window.launchRows, launchDays);
  }
});

test('a clear lift wins, with the lift and its interval, and the reason says why', () => {
  const data = rows({ days: 25, lifts: [1, 1.3], plan: { launchPeriods: 3 }, ctr: (d) => 0.05 * (1 + 0.5 * Math.exp(-d / 3)) });
  const v = decidePeriods({ variants: ['A', 'B'], rows: data });
  assert.equal(v.status, 'winner', v.reason);
  assert.equal(v.winner, 'B');
  assert.equal(v.runnerUp, 'A');
  assert.ok(Math.abs(v.lift! - 0.3) < 0.02, `lift ${v.lift}`);
  assert.ok(v.interval![0] > 0.2 && v.interval![1] < 0.4 && v.interval![0] < v.lift! && v.lift! < v.interval![1], `interval ${v.interval!.join(' to ')}`);
  assert.ok(v.probabilityBest.B! > 0.999);
  assert.ok(v.expectedLoss.B! < 1e-4 && v.expectedLoss.A! > 0.25, JSON.stringify(v.expectedLoss));
  assert.match(v.reason, /^B vs A: CTR \+(29|30)\.\d% \(95% interval \+2\d\.\d% to \+3\d\.\d%\), 100\.0% chance of being best, expected loss 0\.00%, over 22 periods from 2026-01-08 to 2026-01-29 \(3 launch rows left out\)$/);
  assert.deepEqual(v.window.variants.B, { periods: 11, impressions: 110_000, clicks: v.window.variants.B!.clicks });
  // the same data and seed give the same verdict
  assert.deepEqual(decidePeriods({ variants: ['A', 'B'], rows: data }), v);
});

test('no verdict before the minimums, nor while the rotation is uneven', () => {
  const data = rows({ days: 12, lifts: [1, 1.3], plan: { launchPeriods: 3 } });
  const early = decidePeriods({ variants: ['A', 'B'], rows: data.slice(0, 8) });
  assert.equal(early.status, 'continue');
  // ABBA B: the verdict looks at ABBA, the last B waits for its pair
  assert.match(early.reason, /over 4 periods from 2026-01-08 to 2026-01-11 \(3 launch rows left out\); waiting for 4 periods per variant \(A has 2, B has 2\); 1 later period waits for the rotation to even out$/);
  const thin = decidePeriods({ variants: ['A', 'B'], rows: data.map((r) => ({ ...r, impressions: 100, clicks: r.variant === 'A' ? 5 : 7 })) }, { minPeriodsPerVariant: 2 });
  assert.match(thin.reason, /waiting for 1,000 impressions per variant \(A has 400, B has 400\)/);
  // BBABAA from the fifth day: as many periods, but B mostly earlier, so a trend would pass for a lift
  const shifted = decidePeriods({ variants: ['A', 'B'], rows: data.slice(0, 10) }, { launchDays: 4, minPeriodsPerVariant: 1 });
  assert.match(shifted.reason, /waiting for the rotation to even out in time/);
  const none = decidePeriods({ variants: ['A', 'B'], rows: data.slice(0, 3) });
  assert.match(none.reason, /^waiting for data on A, B after the launch: no periods after the launch \(3 launch rows left out\)$/);
  assert.equal(none.lift, null);
});

test('a day of 5× traffic is left out as a burst, and the rotation still counts it', () => {
  const data = rows({ days: 19, lifts: [1, 1], plan: { launchPeriods: 3 }, impressions: (d) => (d === 9 ? 50_000 : 10_000), ctr: (d) => (d === 9 ? 0.03 : 0.05) });
  const v = decidePeriods({ variants: ['A', 'B'], rows: data });
  assert.equal(v.window.burstRows, 1);
  assert.ok(Math.abs(v.lift!) < 0.01, `lift ${v.lift}`);
  assert.match(v.reason, /1 traffic burst \(over 3× the median impressions\) left out/);
  assert.doesNotMatch(v.reason, /even out/);
});

test('watch time per impression can reverse a CTR verdict', () => {
  // B is clicked 20 % more but watched half as long
  const data = rows({ days: 27, lifts: [1, 1.2], plan: { launchPeriods: 3 }, avgViewDuration: [240, 120] });
  const ctr = decidePeriods({ variants: ['A', 'B'], rows: data });
  const watch = decidePeriods({ variants: ['A', 'B'], rows: data }, { metric: 'watch-time' });
  assert.equal(ctr.winner, 'B');
  assert.equal(watch.winner, 'A', watch.reason);
  assert.equal(watch.metric, 'watch-time');
  assert.ok(Math.abs(watch.lift! - (240 / (1.2 * 120) - 1)) < 0.02, `lift ${watch.lift}`);
  assert.match(watch.reason, /^A vs B: watch time per impression \+66\.\d%/);
  const noDuration = decidePeriods({ variants: ['A', 'B'], rows: data.map((r) => ({ ...r, avgViewDurationSec: null })) }, { metric: 'watch-time' });
  assert.equal(noDuration.status, 'continue');
  assert.equal(noDuration.window.unusableRows, 24);
  assert.match(noDuration.reason, /24 rows without impressions or average view duration left out/);
});

test('sequential: stops at the first period where the rule holds, as the service would', () => {
  const data = rows({ days: 27, lifts: [1, 1.3], plan: { launchPeriods: 3 } });
  const v = decideSequentially({ variants: ['A', 'B'], rows: data });
  assert.equal(v.status, 'winner');
  // 3 launch days, then a look after every AB or BA: the first with 4 periods of each is after day 10
  assert.equal(v.stoppedAt, pacificDayPeriod(DAY0 + 10).end.toISOString());
  assert.equal(v.window.variants.A!.periods, 4);
  assert.equal(decidePeriods({ variants: ['A', 'B'], rows: data.slice(0, 9) }).status, 'continue');
  assert.equal(decidePeriods({ variants: ['A', 'B'], rows: data.slice(0, 11) }).status, 'winner');
  const same = decideSequentially({ variants: ['A', 'B'], rows: rows({ days: 27, lifts: [1, 1], plan: { launchPeriods: 3 } }) });
  assert.equal(same.status, 'continue');
  assert.equal(same.stoppedAt, null);
});

test('rows of another length: hourly and two-day periods', () => {
  const hour = (h: number): PeriodRow => ({ variant: 'A', start: new Date(h * 3_600_000), end: new Date((h + 1) * 3_600_000), impressions: 1, clicks: 0 });
  assert.equal(rowRotationHours([hour(0), hour(1)]), 1);
  const two = { ...pacificDayPeriod(DAY0), variant: 'A', impressions: 1, clicks: 0 };
  assert.equal(rowRotationHours([{ ...two, end: pacificDayPeriod(DAY0 + 1).end }]), 48);
  assert.equal(rowRotationHours([{ ...two }]), 24);
});

test('bad input is INVALID_INPUT naming the field and the fix', () => {
  const data = rows({ days: 6, lifts: [1, 1] });
  const invalid = (fn: () => unknown, field: string, message: RegExp): void => {
    assert.throws(fn, (err: unknown) => err instanceof FacelessError && err.code === 'INVALID_INPUT' && err.field === field && message.test(err.message));
  };
  invalid(() => decidePeriods({ variants: ['A'], rows: data }), 'variants', /at least 2 variants/);
  invalid(() => decidePeriods({ variants: ['A', 'A'], rows: data }), 'variants', /unique/);
  invalid(() => decidePeriods({ variants: ['A', 'C'], rows: data }), 'variant', /no variant "B" in this test; its variants are A, C/);
  invalid(() => decidePeriods({ variants: ['A', 'B'], rows: data }, { threshold: 0.4 }), 'threshold', /\(0\.5, 1\]/);
  invalid(() => decidePeriods({ variants: ['A', 'B'], rows: data }, { launchDays: -1 }), 'launchDays', /0 to 365/);
  invalid(() => decidePeriods({ variants: ['A', 'B'], rows: data }, { metric: 'views' as never }), 'metric', /ctr, watch-time/);
  invalid(() => decideSequentially({ variants: ['A', 'B'], rows: data }, { draws: 5 }), 'draws', /≥ 100/);
  invalid(() => decidePeriods({ variants: ['A', 'B'], rows: [...data, data[2]!] }), 'period', /^B's period from 2026-01-07T08:00:00.000Z overlaps its period from 2026-01-07T08:00:00.000Z to 2026-01-08T08:00:00.000Z: each period may appear once/);
});
