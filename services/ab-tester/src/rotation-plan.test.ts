import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FacelessError } from '@faceless/runtime';
import {
  calendarCycle, pacificDayNumber, pacificMidnight, parsePacificDate, periodAt, plannedPosition, variantPositionForPeriod,
} from './rotation-plan.ts';
import { plannedOrder } from './ab-test-service.ts';

const iso = (d: Date): string => d.toISOString();

test('24 h periods run from midnight Pacific to midnight Pacific, 23 h and 25 h across DST', () => {
  // Winter (PST, UTC−8)
  let p = periodAt(new Date('2025-01-15T20:00:00Z'), 24);
  assert.equal(iso(p.start), '2025-01-15T08:00:00.000Z');
  assert.equal(iso(p.end), '2025-01-16T08:00:00.000Z');
  // 07:30 UTC on 15 Jan is still 14 Jan in Los Angeles
  assert.equal(iso(periodAt(new Date('2025-01-15T07:30:00Z'), 24).start), '2025-01-14T08:00:00.000Z');
  // Summer (PDT, UTC−7)
  p = periodAt(new Date('2025-07-04T12:00:00Z'), 24);
  assert.equal(iso(p.start), '2025-07-04T07:00:00.000Z');
  assert.equal(iso(p.end), '2025-07-05T07:00:00.000Z');
  // Spring forward on 9 March 2025: a 23-hour day
  p = periodAt(new Date('2025-03-09T12:00:00Z'), 24);
  assert.equal(iso(p.start), '2025-03-09T08:00:00.000Z');
  assert.equal(iso(p.end), '2025-03-10T07:00:00.000Z');
  assert.equal((p.end.getTime() - p.start.getTime()) / 3_600_000, 23);
  // Fall back on 2 November 2025: a 25-hour day
  p = periodAt(new Date('2025-11-02T12:00:00Z'), 24);
  assert.equal(iso(p.start), '2025-11-02T07:00:00.000Z');
  assert.equal((p.end.getTime() - p.start.getTime()) / 3_600_000, 25);
  // the last instant of a period belongs to it, the end to the next
  assert.equal(periodAt(new Date(p.end.getTime() - 1), 24).index, p.index);
  assert.equal(periodAt(p.end, 24).index, p.index + 1);
});

test('Pacific day numbers and dates', () => {
  assert.equal(pacificDayNumber(new Date('1970-01-01T08:00:00Z')), 0);
  assert.equal(pacificDayNumber(new Date('1970-01-01T07:59:59Z')), -1);
  assert.equal(parsePacificDate('20250309'), parsePacificDate('2025-03-09'));
  assert.equal(iso(pacificMidnight(parsePacificDate('2025-03-10')!)), '2025-03-10T07:00:00.000Z');
  assert.equal(parsePacificDate('2025-02-30'), undefined);
  assert.equal(parsePacificDate('yesterday'), undefined);
});

test('N-hour periods are blocks from the epoch; 48 h periods are two Pacific days', () => {
  const h = periodAt(new Date('2025-03-10T10:42:00Z'), 1);
  assert.equal(iso(h.start), '2025-03-10T10:00:00.000Z');
  assert.equal(iso(h.end), '2025-03-10T11:00:00.000Z');
  const six = periodAt(new Date('2025-03-10T10:42:00Z'), 6);
  assert.equal(iso(six.start), '2025-03-10T06:00:00.000Z');
  const two = periodAt(new Date('2025-01-15T20:00:00Z'), 48);
  assert.equal((two.end.getTime() - two.start.getTime()) / 3_600_000, 48);
  assert.equal(two.start.getUTCHours(), 8, 'starts at midnight PST');
  assert.throws(() => periodAt(new Date(), 0), (err: unknown) => err instanceof FacelessError && err.field === 'rotationHours');
  assert.throws(() => periodAt(new Date(), 1.5), FacelessError);
});

const rr = { design: 'round-robin' } as const;

test('the round-robin order of earlier experiments is unchanged and balances weekdays and hours', () => {
  assert.deepEqual(plannedOrder(['a', 'b', 'c'], 24, 6, rr), ['a', 'b', 'c', 'a', 'b', 'c']);
  assert.deepEqual(plannedOrder(['a', 'b'], 24, 16, rr).join(''), 'ababababababab' + 'ba');
  assert.equal(calendarCycle(24), 7);
  assert.equal(calendarCycle(48), 7);
  assert.equal(calendarCycle(1), 24);
  assert.equal(calendarCycle(8), 3);
  for (const [variants, hours, cycle] of [[2, 24, 7], [3, 24, 7], [7, 24, 7], [2, 1, 24], [4, 6, 4], [5, 1, 24]] as const) {
    const lcm = (variants * cycle) / gcdOf(variants, cycle);
    const total = variants * lcm;
    const seen = Array.from({ length: variants }, () => new Array<number>(cycle).fill(0));
    for (let n = 0; n < total; n++) seen[variantPositionForPeriod(n, variants, hours, rr)]![n % cycle]! += 1;
    const expected = total / variants / cycle;
    for (const row of seen) assert.deepEqual(row, new Array<number>(cycle).fill(expected), `${variants} variants every ${hours} h`);
  }
});

test('the counterbalanced order: the launch on the first variant, then ABBA / ABCCBA blocks', () => {
  assert.deepEqual(plannedOrder(['a', 'b'], 24, 11, { launchPeriods: 3 }).join(''), 'aaa' + 'abba' + 'baab');
  assert.deepEqual(plannedOrder(['a', 'b', 'c'], 24, 18).join(''), 'abccba' + 'bcaacb' + 'cabbac');
  // every lcm(8, 24) = 24 hours the labels move on by one more, so a never keeps the same hours
  assert.deepEqual(plannedOrder(['a', 'b'], 1, 32).join('').slice(16), 'abbabaab' + 'baababba');
  assert.equal(variantPositionForPeriod(2, 2, 24, { launchPeriods: 3 }), 0);
  assert.throws(() => variantPositionForPeriod(0, 2, 24, { launchPeriods: -1 }), /launchPeriods/);
});

test('counterbalanced blocks cancel a linear trend and balance the calendar', () => {
  for (const [variants, hours, cycle] of [[2, 24, 7], [3, 24, 7], [4, 24, 7], [2, 1, 24], [3, 1, 24], [2, 6, 4], [3, 12, 2]] as const) {
    const block = 2 * variants;
    // within every block, each variant's mean position is the same: a linear trend touches all alike;
    // over `variants` blocks, so is its mean squared position: a quadratic one too
    for (let start = 0; start < 4 * block * cycle; start += block) {
      const sum = new Array<number>(variants).fill(0);
      for (let i = 0; i < block; i++) sum[variantPositionForPeriod(start + i, variants, hours)]! += i;
      assert.ok(sum.every((x) => x === sum[0]), `${variants} variants, block at ${start}: ${sum.join(',')}`);
    }
    const squares = new Array<number>(variants).fill(0);
    for (let i = 0; i < block * variants; i++) squares[variantPositionForPeriod(i, variants, hours)]! += i * i;
    assert.ok(squares.every((x) => x === squares[0]), `${variants} variants: ${squares.join(',')}`);
    // over variants × lcm(variants × block, cycle) periods, every variant sits on every place of the cycle equally often
    const lcm = (variants * block * cycle) / gcdOf(variants * block, cycle);
    const total = variants * lcm;
    const seen = Array.from({ length: variants }, () => new Array<number>(cycle).fill(0));
    for (let n = 0; n < total; n++) seen[variantPositionForPeriod(n, variants, hours)]![n % cycle]! += 1;
    const expected = total / variants / cycle;
    for (const row of seen) assert.deepEqual(row, new Array<number>(cycle).fill(expected), `${variants} variants every ${hours} h`);
  }
});

test('plannedPosition counts periods from the one the experiment started in', () => {
  const startedAt = new Date('2025-03-10T18:00:00Z'); // 11:00 PDT on 10 March
  const at = (t: string) => plannedPosition({ startedAt, now: new Date(t), rotationHours: 24, variantCount: 3, plan: rr });
  assert.equal(at('2025-03-11T06:59:59Z').position, 0);
  assert.equal(at('2025-03-11T07:00:00Z').position, 1);
  assert.equal(at('2025-03-12T07:00:00Z').position, 2);
  assert.equal(at('2025-03-13T07:00:00Z').position, 0);
  assert.equal(at('2025-03-10T00:00:00Z').n, 0, 'a clock before the start plans the first variant');
  const launched = (t: string) => plannedPosition({ startedAt, now: new Date(t), rotationHours: 24, variantCount: 2, plan: { launchPeriods: 3 } }).position;
  assert.deepEqual(['2025-03-12T07:00:00Z', '2025-03-13T07:00:00Z', '2025-03-14T07:00:00Z', '2025-03-15T07:00:00Z'].map(launched), [0, 0, 1, 1]);
});

function gcdOf(a: number, b: number): number {
  return b === 0 ? a : gcdOf(b, a % b);
}
