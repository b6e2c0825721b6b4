import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextFreeSlot, parseSlot } from './publish-slots.ts';

const at = (iso: string): Date => new Date(iso);

test('parseSlot reads HH:MM and rejects anything else', () => {
  assert.equal(parseSlot('15:00'), 900);
  assert.equal(parseSlot('00:05'), 5);
  assert.equal(parseSlot(' 23:59 '), 1439);
  for (const bad of ['24:00', '9:00', '15:60', '15h00', '']) assert.throws(() => parseSlot(bad), /HH:MM/);
});

test('the first slot after now plus the one-hour lead', () => {
  assert.equal(nextFreeSlot({ now: at('2025-03-10T08:00:00Z'), slots: ['15:00'], taken: [] }).toISOString(), '2025-03-10T15:00:00.000Z');
  // 14:30 + 1 h lead is past 15:00: tomorrow.
  assert.equal(nextFreeSlot({ now: at('2025-03-10T14:30:00Z'), slots: ['15:00'], taken: [] }).toISOString(), '2025-03-11T15:00:00.000Z');
  // Exactly now + lead is not strictly after.
  assert.equal(nextFreeSlot({ now: at('2025-03-10T14:00:00Z'), slots: ['15:00'], taken: [] }).toISOString(), '2025-03-11T15:00:00.000Z');
  assert.equal(nextFreeSlot({ now: at('2025-03-10T13:59:59Z'), slots: ['15:00'], taken: [] }).toISOString(), '2025-03-10T15:00:00.000Z');
});

test('several slots a day, given in any order, pick the earliest free one', () => {
  const slots = ['18:00', '09:00', '18:00'];
  assert.equal(nextFreeSlot({ now: at('2025-03-10T07:00:00Z'), slots, taken: [] }).toISOString(), '2025-03-10T09:00:00.000Z');
  assert.equal(nextFreeSlot({ now: at('2025-03-10T09:00:00Z'), slots, taken: [] }).toISOString(), '2025-03-10T18:00:00.000Z');
});

test('a taken slot is skipped', () => {
  const now = at('2025-03-10T07:00:00Z');
  const slots = ['09:00', '18:00'];
  assert.equal(nextFreeSlot({ now, slots, taken: [at('2025-03-10T09:00:00Z')] }).toISOString(), '2025-03-10T18:00:00.000Z');
  // A planned time that is not on a slot blocks nothing.
  assert.equal(nextFreeSlot({ now, slots, taken: [at('2025-03-10T09:00:01Z')] }).toISOString(), '2025-03-10T09:00:00.000Z');
});

test('rolls over to the next day, month and year when today is full', () => {
  const taken = [at('2025-12-31T09:00:00Z'), at('2025-12-31T18:00:00Z'), at('2026-01-01T09:00:00Z')];
  assert.equal(nextFreeSlot({ now: at('2025-12-31T06:00:00Z'), slots: ['09:00', '18:00'], taken }).toISOString(), '2026-01-01T18:00:00.000Z');
  const week = Array.from({ length: 7 }, (_, i) => at(`2025-03-${String(10 + i).padStart(2, '0')}T15:00:00Z`));
  assert.equal(nextFreeSlot({ now: at('2025-03-10T00:00:00Z'), slots: ['15:00'], taken: week }).toISOString(), '2025-03-17T15:00:00.000Z');
});

test('the lead time is configurable', () => {
  assert.equal(nextFreeSlot({ now: at('2025-03-10T14:30:00Z'), slots: ['15:00'], taken: [], leadMinutes: 10 }).toISOString(), '2025-03-10T15:00:00.000Z');
});

test('no slots is an error', () => {
  assert.throws(() => nextFreeSlot({ now: new Date(), slots: [], taken: [] }), /no publishing slots/);
});
