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

test('the rotation order is round-robin and balances weekdays (daily) and hours (hourly)', () => {
  assert.deepEqual(plannedOrder(['a', 'b', 'c'], 24, 6), ['a', 'b', 'c', 'a', 'b', 'c']);
  assert.deepEqual(plannedOrder(['a', 'b'], 24, 16).join(''), 'ababababababab' + 'ba');
  assert.equal(calendarCycle(24), 7);
  assert.equal(calendarCycle(48), 7);
  assert.equal(calendarCycle(1), 24);
  assert.equal(calendarCycle(8), 3);
  for (const [variants, hours, cycle] of [[2, 24, 7], [3, 24, 7], [7, 24, 7], [2, 1, 24], [4, 6, 4], [5, 1, 24]] as const) {
    // over variants × lcm(variants, cycle) periods every variant sits on every place of the cycle equally often
    const lcm = (variants * cycle) / gcdOf(variants, cycle);
    const total = variants * lcm;
    const seen = Array.from({ length: variants }, () => new Array<number>(cycle).fill(0));
    for (let n = 0; n < total; n++) seen[variantPositionForPeriod(n, variants, hours)]![n % cycle]! += 1;
    const expected = total / variants / cycle;
    for (const row of seen) assert.deepEqual(row, new Array<number>(cycle).fill(expected), `${variants} variants every ${hours} h`);
    // and every run of `variants` periods inside a block shows each variant once
    for (let b = 0; b + variants <= total; b += variants) {
      const run = new Set(Array.from({ length: variants }, (_, i) => variantPositionForPeriod(b + i, variants, hours)));
      assert.equal(run.size, variants);
    }
  }
});

test('plannedPosition counts periods from the one the experiment started in', () => {
  const startedAt = new Date('2025-03-10T18:00:00Z'); // 11:00 PDT on 10 March
  const at = (t: string) => plannedPosition({ startedAt, now: new Date(t), rotationHours: 24, variantCount: 3 });
  assert.equal(at('2025-03-11T06:59:59Z').position, 0);
  assert.equal(at('2025-03-11T07:00:00Z').position, 1);
  assert.equal(at('2025-03-12T07:00:00Z').position, 2);
  assert.equal(at('2025-03-13T07:00:00Z').position, 0);
  assert.equal(at('2025-03-10T00:00:00Z').n, 0, 'a clock before the start plans the first variant');
});

function gcdOf(a: number, b: number): number {
  return b === 0 ? a : gcdOf(b, a % b);
}
