/**
 * How often the rotation test (counterbalanced plan, launch left out, time-aware verdict evaluated
 * after each day) declares a winner, picks the truly better variant, and how many days and
 * impressions that takes, on simulated videos: launch decay, weekday seasonality, a 5× traffic day,
 * 3 % day-to-day CTR noise, base CTR 5 %.
 * Run: node --import tsx bench/abtest-impressions.ts [runs=400] [case-filter]
 */
import { seededRandom } from '@faceless/runtime';
import { DEFAULT_SCENARIO, percentile, simulateMany, type Scenario } from '../services/ab-tester/src/ab-simulation.ts';
import { DEFAULT_TIME_POLICY, MANY_VARIANTS_THRESHOLD, type TimeDecisionPolicy } from '../services/ab-tester/src/period-decision.ts';
import type { RotationDesign } from '../services/ab-tester/src/rotation-plan.ts';

const runs = Number(process.argv[2] ?? 400);
const filter = process.argv[3] ?? '';

interface Case { name: string; scenario: Partial<Scenario>; design?: RotationDesign; policy?: Partial<TimeDecisionPolicy> }
const CASES: Case[] = [
  { name: 'A = B, no launch', scenario: { lifts: [1, 1], launchCtr: 0, launchTraffic: 0 } },
  { name: 'A = B, launch CTR +30 %', scenario: { lifts: [1, 1], launchCtr: 0.3 } },
  { name: 'A = B, launch CTR ×2', scenario: { lifts: [1, 1], launchCtr: 1 } },
  { name: 'A = B, launch CTR ×2 over 4 days', scenario: { lifts: [1, 1], launchCtr: 1, launchCtrDays: 4 } },
  { name: 'A = B = C, launch CTR ×2', scenario: { lifts: [1, 1, 1] } },
  // the model alone, on the issue's old design: ABAB from the first day, no launch left out
  { name: 'A = B, launch CTR ×2, round-robin, launch kept', scenario: { lifts: [1, 1], launchCtr: 1 }, design: 'round-robin', policy: { launchDays: 0 } },
  { name: 'B +10 %, 12k/day, round-robin, launch kept', scenario: { lifts: [1, 1.1], impressionsPerDay: 12000 }, design: 'round-robin', policy: { launchDays: 0 } },
  // the issue's table: 20,000·e^(−day/4) + 2,000 impressions a day, base CTR 5 %, no weekdays, spike or noise,
  // first as the issue ran it (ABAB from day 0, every day in the verdict), then with the default plan
  ...(['round-robin', 'counterbalanced'] as const).flatMap((design) => {
    const issue = { impressionsPerDay: 2000, launchTraffic: 10, launchCtrDays: 2, weekdays: false, spike: false, dailyNoise: 0 };
    const how = design === 'round-robin' ? 'ABAB, launch kept' : 'default plan';
    const extra = design === 'round-robin' ? { design, policy: { launchDays: 0 } } : {};
    return [
      { name: `issue, ${how}: A = B, no decay`, scenario: { ...issue, lifts: [1, 1], launchCtr: 0 }, ...extra },
      { name: `issue, ${how}: A = B, CTR +30 % at launch`, scenario: { ...issue, lifts: [1, 1], launchCtr: 0.3 }, ...extra },
      { name: `issue, ${how}: A = B, CTR ×2 at launch`, scenario: { ...issue, lifts: [1, 1], launchCtr: 1 }, ...extra },
      { name: `issue, ${how}: B +10 %, CTR ×2 at launch`, scenario: { ...issue, lifts: [1, 1.1], launchCtr: 1 }, ...extra },
      { name: `issue, ${how}: A = B = C, CTR ×2 at launch`, scenario: { ...issue, lifts: [1, 1, 1], launchCtr: 1 }, ...extra },
    ];
  }),
  ...[4000, 8000, 12000, 16000].map((n) => ({ name: `B +10 %, ${n / 1000}k/day`, scenario: { lifts: [1, 1.1], impressionsPerDay: n } })),
  ...[2000, 4000, 8000].map((n) => ({ name: `B +20 %, ${n / 1000}k/day`, scenario: { lifts: [1, 1.2], impressionsPerDay: n } })),
  ...[16000, 32000].map((n) => ({ name: `C +10 % of 3, ${n / 1000}k/day`, scenario: { lifts: [1, 1, 1.1], impressionsPerDay: n } })),
  { name: 'C +10 % of 3, 16k/day, 42 days', scenario: { lifts: [1, 1, 1.1], impressionsPerDay: 16000, days: 42 } },
  { name: 'A = B = C = D, launch CTR ×2', scenario: { lifts: [1, 1, 1, 1] } },
  ...[4000, 8000].map((n) => ({ name: `C +20 % of 3, ${n / 1000}k/day`, scenario: { lifts: [1, 1, 1.2], impressionsPerDay: n } })),
];

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const count = (x: number | undefined): string => (x === undefined ? '–' : x.toLocaleString('en-US'));

/** Wilson 95 % interval of a proportion. */
function wilson(k: number, n: number): string {
  const z = 1.96;
  const p = k / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n);
  return `${pct(Math.max(0, centre - half))}–${pct(Math.min(1, centre + half))}`;
}

const p = DEFAULT_TIME_POLICY;
console.log(`policy: P(best) ≥ ${p.threshold} (${MANY_VARIANTS_THRESHOLD} with three or more variants), expected loss ≤ ${pct(p.maxExpectedLoss)}, ≥ ${p.minPeriodsPerVariant} periods and ${p.minImpressionsPerVariant} impressions per variant, first ${p.launchDays} days left out, ${p.draws} draws`);
console.log(`scenario: base CTR ${pct(DEFAULT_SCENARIO.baseCtr)}, launch traffic ×${1 + DEFAULT_SCENARIO.launchTraffic} fading e^(−day/4), weekdays, one 5× day with CTR ×0.8, ${pct(DEFAULT_SCENARIO.dailyNoise)} daily CTR noise, ${DEFAULT_SCENARIO.days} days unless said; ${runs} runs per case\n`);
console.log('| case | winner declared | 95 % interval | picked the better | median days | p90 days | median impressions | wall |');
console.log('|---|---|---|---|---|---|---|---|');
for (const [i, c] of CASES.entries()) {
  if (!c.name.includes(filter)) continue;
  const started = performance.now();
  const scenario = { ...DEFAULT_SCENARIO, ...c.scenario };
  const b = simulateMany({ scenario, random: seededRandom(2000 + i), runs, ...(c.design ? { design: c.design } : {}), ...(c.policy ? { policy: c.policy } : {}) });
  const wall = ((performance.now() - started) / 1000).toFixed(0);
  const equal = new Set(scenario.lifts).size === 1;
  const rate = equal ? b.decided : b.correct;
  console.log(`| ${c.name} | ${b.decided}/${b.runs} | ${wilson(rate, b.runs)} | ${equal ? '–' : `${b.correct}/${b.runs}`} | ${count(percentile(b.days, 0.5))} | ${count(percentile(b.days, 0.9))} | ${count(percentile(b.impressions, 0.5))} | ${wall} s |`);
}
