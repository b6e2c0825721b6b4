import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextReset, pacificDay } from './quota-day.ts';

const at = (iso: string): Date => new Date(iso);

test('the quota day is the calendar day in Los Angeles, in winter (UTC-8) and in summer (UTC-7)', () => {
  assert.equal(pacificDay(at('2025-01-15T07:59:59Z')), '2025-01-14');
  assert.equal(pacificDay(at('2025-01-15T08:00:00Z')), '2025-01-15');
  assert.equal(pacificDay(at('2025-07-15T06:59:59Z')), '2025-07-14');
  assert.equal(pacificDay(at('2025-07-15T07:00:00Z')), '2025-07-15');
});

test('the reset is at local midnight: 08:00 UTC in winter, 07:00 UTC in summer, across month and year ends', () => {
  assert.equal(nextReset(at('2025-01-15T12:00:00Z')).toISOString(), '2025-01-16T08:00:00.000Z');
  assert.equal(nextReset(at('2025-07-15T12:00:00Z')).toISOString(), '2025-07-16T07:00:00.000Z');
  assert.equal(nextReset(at('2025-12-31T20:00:00Z')).toISOString(), '2026-01-01T08:00:00.000Z');
  assert.equal(nextReset(at('2024-02-28T20:00:00Z')).toISOString(), '2024-02-29T08:00:00.000Z');
  // Exactly at a reset, the next one is a day later.
  assert.equal(nextReset(at('2025-01-16T08:00:00Z')).toISOString(), '2025-01-17T08:00:00.000Z');
});

test('spring forward (2025-03-09): the day before ends at 08:00 UTC, the short day ends at 07:00 UTC', () => {
  assert.equal(nextReset(at('2025-03-08T20:00:00Z')).toISOString(), '2025-03-09T08:00:00.000Z');
  // 04:00 PDT on the 23-hour day.
  const duringShortDay = at('2025-03-09T11:00:00Z');
  assert.equal(pacificDay(duringShortDay), '2025-03-09');
  assert.equal(nextReset(duringShortDay).toISOString(), '2025-03-10T07:00:00.000Z');
  // 01:30 PST, before the clocks jump.
  assert.equal(nextReset(at('2025-03-09T09:30:00Z')).toISOString(), '2025-03-10T07:00:00.000Z');
  const length = nextReset(at('2025-03-09T08:00:00Z')).getTime() - at('2025-03-09T08:00:00Z').getTime();
  assert.equal(length, 23 * 3_600_000);
});

test('fall back (2025-11-02): the day before ends at 07:00 UTC, the long day lasts 25 hours', () => {
  assert.equal(pacificDay(at('2025-11-02T06:59:00Z')), '2025-11-01');
  assert.equal(pacificDay(at('2025-11-02T07:00:00Z')), '2025-11-02');
  assert.equal(nextReset(at('2025-11-02T06:30:00Z')).toISOString(), '2025-11-02T07:00:00.000Z');
  // 01:30 happens twice that night; both belong to the same quota day.
  assert.equal(pacificDay(at('2025-11-02T08:30:00Z')), '2025-11-02');
  assert.equal(pacificDay(at('2025-11-02T09:30:00Z')), '2025-11-02');
  assert.equal(nextReset(at('2025-11-02T09:30:00Z')).toISOString(), '2025-11-03T08:00:00.000Z');
  const length = nextReset(at('2025-11-02T07:00:00Z')).getTime() - at('2025-11-02T07:00:00Z').getTime();
  assert.equal(length, 25 * 3_600_000);
});
