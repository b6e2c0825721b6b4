/**
 * When each variant is live: pure functions of time. A 24 h rotation follows the Pacific calendar
 * day (YouTube's reporting day and quota day), so a day has 23 or 25 hours across a DST change;
 * other rotations are fixed blocks of N hours counted from the Unix epoch, so hourly periods start
 * on the hour.
 */
import { FacelessError } from '@faceless/runtime';

export const ROTATION_TIME_ZONE = 'America/Los_Angeles';
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface Period {
  /** Periods since the epoch for this rotation length; consecutive periods differ by 1. */
  index: number;
  start: Date;
  /** Exclusive. */
  end: Date;
}

const pacificParts = new Intl.DateTimeFormat('en-US', {
  timeZone: ROTATION_TIME_ZONE, hourCycle: 'h23',
  year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
});

/** The Pacific wall-clock time of an instant, read as if it were UTC (whole seconds). */
function pacificWallClock(ms: number): number {
  const p: Record<string, number> = {};
  for (const part of pacificParts.formatToParts(new Date(ms))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
}

/** Pacific offset from UTC at an instant, in ms (−8 h in winter, −7 h in summer). */
function pacificOffset(ms: number): number {
  const whole = Math.floor(ms / 1000) * 1000;
  return pacificWallClock(whole) - whole;
}

/** Days since 1970-01-01 of the Pacific calendar date at this instant. */
export function pacificDayNumber(at: Date): number {
  return Math.floor(pacificWallClock(at.getTime()) / DAY_MS);
}

/** The instant of midnight Pacific that starts a Pacific day (Los Angeles changes clocks at 02:00, so midnight always exists once). */
export function pacificMidnight(dayNumber: number): Date {
  const wall = dayNumber * DAY_MS;
  const guess = wall - pacificOffset(wall);
  return new Date(wall - pacificOffset(guess));
}

/** A Pacific day from "YYYY-MM-DD" or "YYYYMMDD" (the reports' form); undefined when it is neither. */
export function parsePacificDate(text: string): number | undefined {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const d = new Date(ms);
  if (d.getUTCFullYear() !== Number(m[1]) || d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3])) return undefined;
  return ms / DAY_MS;
}

export function pacificDayPeriod(dayNumber: number): { start: Date; end: Date } {
  return { start: pacificMidnight(dayNumber), end: pacificMidnight(dayNumber + 1) };
}

export function checkRotationHours(hours: number): void {
  if (!Number.isInteger(hours) || hours < 1 || hours > 168) {
    throw new FacelessError('INVALID_INPUT', `rotationHours must be a whole number of hours from 1 to 168 (24 = every day at midnight Pacific), got ${hours}`, { field: 'rotationHours' });
  }
}

/** The rotation period holding an instant: whole Pacific days when hours is a multiple of 24, else N-hour blocks. */
export function periodAt(at: Date, rotationHours: number): Period {
  checkRotationHours(rotationHours);
  if (rotationHours % 24 === 0) {
    const days = rotationHours / 24;
    const index = Math.floor(pacificDayNumber(at) / days);
    return { index, start: pacificMidnight(index * days), end: pacificMidnight((index + 1) * days) };
  }
  const length = rotationHours * HOUR_MS;
  const index = Math.floor(at.getTime() / length);
  return { index, start: new Date(index * length), end: new Date((index + 1) * length) };
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Periods after which the period's place in the week (days) or in the day (hours) repeats. */
export function calendarCycle(rotationHours: number): number {
  checkRotationHours(rotationHours);
  if (rotationHours % 24 === 0) return 7 / gcd(7, rotationHours / 24);
  return 24 / gcd(24, rotationHours);
}

/**
 * Position of the variant live in the n-th period of an experiment (0 = the period it started in).
 * Round-robin, so every run of `variantCount` periods in a block shows each variant once; after each
 * block of lcm(variantCount, calendar cycle) periods the order shifts by one, so no variant keeps
 * the same weekdays (daily) or the same hours of the day (hourly): 2 variants daily give ABAB… for
 * 14 days, then BABA… for 14.
 */
export function variantPositionForPeriod(n: number, variantCount: number, rotationHours: number): number {
  if (!Number.isInteger(variantCount) || variantCount < 1) throw new Error(`variantCount must be ≥ 1, got ${variantCount}`);
  if (!Number.isInteger(n) || n < 0) throw new Error(`period number must be ≥ 0, got ${n}`);
  const cycle = calendarCycle(rotationHours);
  const block = (variantCount * cycle) / gcd(variantCount, cycle);
  return (n + Math.floor(n / block)) % variantCount;
}

/** What should be live at `now` for an experiment started at `startedAt`. */
export function plannedPosition(input: { startedAt: Date; now: Date; rotationHours: number; variantCount: number }): { period: Period; n: number; position: number } {
  const period = periodAt(input.now, input.rotationHours);
  const n = Math.max(0, period.index - periodAt(input.startedAt, input.rotationHours).index);
  return { period, n, position: variantPositionForPeriod(n, input.variantCount, input.rotationHours) };
}
